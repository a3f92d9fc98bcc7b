// The proof of work of forms that send e-mails (see limen/core/pow.py): no puzzle for a
// person. As soon as the page is shown, Web Workers (pow-worker.js) look for the counter
// the challenge asks for; the answer goes into the hidden field "altcha". A form sent
// before the answer is found waits for it and is then sent by itself. Nothing leaves
// Limen: the challenge is in the page and the work is done in this browser.
(function () {
  "use strict";

  function toBase64(text) {
    return btoa(text); // the payload is plain ASCII JSON (hex strings and numbers)
  }

  function setUp(box) {
    var form = box.closest("form");
    var field = box.querySelector("input[name=altcha]");
    var status = box.querySelector("[data-pow-status]");
    var challenge = JSON.parse(box.getAttribute("data-pow-challenge"));
    var solved = false, failed = false, pending = null, workers = [];

    function say(state, text) {
      status.setAttribute("data-state", state);
      status.textContent = text;
    }

    function stop() {
      workers.forEach(function (worker) { worker.terminate(); });
      workers = [];
    }

    function fail() {
      if (solved || failed) { return; }
      failed = true;
      stop();
      say("failed", box.getAttribute("data-pow-failed"));
    }

    function found(solution) {
      if (solved) { return; }
      solved = true;
      stop();
      field.value = toBase64(JSON.stringify({challenge: challenge, solution: solution}));
      say("done", box.getAttribute("data-pow-done"));
      if (pending) {
        var submitter = pending;
        pending = null;
        if (form.requestSubmit) {
          form.requestSubmit(submitter instanceof HTMLElement ? submitter : undefined);
        } else {
          form.submit();
        }
      }
    }

    form.addEventListener("submit", function (event) {
      if (solved || failed) { return; } // a failed check is reported by the server's answer too
      event.preventDefault();
      pending = event.submitter || true;
      say("waiting", box.getAttribute("data-pow-waiting"));
    });

    if (!window.Worker || !window.crypto || !window.crypto.subtle) { fail(); return; }
    say("working", box.getAttribute("data-pow-working"));
    var count = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 4));
    for (var i = 0; i < count; i++) {
      var worker;
      try {
        worker = new Worker(box.getAttribute("data-pow-worker"));
      } catch (error) {
        fail();
        return;
      }
      worker.onmessage = function (event) {
        if (event.data && event.data.solution) { found(event.data.solution); }
        else if (event.data && event.data.error) { fail(); }
      };
      worker.onerror = fail;
      workers.push(worker);
      // Worker i tries the counters i, i + count, i + 2 * count, ...
      worker.postMessage({challenge: challenge, start: i, step: count});
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pow-challenge]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
