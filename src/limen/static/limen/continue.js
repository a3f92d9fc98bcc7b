// Continue to the next site by itself (see limen/core/redirects.py); the link works without it.
document.addEventListener("DOMContentLoaded", function () {
  var link = document.querySelector("a[data-auto-continue]");
  if (link) { window.location.replace(link.href); }
});
