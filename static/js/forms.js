// Behaviours that templates ask for with data- attributes (no inline handlers: the
// Content-Security-Policy allows scripts from files only; data-confirm: confirm.js).
//   <select data-autosubmit>          sends its form when changed
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var field = e.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.requestSubmit();
  });
})();
