/* A page that came back with a form's errors: take the reader to the first field in error (the
   message is printed next to it), instead of leaving them at the top of a long page. Without
   JavaScript the forms' addresses carry the anchor of their part of the page instead. */
(function () {
  "use strict";
  var field = document.querySelector("main .is-invalid, main [aria-invalid=true]");
  var target = field || document.querySelector("main .invalid-feedback, main .alert-danger");
  if (!target) {
    return;
  }
  function show() {
    target.scrollIntoView({ block: "center" });
    if (field && typeof field.focus === "function") {
      field.focus({ preventScroll: true });
    }
  }
  show();
  // The browser scrolls to the address's #anchor once the page has loaded, and drops the focus
  // with it: show the field again after that.
  window.addEventListener("load", function () {
    window.setTimeout(show, 0);
  });
})();
