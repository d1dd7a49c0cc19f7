/* MathJax 2 -> 3 shim for ipywidgets.
 *
 * ipywidgets 8 typesets widget labels with MathJax 2's API,
 * `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`, which MathJax 3 lacks: the
 * call throws and the label keeps its raw `\(...\)`. This file provides `MathJax.Hub`
 * both on the configuration object (before MathJax 3 loads; Sphinx loads it with
 * `defer`) and on the loaded MathJax object, and forwards to `MathJax.typesetPromise`.
 * It does nothing on pages without MathJax.
 */
(function () {
  "use strict";
  var hasMathJax = window.MathJax !== undefined ||
    document.querySelector('script[src*="mathjax/es5/"]') !== null;
  if (!hasMathJax) {
    return;
  }
  var pending = [];
  var ready = false;

  function typeset(elements) {
    return window.MathJax.typesetPromise(elements).catch(function (err) {
      console.warn("MathJax typeset failed:", err);
    });
  }

  function queue() {
    for (var i = 0; i < arguments.length; i++) {
      var job = arguments[i];
      if (typeof job === "function") {
        if (ready) { job(); } else { pending.push(job); }
      } else if (Array.isArray(job) && job[0] === "Typeset") {
        var el = job[2] || document.body;
        if (ready) { typeset([el]); } else { pending.push(el); }
      }
    }
  }

  var Hub = { Queue: queue, Typeset: function (el) { queue(["Typeset", Hub, el]); } };

  var config = window.MathJax = window.MathJax || {};
  config.Hub = Hub;
  config.startup = config.startup || {};
  var userReady = config.startup.ready;
  config.startup.ready = function () {
    if (userReady) { userReady(); } else { window.MathJax.startup.defaultReady(); }
    window.MathJax.Hub = Hub;
    window.MathJax.startup.promise.then(function () {
      ready = true;
      var jobs = pending;
      pending = [];
      var elements = jobs.filter(function (j) { return typeof j !== "function"; });
      if (elements.length) { typeset(elements); }
      jobs.filter(function (j) { return typeof j === "function"; }).forEach(function (f) { f(); });
    });
  };
})();
