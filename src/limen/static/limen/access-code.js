// The validation code in four boxes of three characters (access requests).
// Without JavaScript the page has one field, which the server reads; this script replaces it with four
// boxes that move to the next box when one is full, take one paste of the whole code (with or without
// dashes or spaces) into all four, and say which box holds a character codes never use. The boxes fill
// the original field (now hidden) that the form sends.
(function () {
  "use strict";
  var ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  var SEPARATORS = /[\s\-\u00a0]/g;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function clean(text) {
    return (text || "").toUpperCase().replace(SEPARATORS, "");
  }

  function setup(original) {
    var form = original.form;
    var count = parseInt(original.getAttribute("data-code-boxes"), 10) || 4;
    var size = parseInt(original.getAttribute("data-box-size"), 10) || 3;
    var field = original.closest("[data-code-field]");
    var label = field.querySelector("label[for='" + original.id + "']");
    var described = original.getAttribute("aria-describedby") || "";

    var group = document.createElement("fieldset");
    group.className = "code-boxes";
    var legend = document.createElement("legend");
    legend.textContent = label ? label.textContent : "";
    group.appendChild(legend);
    var message = document.createElement("p");
    message.className = "error code-box-message";
    message.id = original.id + "_box_message";
    message.setAttribute("aria-live", "polite");
    var row = document.createElement("div");
    row.className = "code-row";

    var boxes = [];
    for (var i = 0; i < count; i++) {
      if (i > 0) {
        var dash = document.createElement("span");
        dash.className = "dash";
        dash.setAttribute("aria-hidden", "true");
        dash.textContent = "–";
        row.appendChild(dash);
      }
      var box = document.createElement("input");
      box.type = "text";
      box.className = "code-box";
      box.id = i === 0 ? original.id : original.id + "_" + (i + 1);
      box.setAttribute("maxlength", String(size));
      box.setAttribute("autocomplete", i === 0 ? "one-time-code" : "off");
      box.setAttribute("autocapitalize", "characters");
      box.setAttribute("spellcheck", "false");
      box.setAttribute("inputmode", "text");
      box.setAttribute("aria-label", format(form.getAttribute("data-msg-box"),
        {box: i + 1, from: i * size + 1, to: (i + 1) * size}));
      box.setAttribute("aria-describedby", (described + " " + message.id).trim());
      boxes.push(box);
      row.appendChild(box);
    }
    group.appendChild(row);

    // The original field stays in the form, hidden, and carries the code the boxes hold. The legend
    // replaces its label; its help and error texts move into the group, after the legend.
    original.id = original.id + "_value";
    original.type = "hidden";
    original.removeAttribute("aria-describedby");
    field.insertBefore(group, label || original);
    if (label) { label.remove(); }
    Array.prototype.slice.call(field.querySelectorAll(".help, .error")).forEach(function (text) {
      if (text !== message) { group.insertBefore(text, row); }
    });
    group.appendChild(message);

    function sync() {
      original.value = boxes.map(function (b) { return b.value; }).join("-");
    }

    function badBox() {
      for (var i = 0; i < boxes.length; i++) {
        var value = boxes[i].value;
        for (var j = 0; j < value.length; j++) {
          if (ALPHABET.indexOf(value[j]) < 0) { return {index: i, character: value[j]}; }
        }
      }
      return null;
    }

    function showProblems() {
      var bad = badBox();
      boxes.forEach(function (b, i) {
        b.setAttribute("aria-invalid", bad && bad.index === i ? "true" : "false");
      });
      message.textContent = bad ? format(form.getAttribute("data-msg-character"),
        {box: bad.index + 1, character: bad.character}) : "";
      return bad;
    }

    // Spread characters over the boxes from box ``start`` on; returns the box to focus next.
    function fill(start, text) {
      var index = start;
      var rest = text;
      while (rest && index < boxes.length) {
        boxes[index].value = rest.slice(0, size);
        rest = rest.slice(size);
        index++;
      }
      sync();
      showProblems();
      var lastFilled = Math.max(index - 1, start);
      if (lastFilled + 1 < boxes.length && boxes[lastFilled].value.length === size) { return boxes[lastFilled + 1]; }
      return boxes[lastFilled];
    }

    boxes.forEach(function (box, i) {
      box.addEventListener("input", function () {
        var value = clean(box.value);
        if (value.length > size) {
          fill(i, value).focus();
          return;
        }
        box.value = value;
        sync();
        showProblems();
        if (value.length === size && i + 1 < boxes.length) { boxes[i + 1].focus(); }
      });
      box.addEventListener("paste", function (event) {
        var data = event.clipboardData || window.clipboardData;
        var text = clean(data ? data.getData("text") : "");
        if (!text) { return; }
        event.preventDefault();
        fill(i, text).focus();
      });
      box.addEventListener("keydown", function (event) {
        if (event.key === "Backspace" && box.value === "" && i > 0) {
          event.preventDefault();
          boxes[i - 1].focus();
          boxes[i - 1].value = boxes[i - 1].value.slice(0, -1);
          sync();
        } else if (event.key === "ArrowLeft" && box.selectionStart === 0 && i > 0) {
          boxes[i - 1].focus();
        } else if (event.key === "ArrowRight" && box.selectionStart === box.value.length && i + 1 < boxes.length) {
          boxes[i + 1].focus();
        }
      });
    });

    // What the server sent back (after a wrong code) goes into the boxes again.
    if (original.value) { fill(0, clean(original.value)); }
    var wrong = parseInt(form.getAttribute("data-wrong-box"), 10);
    if (wrong >= 1 && wrong <= boxes.length) {
      boxes[wrong - 1].setAttribute("aria-invalid", "true");
      boxes[wrong - 1].focus();
    }

    form.addEventListener("submit", function (event) {
      sync();
      var bad = showProblems();
      var short = boxes.findIndex(function (b) { return b.value.length !== size; });
      var allEmpty = boxes.every(function (b) { return b.value === ""; });
      if (bad) {
        event.preventDefault();
        boxes[bad.index].focus();
      } else if (short >= 0 && !allEmpty) {
        event.preventDefault();
        boxes[short].setAttribute("aria-invalid", "true");
        message.textContent = format(form.getAttribute("data-msg-short"), {box: short + 1});
        boxes[short].focus();
      } else if (allEmpty) {
        original.value = "";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var original = document.querySelector("input[data-code-boxes]");
    if (original && original.form) { setup(original); }
  });
})();
