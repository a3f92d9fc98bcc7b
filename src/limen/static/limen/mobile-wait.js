// Waits for the mobile app without reloading the page: long-polls a status URL
// and, when the awaited state arrives, submits the page's own "Continue" form
// (so the server finishes the step in a normal POST with its CSRF token).
// Other changes (expired, denied, failed) reload the page, which explains them.
// Without JavaScript the same "Continue" button does the job by hand.
(function () {
  "use strict";
  function start(box) {
    var url = box.getAttribute("data-status-url");
    var known = box.getAttribute("data-known") || "";
    var success = box.getAttribute("data-success");
    var form = document.getElementById(box.getAttribute("data-continue-form"));
    var message = box.querySelector("[data-wait-message]");
    var delay = 0;
    var done = false;

    function say(state) {
      var template = box.querySelector('template[data-message-for="' + state + '"]');
      if (template && message) { message.textContent = template.content.textContent.trim(); }
    }

    function finish(state) {
      done = true;
      say(state);
      if (state === success && form) {
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      } else {
        window.location.reload();
      }
    }

    function poll() {
      if (done) { return; }
      var request = new XMLHttpRequest();
      request.open("GET", url + (url.indexOf("?") < 0 ? "?" : "&") + "wait=20&known=" + encodeURIComponent(known));
      request.setRequestHeader("Accept", "application/json");
      request.timeout = 30000;
      request.onload = function () {
        if (done) { return; }  // the person left (Cancel) while this answer was on its way: no reload
        var state = null;
        if (request.status === 200) {
          try { state = JSON.parse(request.responseText).state; } catch (e) { state = null; }
        }
        if (state && state !== known) {
          if (state === success || ["expired", "denied", "failed", "cancelled", "none", "used"].indexOf(state) >= 0) {
            finish(state);
            return;
          }
          known = state;
          say(state);
        }
        delay = state ? 0 : Math.min(delay * 2 || 1000, 8000);
        window.setTimeout(poll, delay);
      };
      request.onerror = request.ontimeout = function () {
        if (done) { return; }
        delay = Math.min(delay * 2 || 1000, 8000);
        window.setTimeout(poll, delay);
      };
      request.send();
    }

    // The person is leaving (e.g. Cancel): an answer arriving meanwhile must not reload
    // the page over their navigation.
    document.addEventListener("submit", function (event) {
      if (event.target !== form) { done = true; }
    });

    if (known === success) { finish(known); } else { poll(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-mobile-wait]");
    for (var i = 0; i < boxes.length; i++) { start(boxes[i]); }
  });
})();
