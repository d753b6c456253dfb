// Searchable pickers: every <select data-picker-url> becomes a tom-select that loads
// its options from the field's JSON endpoint ({"results": [{value, text, detail}]}).
(function () {
  "use strict";
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  function init(root) {
    (root || document).querySelectorAll("select[data-picker-url]").forEach(function (el) {
      if (el.tomselect) return;
      var url = el.dataset.pickerUrl;
      new TomSelect(el, {
        valueField: "value",
        labelField: "text",
        searchField: ["text", "detail"],
        maxOptions: 50,
        loadThrottle: 250,
        placeholder: el.dataset.placeholder || "",
        shouldLoad: function (q) { return q.length >= 1; },
        load: function (q, done) {
          fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q), { credentials: "same-origin" })
            .then(function (r) { return r.json(); })
            .then(function (j) { done(j.results); })
            .catch(function () { done(); });
        },
        render: {
          option: function (d) {
            return "<div class='py-1'><div class='fw-semibold'>" + esc(d.text) + "</div>" +
              (d.detail ? "<small class='text-body-secondary' data-testid='picker-detail'>" + esc(d.detail) + "</small>" : "") + "</div>";
          },
          item: function (d) { return "<div>" + esc(d.text) + (d.detail ? " <small class='text-body-secondary'>" + esc(d.detail) + "</small>" : "") + "</div>"; }
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
