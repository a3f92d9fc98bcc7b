// Small progressive enhancements; every page works without JavaScript.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
});
