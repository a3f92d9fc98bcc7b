// Small progressive enhancements; every page works without JavaScript.
document.documentElement.classList.add("js");

// Form pages open with the focus where the person starts: the first field with an error, or (errors
// that belong to no field) the error summary, or the first field of the page's form; a form names
// another with data-focus="<field name>" (the password, not the method above it). A form that is not
// what its page is for says data-no-autofocus (it still gets the focus when it has an error). Pages
// without a form field, a page opened at an anchor and a page where something has the focus already
// keep the focus where the browser puts it.
function limenVisible(element) {
  var box = element.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden";
}

function limenFields(root) {
  return Array.prototype.filter.call(
    root.querySelectorAll("form input, form select, form textarea"),
    function (field) {
      return field.type !== "hidden" && field.type !== "submit" && field.type !== "button" &&
        !field.disabled && !field.readOnly && !field.closest("[hidden]") && limenVisible(field);
    });
}

function limenStartingPoint(main) {
  var fields = limenFields(main);
  var invalid = fields.filter(function (field) { return field.getAttribute("aria-invalid") === "true"; })[0];
  if (invalid) { return invalid; }
  var summary = main.querySelector("[data-autofocus]");
  if (summary) { return summary; }
  var first = fields.filter(function (field) { return !field.closest("[data-no-autofocus]"); })[0];
  if (!first) { return null; }
  var named = first.form && first.form.dataset.focus && first.form.elements[first.form.dataset.focus];
  if (named && named.nodeType === 1 && fields.indexOf(named) >= 0) { return named; }
  if (first.type === "radio") {  // a group of choices: the one chosen, as Tab would reach it
    var chosen = fields.filter(function (field) { return field.name === first.name && field.checked; })[0];
    return chosen || first;
  }
  return first;
}

function limenFocusStart() {
  var main = document.getElementById("main");
  if (!main || location.hash) { return; }
  if (document.activeElement && document.activeElement !== document.body && document.activeElement !== main) {
    return;
  }
  var start = limenStartingPoint(main);
  if (start) { start.focus(); }
}

document.addEventListener("DOMContentLoaded", function () {
  limenFocusStart();
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
