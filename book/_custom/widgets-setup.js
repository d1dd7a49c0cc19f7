/* Offline set-up for the embedded ipywidgets (loaded between require.js and
 * @jupyter-widgets/html-manager's embed-amd.js, see nb_ipywidgets_js in _config.yml).
 *
 * embed-amd.js defines AMD modules named "@jupyter-widgets/..."; webpack inside them
 * derives the URL of their fonts from the module's URL, which require.js would put
 * next to the page (wrong for every page, 404). Map the names onto the folder that
 * really holds embed-amd.js and its fonts: _static/jupyter-widgets/.
 */
(function () {
  "use strict";
  var src = document.currentScript && document.currentScript.src;
  if (!src || typeof window.require === "undefined" || !window.require.config) {
    return;
  }
  var dir = src.substring(0, src.lastIndexOf("/") + 1) + "jupyter-widgets";
  window.__jupyter_widgets_assets_path__ = dir + "/";
  // require.js uses the longest matching prefix: "@jupyter-widgets/base" -> dir/base.js,
  // "@jupyter-widgets/html-manager/dist/libembed-amd" -> dir/libembed-amd.js (URLs only:
  // the modules are all defined inside embed-amd.js, nothing else is fetched).
  window.require.config({
    paths: {
      "@jupyter-widgets": dir,
      "@jupyter-widgets/html-manager/dist": dir
    }
  });

  // embed-amd.js validates the saved widget state with Ajv 8, built with default options
  // (`new Ajv()`); compiling @jupyter-widgets/schema's state schema, whose union types
  // (e.g. "type": ["number", "string"]) Ajv's strict mode only reports, logs
  // 'strict mode: use allowUnionTypes to allow union type keyword at ...' on every widget
  // page. The schema is the library's, validation works, and the vendored file stays
  // unchanged (book/_vendor/MANIFEST.sha256): drop exactly that one message, nothing else.
  var warn = console.warn;
  console.warn = function (first) {
    if (typeof first === "string" && first.indexOf("strict mode: use allowUnionTypes") === 0) {
      return;
    }
    return warn.apply(console, arguments);
  };
})();
