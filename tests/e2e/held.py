"""The web app's waiting, seen and steered from a browser test.

``Held(page)`` wraps what the app waits for (``fetch``, a response's body, IndexedDB, WebCrypto, storage
persistence, WebAuthn) so that the test can:

- hold the calls it names until it lets them go: ``hold(pattern)``, a regular expression over
  ``"METHOD URL"`` for a fetch or ``"crypto.METHOD ALGORITHM"`` for WebCrypto (``"crypto.digest SHA-1"``);
  ``held()`` counts the calls that matched, ``release()`` lets them (and later ones) go;
- know when the app has done all it does with an answer: ``settled()`` waits until the held calls were
  let go and nothing the app waits for is in flight any more. Each wrapper counts its call as finished
  before the app's own code goes on from it (in the same task), so a page that is seen with nothing in
  flight has drawn whatever it was going to draw. That is what lets a test say "this screen was not
  drawn" without guessing a delay.

The live channel's long poll (``challenges/wait``) always waits: it is not counted.
"""

from __future__ import annotations

_WATCH = r"""(pattern) => {
  if (!window.__held) {
    const state = window.__held = { busy: 0, matched: [], pattern: null, released: true,
                                    gate: Promise.resolve(), open: () => {} };
    const track = (promise) => {
      state.busy += 1;
      const done = () => { state.busy -= 1; };
      promise.then(done, done);  // registered before the caller's own reaction: counted first
      return promise;
    };
    const gated = (key, call) => {
      if (!state.pattern || !state.pattern.test(key)) return track(call());
      state.matched.push(key);
      const gate = state.gate;
      return track(gate.then(call));
    };
    const fetch = window.fetch;
    window.fetch = function (input, init) {
      const url = String(input instanceof Request ? input.url : input);
      const method = ((init && init.method) || (input instanceof Request ? input.method : "GET")).toUpperCase();
      if (url.includes("/challenges/wait")) return fetch.call(this, input, init);
      return gated(`${method} ${url}`, () => fetch.call(this, input, init));
    };
    for (const name of ["json", "text", "arrayBuffer"]) {
      const read = Response.prototype[name];
      Response.prototype[name] = function (...args) { return track(read.apply(this, args)); };
    }
    const subtle = SubtleCrypto.prototype;
    for (const name of ["digest", "sign", "verify", "importKey", "exportKey", "generateKey"]) {
      const call = subtle[name];
      subtle[name] = function (algorithm, ...args) {
        const algo = name === "importKey" || name === "exportKey" ? "" : (algorithm && algorithm.name) || algorithm;
        return gated(`crypto.${name} ${algo}`, () => call.call(this, algorithm, ...args));
      };
    }
    // IndexedDB answers by events: an open or a transaction is in flight until its last event.
    const events = (target, names) => {
      state.busy += 1;
      let over = false;
      const done = () => { if (!over) { over = true; state.busy -= 1; } };
      for (const name of names) target.addEventListener(name, done);
      return target;
    };
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (...args) { return events(open.apply(this, args), ["success", "error"]); };
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (...args) {
      return events(transaction.apply(this, args), ["complete", "error", "abort"]);
    };
    if (window.StorageManager && StorageManager.prototype.persist) {
      const persist = StorageManager.prototype.persist;
      StorageManager.prototype.persist = function () { return track(persist.call(this)); };
    }
    if (window.PublicKeyCredential && PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable) {
      const available = PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable;
      PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable = function () {
        return track(available.call(this));
      };
    }
    for (const name of ["create", "get"]) {
      const call = CredentialsContainer.prototype[name];
      CredentialsContainer.prototype[name] = function (...args) { return track(call.apply(this, args)); };
    }
  }
  const state = window.__held;
  state.open();  // what an earlier hold() kept goes on
  state.pattern = pattern ? new RegExp(pattern) : null;
  state.matched = [];
  state.released = !pattern;
  state.gate = pattern ? new Promise((resolve) => { state.open = resolve; }) : Promise.resolve();
}"""


class Held:
    """The app's page, watched (see the module's docstring). Installed on the page as it is now: a reload
    removes it."""

    def __init__(self, page):
        self.page = page
        page.evaluate(_WATCH, None)

    def hold(self, pattern: str) -> None:
        """From now on, the calls matching ``pattern`` wait for ``release()``; counted by ``held()``."""
        self.page.evaluate(_WATCH, pattern)

    def held(self) -> list[str]:
        """The calls that matched since ``hold()`` (held, or let go by ``release()``)."""
        return self.page.evaluate("() => window.__held.matched")

    def wait_held(self, count: int = 1) -> None:
        self.page.wait_for_function("(count) => window.__held.matched.length >= count", arg=count)

    def release(self) -> None:
        self.page.evaluate("() => { window.__held.released = true; window.__held.open(); }")

    def settled(self) -> None:
        """Until the held calls were let go and the app waits for nothing any more (it has drawn what it
        was going to draw)."""
        self.page.wait_for_function("() => window.__held.released && window.__held.busy === 0")
