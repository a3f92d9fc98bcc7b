// Security keys, trusted platforms and passkeys (WebAuthn). Loaded only on the pages that use them.
// The server renders the options (or gives them as JSON) and verifies the answer; this script only
// carries them between the page and the browser's WebAuthn API, then submits an ordinary form.
(function () {
  "use strict";

  function toBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(json) {
    var o = JSON.parse(JSON.stringify(json));
    o.challenge = toBytes(o.challenge);
    o.user.id = toBytes(o.user.id);
    (o.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return o;
  }

  function requestOptions(json) {
    var o = JSON.parse(JSON.stringify(json));
    o.challenge = toBytes(o.challenge);
    (o.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return o;
  }

  function credentialJSON(credential) {
    var r = credential.response, out = {
      id: credential.id, rawId: toB64url(credential.rawId), type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      out.response.userHandle = r.userHandle ? toB64url(r.userHandle) : null;
    }
    return JSON.stringify(out);
  }

  function messageFor(box, error) {
    var name = error && error.name;
    if (name === "InvalidStateError") { return box.dataset.msgRegistered; }
    if (name === "NotAllowedError" || name === "AbortError") { return box.dataset.msgCancelled; }
    if (name === "SecurityError") { return box.dataset.msgSecurity; }
    if (name === "NotSupportedError") { return box.dataset.msgUnsupported; }
    return box.dataset.msgFailed;
  }

  function showError(box, text) {
    var target = box.querySelector("[data-webauthn-error]");
    var status = box.querySelector("[data-webauthn-status]");
    if (status) { status.textContent = ""; }
    if (target) {
      target.textContent = text;
      target.hidden = false;
      target.focus();
    }
  }

  function setBusy(box, busy) {
    var button = box.querySelector("[data-webauthn-start]");
    var status = box.querySelector("[data-webauthn-status]");
    if (button) { button.disabled = busy; }
    if (status) { status.textContent = busy ? box.dataset.msgWaiting : ""; }
    if (busy) {
      var target = box.querySelector("[data-webauthn-error]");
      if (target) { target.hidden = true; }
    }
  }

  function submitAnswer(box, credential) {
    var form = box.querySelector("form[data-webauthn-form]");
    form.querySelector("input[name=response]").value = credentialJSON(credential);
    form.submit();
  }

  function supported() {
    return typeof window.PublicKeyCredential === "function" && navigator.credentials;
  }

  // Registration and second factor: the options are in the page.
  function ceremonyPage(box) {
    var mode = box.dataset.webauthn;
    var options = JSON.parse(document.getElementById("webauthn-options").textContent);
    var button = box.querySelector("[data-webauthn-start]");
    if (!supported()) {
      showError(box, box.dataset.msgUnsupported);
      button.disabled = true;
      return;
    }
    button.addEventListener("click", function () {
      setBusy(box, true);
      var call = mode === "create"
        ? navigator.credentials.create({ publicKey: creationOptions(options) })
        : navigator.credentials.get({ publicKey: requestOptions(options) });
      call.then(function (credential) {
        if (!credential) { throw new Error("no credential"); }
        submitAnswer(box, credential);
      }).catch(function (error) {
        setBusy(box, false);
        showError(box, messageFor(box, error));
      });
    });
  }

  // Passkey on the sign-in page: a button, and the browser's autofill where it offers passkeys.
  function passkeyPage(box) {
    var button = box.querySelector("[data-webauthn-start]");
    var form = box.querySelector("form[data-webauthn-form]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var pendingAutofill = null;
    if (!supported()) { return; }
    box.hidden = false;

    function fetchOptions() {
      return fetch(box.dataset.optionsUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": token, "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw { name: "ServerError", message: data.error }; }
          return data;
        });
      });
    }

    function startAutofill() {
      if (!PublicKeyCredential.isConditionalMediationAvailable) { return; }
      PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
        if (!available) { return; }
        var controller = new AbortController();
        pendingAutofill = controller;
        fetchOptions().then(function (options) {
          return navigator.credentials.get({
            publicKey: requestOptions(options), mediation: "conditional", signal: controller.signal
          });
        }).then(function (credential) {
          if (credential) { submitAnswer(box, credential); }
        }).catch(function () { /* aborted, or dismissed: the button and the password still work */ });
      }).catch(function () {});
    }

    button.addEventListener("click", function () {
      if (pendingAutofill) { pendingAutofill.abort(); pendingAutofill = null; }
      setBusy(box, true);
      fetchOptions().then(function (options) {
        return navigator.credentials.get({ publicKey: requestOptions(options) });
      }).then(function (credential) {
        if (!credential) { throw new Error("no credential"); }
        submitAnswer(box, credential);
      }).catch(function (error) {
        setBusy(box, false);
        showError(box, error && error.name === "ServerError" ? error.message : messageFor(box, error));
      });
    });
    startAutofill();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-webauthn]").forEach(function (box) {
      if (box.dataset.webauthn === "passkey") { passkeyPage(box); } else { ceremonyPage(box); }
    });
  });
})();
