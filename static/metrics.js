/* Metrics explorer: filter the table by province, directive and unit, sort by any column.
 * The table works without this script; it only adds the controls. Text stays text (no innerHTML). */
(function () {
  "use strict";
  var table = document.getElementById("metric-table");
  var form = document.getElementById("metric-filters");
  if (!table || !form) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-column]"));
  var status = form.querySelector(".metric-count");
  var collator = new Intl.Collator(document.documentElement.lang || "vi", { numeric: true, sensitivity: "base" });

  function applyFilters() {
    var shown = 0;
    rows.forEach(function (row) {
      var visible = selects.every(function (select) {
        return !select.value || row.getAttribute("data-" + select.getAttribute("data-column")) === select.value;
      });
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    status.textContent = form.getAttribute("data-shown")
      .replace("{shown}", shown.toLocaleString("vi-VN"))
      .replace("{total}", rows.length.toLocaleString("vi-VN"));
  }

  function cellKey(row, index, kind) {
    var cell = row.cells[index];
    if (kind === "number") return parseFloat(cell.getAttribute("data-value")) || 0;
    return cell.textContent.trim();
  }

  function sortBy(header, index) {
    var kind = header.getAttribute("data-sort");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var order = rows.map(function (row, position) { return { row: row, position: position }; });
    order.sort(function (a, b) {
      var x = cellKey(a.row, index, kind);
      var y = cellKey(b.row, index, kind);
      var result = kind === "number" ? x - y : collator.compare(x, y);
      if (!ascending) result = -result;
      return result || a.position - b.position;
    });
    order.forEach(function (item) { body.appendChild(item.row); });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
    if (!header.hasAttribute("data-sort")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", function () { sortBy(header, index); });
  });
  selects.forEach(function (select) { select.addEventListener("change", applyFilters); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  applyFilters();
})();
