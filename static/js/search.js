// The navigation bar's search: live results (htmx fills #nav-search-results), moved
// through with the arrow keys, Escape closes them.
(function () {
  "use strict";
  function results() { return document.getElementById("nav-search-results"); }
  function hits() { return Array.from(results().querySelectorAll(".search-hit")); }
  function input() { return document.querySelector("[data-testid='global-search']"); }

  document.addEventListener("htmx:afterSwap", function (e) {
    var box = results();
    if (box && e.target === box) box.classList.toggle("show", box.textContent.trim() !== "" && input().value.trim() !== "");
  });

  document.addEventListener("keydown", function (e) {
    var box = results();
    if (!box) return;
    var field = input();
    var list = hits();
    var at = list.indexOf(document.activeElement);
    if (e.key === "Escape" && (document.activeElement === field || at >= 0)) {
      box.classList.remove("show");
      field.focus();
    } else if (e.key === "ArrowDown" && (document.activeElement === field || at >= 0) && list.length) {
      e.preventDefault();
      box.classList.add("show");
      list[Math.min(at + 1, list.length - 1)].focus();
    } else if (e.key === "ArrowUp" && at >= 0) {
      e.preventDefault();
      if (at === 0) field.focus(); else list[at - 1].focus();
    } else if (e.key === "Enter" && document.activeElement === field && list.length && box.classList.contains("show")) {
      // Enter on the box opens the first hit; with no hits the form opens the results page.
      e.preventDefault();
      window.location.href = list[0].href;
    }
  });

  document.addEventListener("click", function (e) {
    var box = results();
    if (box && !e.target.closest(".nav-search")) box.classList.remove("show");
  });
})();
