// Stock aging chart: cars by days in stock; the data comes from a json_script block.
(function () {
  const el = document.getElementById("stock-aging-data");
  if (!el) return;
  const src = JSON.parse(el.textContent);
  new Chart(document.getElementById("stock-aging"), {
    type: "bar",
    data: { labels: src.labels, datasets: [{ data: src.values, backgroundColor: ["#198754", "#ffc107", "#fd7e14", "#dc3545"] }] },
    options: { plugins: { legend: { display: false } }, maintainAspectRatio: false, scales: { y: { ticks: { precision: 0 } } } },
  });
})();
