// "Copy" buttons: <button data-copy-from="ID" data-copied-message="…" hidden> copies the value of the
// field ID, and says so in the nearest [data-copy-status] live region. Without JavaScript or a
// clipboard the button stays hidden and the text can still be selected in its (read-only) field.
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  document.querySelectorAll("button[data-copy-from]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    if (!field) { return; }
    var status = button.closest(".copy-field") && button.closest(".copy-field").querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied-message") || ""; }
      }, function () {
        field.focus();
        field.select();  // the clipboard was refused: the text is selected, ready for the person to copy
      });
    });
  });
});
