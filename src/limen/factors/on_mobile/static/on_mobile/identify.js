// "Use the app on this device" on the sign-in page: shown only when this browser holds the web app with an
// account of this server. The app keeps a list of its accounts (server and e-mail address, nothing secret)
// in the storage it shares with this page (same origin); one button per account of this server.
(function () {
  "use strict";
  var ACCOUNTS = "limen-app:accounts";

  function accountsHere(server) {
    try {
      var list = JSON.parse(window.localStorage.getItem(ACCOUNTS) || "[]");
      return Array.isArray(list) ? list.filter(function (a) { return a && a.server === server && a.email; }) : [];
    } catch (e) {
      return [];
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-on-mobile]");
    if (!box) { return; }
    var accounts = accountsHere(box.getAttribute("data-server"));
    if (!accounts.length) { return; }
    var template = box.querySelector("template[data-on-mobile-button]");
    var place = box.querySelector("[data-on-mobile-buttons]");
    accounts.forEach(function (account) {
      var button = template.content.firstElementChild.cloneNode(true);
      button.value = account.email;
      if (accounts.length > 1) { button.textContent += " (" + account.email + ")"; }
      place.appendChild(button);
    });
    box.hidden = false;
  });
})();
