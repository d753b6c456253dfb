// Manager dashboard charts: the data comes from json_script blocks in the page.
(function () {
  const data = (id) => JSON.parse(document.getElementById(id).textContent);
  const bar = (id, src, color, horizontal) => new Chart(document.getElementById(id), {
    type: "bar",
    data: { labels: src.labels, datasets: [{ data: src.values, backgroundColor: color }] },
    options: { indexAxis: horizontal ? "y" : "x", plugins: { legend: { display: false } }, maintainAspectRatio: false },
  });
  bar("funnel", data("funnel-data"), "#0d6efd", true);
  bar("aging", data("aging-data"), ["#198754", "#ffc107", "#fd7e14", "#dc3545", "#842029"], false);
  const grades = data("grades-data");
  new Chart(document.getElementById("grades"), {
    type: "doughnut",
    data: { labels: grades.labels, datasets: [{ data: grades.values }] },
    options: { plugins: { legend: { position: "bottom" } }, maintainAspectRatio: false },
  });
})();
