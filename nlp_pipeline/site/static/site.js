// Charts (plotly.js from assets/), table sorting and filtering. No network.
(function () {
  "use strict";
  function drawCharts() {
    document.querySelectorAll("script.chart-spec").forEach(function (el) {
      var div = document.getElementById(el.dataset.for);
      var spec = JSON.parse(el.textContent);
      window.Plotly.newPlot(div, spec.data, spec.layout, { displayModeBar: false, responsive: true }).then(function () {
        div.dataset.drawn = String(div.querySelectorAll(".point").length);
      });
    });
  }
  function cellValue(td) {
    var t = (td.dataset.sort !== undefined ? td.dataset.sort : td.textContent).trim();
    var n = parseFloat(t.replace(/[%,]/g, ""));
    return isNaN(n) || !/^[-+]?[\d.,]+%?$/.test(t) ? t : n;
  }
  function makeSortable(table) {
    var ths = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(ths, function (th, i) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        Array.prototype.forEach.call(ths, function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[i]), y = cellValue(b.cells[i]);
          var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh");
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  function makeFilter(input) {
    var table = document.getElementById(input.dataset.filterFor);
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(makeSortable);
    document.querySelectorAll("input.filter").forEach(makeFilter);
    if (window.Plotly) { drawCharts(); }
  });
})();
