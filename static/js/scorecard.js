// Scorecard: score and sales revenue over the last 12 months (data from the
// trend-data json_script block, series names from the canvas's data- attributes).
(function () {
  "use strict";
  const canvas = document.getElementById("trend");
  const data = JSON.parse(document.getElementById("trend-data").textContent);
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        {type: "line", label: canvas.dataset.scoreLabel, data: data.score, yAxisID: "y", borderColor: "#0d6efd", spanGaps: true},
        {type: "bar", label: canvas.dataset.revenueLabel, data: data.revenue, yAxisID: "y1", backgroundColor: "rgba(25,135,84,.35)"}
      ]
    },
    options: {responsive: true, maintainAspectRatio: false, animation: false,
      scales: {y: {beginAtZero: true, position: "left"}, y1: {beginAtZero: true, position: "right", grid: {drawOnChartArea: false}}}}
  });
})();
