/* The book's own page fixes (loaded on every page through html_js_files in _config.yml).
 *
 * 1. Sidebar toggles. pydata-sphinx-theme 0.17 renders a second pair of sidebar buttons
 *    (`.primary-toggle`, `.secondary-toggle`) in its top navbar, before the pair that
 *    sphinx-book-theme shows in the article header. Both themes' scripts bind their click
 *    handlers with `document.querySelector`, i.e. to the first, hidden, navbar pair, so the
 *    visible "Toggle primary/secondary sidebar" buttons did nothing (sphinx-book-theme
 *    issues #917, #865 and PR #991; pydata-sphinx-theme #2451). No released pair of
 *    versions fixes it for Sphinx 7 (sphinx-book-theme 1.4.0 needs Sphinx 8.2 and still
 *    binds the first button), so every click on another toggle of the same kind is passed
 *    on to the bound one: on wide screens sphinx-book-theme then collapses or restores the
 *    sidebar, on narrow ones pydata-sphinx-theme opens it as a dialog (closed by Escape or
 *    a click beside it).
 * 2. Chinese text. The pages say lang="en", so Chromium renders the Chinese headings and
 *    quotations of the source article with a Japanese fallback font. Every run of CJK
 *    characters (with CJK and full-width punctuation) is wrapped in <span lang="zh-CN">.
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".primary-toggle, .secondary-toggle");
    if (!button) {
      return;
    }
    var kind = button.classList.contains("primary-toggle") ? ".primary-toggle" : ".secondary-toggle";
    var bound = document.querySelector(kind);
    if (!bound || bound === button) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    bound.click();
  }, true);

  var CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+/g;
  var SKIP = { SCRIPT: 1, STYLE: 1, TEXTAREA: 1, "MJX-CONTAINER": 1 };

  function markChinese(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        for (var el = node.parentElement; el && el !== root; el = el.parentElement) {
          if (SKIP[el.tagName]) { return NodeFilter.FILTER_REJECT; }
        }
        CJK.lastIndex = 0;
        return CJK.test(node.nodeValue) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
      }
    });
    var nodes = [];
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    nodes.forEach(function (node) {
      var parent = node.parentElement;
      if (parent && parent.getAttribute("lang") === "zh-CN" && parent.textContent === node.nodeValue) {
        return;
      }
      var text = node.nodeValue;
      var fragment = document.createDocumentFragment();
      var last = 0;
      CJK.lastIndex = 0;
      var m;
      while ((m = CJK.exec(text)) !== null) {
        if (m.index > last) { fragment.appendChild(document.createTextNode(text.slice(last, m.index))); }
        var span = document.createElement("span");
        span.setAttribute("lang", "zh-CN");
        span.textContent = m[0];
        fragment.appendChild(span);
        last = m.index + m[0].length;
      }
      if (last < text.length) { fragment.appendChild(document.createTextNode(text.slice(last))); }
      node.parentNode.replaceChild(fragment, node);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { markChinese(document.body); });
  } else {
    markChinese(document.body);
  }
})();
