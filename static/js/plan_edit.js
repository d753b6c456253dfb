// Plan page: while a target's children are edited, show their sum and the
// difference to the parent (labels from the #balance element's data- attributes).
(function () {
  "use strict";
  const form = document.getElementById("edit-form");
  if (!form) return;
  const parent = document.getElementById("parent-value");
  const sumEl = document.getElementById("children-sum");
  const balance = document.getElementById("balance");
  if (!parent || !sumEl || !balance) return;
  const integer = form.dataset.integer === "1";
  const cents = (v) => Math.round(parseFloat(v || "0") * (integer ? 1 : 100));
  const show = (c) => integer ? String(c) : (c / 100).toFixed(2);
  function update() {
    let sum = 0;
    form.querySelectorAll(".child-value").forEach((el) => { sum += cents(el.value); });
    const diff = cents(parent.value) - sum;
    sumEl.textContent = show(sum);
    balance.className = "badge text-bg-" + (diff === 0 ? "success" : "warning");
    balance.textContent = diff === 0 ? balance.dataset.balanced : balance.dataset.difference + ": " + show(diff);
  }
  form.addEventListener("input", update);
})();
