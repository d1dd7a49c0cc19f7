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
})();
