/* The meeting pages' small enhancements. Loaded after htmx; the pages work without either. */
(function () {
  "use strict";
  if (window.htmx) {
    // htmx would inject a <style> element for its indicators: the CSP forbids inline styles.
    window.htmx.config.includeIndicatorStyles = false;
  }
  // After htmx swaps the agenda table, keep keyboard users where they were: focus the moved item's row.
  document.addEventListener("htmx:afterSwap", function (event) {
    var moved = event.detail.requestConfig && event.detail.requestConfig.elt;
    var rowId = moved && moved.closest && moved.closest("form") && moved.closest("form").dataset.row;
    var row = rowId && document.getElementById(rowId);
    if (row) {
      row.setAttribute("tabindex", "-1");
      row.focus();
    }
  });
})();
