// Small progressive enhancements; every page works without JavaScript.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
  // Pages that hand something to another site by POST (CAS method=POST) send it at once.
  var autosubmit = document.querySelector("form[data-autosubmit]");
  if (autosubmit) { autosubmit.submit(); }
  document.querySelectorAll("table.data").forEach(stackable);
});

// Tables become a list of small cards on a phone (limen.css): each cell gets the name of its column.
// The roles keep the table a table for screen readers once CSS displays its parts as blocks.
function stackable(table) {
  if (!table.tHead || !table.tHead.rows.length) { return; }
  var names = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) {
    return th.querySelector(".visually-hidden") ? "" : th.textContent.trim();
  });
  table.setAttribute("role", "table");
  Array.prototype.forEach.call(table.rows, function (row) {
    row.setAttribute("role", "row");
    Array.prototype.forEach.call(row.cells, function (cell, index) {
      var header = cell.tagName === "TH";
      cell.setAttribute("role", header ? (row.parentNode === table.tHead ? "columnheader" : "rowheader") : "cell");
      if (!header && names[index] && cell.colSpan === 1) { cell.setAttribute("data-label", names[index]); }
    });
  });
  Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (group) {
    group.setAttribute("role", "rowgroup");
  });
  table.classList.add("stacked");
}
