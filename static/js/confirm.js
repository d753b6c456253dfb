// A form with data-confirm asks before it is sent (reversals, deletions, anything
// that cannot be taken back). The question is the attribute's text.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);
