/* Offline explorers (cnnbook.widgets.Explorer.offline_html): the same controls as in
 * Jupyter, over pictures precomputed when the book was built. Moving a control shows the
 * picture of the new combination of settings (or the message of a setting that does not
 * fit). No kernel, no request: the pictures are in the page.
 *
 * Markup: div.cnnbook-explorer > controls with data-setting (select, or input[type=range]
 * with data-labels and an <output>), p.cnnbook-explorer-message, img.cnnbook-explorer-figure,
 * script.cnnbook-explorer-data {"images": {key: data URL}, "messages": {key: text},
 * "disabled": {key: [setting, ...]}}, where key is the index of each control's value, in
 * order, joined by "-"; a setting listed under the shown key is disabled, as the live
 * explorer disables it there (a control that would change nothing is never left active).
 */
(function () {
  "use strict";

  function setUp(root) {
    var data = JSON.parse(root.querySelector("script.cnnbook-explorer-data").textContent);
    var controls = Array.prototype.slice.call(root.querySelectorAll("[data-setting]"));
    var img = root.querySelector("img.cnnbook-explorer-figure");
    var message = root.querySelector(".cnnbook-explorer-message");

    function show() {
      var key = controls.map(function (c) { return c.value; }).join("-");
      controls.forEach(function (c) {
        var out = c.parentNode.querySelector("output");
        if (out && c.dataset.labels) {
          out.textContent = JSON.parse(c.dataset.labels)[Number(c.value)];
        }
      });
      root.dataset.key = key;
      var off = (data.disabled || {})[key] || [];
      controls.forEach(function (c) {
        c.disabled = off.indexOf(c.dataset.setting) >= 0;
      });
      if (data.images[key]) {
        img.src = data.images[key];
        img.classList.remove("cnnbook-explorer-stale");
        message.textContent = "";
      } else {  // a setting that does not fit: the last picture stays, dimmed
        img.classList.add("cnnbook-explorer-stale");
        message.textContent = data.messages[key] || "";
      }
    }

    controls.forEach(function (c) {
      c.addEventListener("input", show);
      c.addEventListener("change", show);
    });
    show();
  }

  function start() {
    document.querySelectorAll("div.cnnbook-explorer").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
