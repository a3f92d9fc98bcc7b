// Hands an "On Mobile" request to the web app on this phone: the secret goes into the storage the page shares
// with the app (same origin), never into the link, so a link sent by someone else cannot be approved.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var link = document.querySelector("[data-on-mobile-open]");
    if (!link) { return; }
    var id = link.getAttribute("data-request");
    try {
      window.localStorage.setItem("limen-app:handover:" + id, JSON.stringify({
        secret: link.getAttribute("data-handover"), server: link.getAttribute("data-server"),
        expires: Number(link.getAttribute("data-expires")) * 1000
      }));
    } catch (e) { /* storage refused: the app will say it was not handed the request */ }
    link.addEventListener("click", function (event) {
      // A window opened by this page can close itself once the app has answered.
      var opened = window.open(link.href, "limen-app");
      if (opened) { event.preventDefault(); }
    });
  });
})();
