// One account in the app: its state on the server (locked?), rename the device, notifications, unlock
// with biometrics, "Forgot PIN code", unlink.

import * as api from "./api.js";
import { decode, encode } from "./b64.js";
import { ctx, here, sameOrigin, who } from "./ctx.js";
import { gettext, interpolate } from "./i18n.js";
import * as protocol from "./protocol.js";
import * as store from "./store.js";
import { button, el, errorMessage, field, hostOf, notice, pinInput, screen, showError } from "./ui.js";
import * as webauthn from "./webauthn.js";

// Web Push for every account of this app's own server (a subscription belongs to one server's key).
export async function enableNotifications() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !ctx.config.vapid_public_key) {
    throw new Error(gettext("This browser cannot receive notifications from this app. Keep the app open to see requests."));
  }
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    throw new Error(gettext("Notifications are blocked. Allow them for this site in the browser's settings."));
  }
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: decode(ctx.config.vapid_public_key) });
  }
  const { endpoint, keys } = subscription.toJSON();
  for (const account of (await store.all()).filter(sameOrigin)) {
    await api.call(who(account), "PUT", "device/push", { endpoint, keys });
    await store.put({ ...account, push: true });
  }
}

export function lockedScreen(account) {
  screen(gettext("This device is locked"),
    notice("warning", gettext("A wrong PIN code was typed too many times, so this device cannot approve sign-ins or make one-time passwords.")),
    el("p", { text: gettext("On a computer, sign in to the website with another verification method, open My Account → “Manage my mobile devices” and choose “Forgot PIN code” for this device: you choose a new PIN code and scan a QR code here. Or ask your support desk to unlock the device.") }),
    el("div", { class: "stack" }, button(gettext("Forgot PIN code"), () => ctx.go(`#forgot=${account.id}`), { kind: "primary" }),
      button(gettext("Back"), () => ctx.go("#home"))));
}

export async function accountScreen(id) {
  const stay = here();
  const account = await store.get(id);
  if (!stay()) return;
  if (!account) return ctx.go("#home");
  const state = el("div", { role: "status", "aria-live": "polite" });
  const problem = el("div", { hidden: true });
  const bio = sameOrigin(account) && await webauthn.available();
  if (!stay()) return;
  screen(account.email,
    el("dl", { class: "details" },
      el("dt", { text: gettext("Name") }), el("dd", { text: account.name || "—" }),
      el("dt", { text: gettext("Server") }), el("dd", { text: hostOf(account.server) }),
      el("dt", { text: gettext("This device") }), el("dd", { text: account.deviceName })),
    state, problem,
    el("div", { class: "stack" },
      button(gettext("Rename this device"), () => renameScreen(account)),
      sameOrigin(account) ? button(account.push ? gettext("Notifications are on: renew") : gettext("Turn on notifications"), async () => {
        try { await enableNotifications(); state.replaceChildren(notice("success", gettext("Notifications are on."))); }
        catch (error) { problem.hidden = false; problem.replaceChildren(notice("error", error.message || errorMessage(error), { alert: true })); }
      }) : null,
      bio ? button(account.biometric ? gettext("Stop unlocking with fingerprint or face") : gettext("Unlock with fingerprint or face"),
        () => (account.biometric ? biometricOff(account, problem) : biometricScreen(account))) : null,
      button(gettext("Forgot PIN code"), () => ctx.go(`#forgot=${account.id}`)),
      button(gettext("Unlink this device"), () => unlinkScreen(account), { kind: "danger" }),
      button(gettext("Back"), () => ctx.go("#home"))));
  try {
    const device = await api.call(who(account), "GET", "device");
    if (device.locked) {
      state.replaceChildren(notice("warning", gettext("This device is locked after too many wrong PIN codes. Choose “Forgot PIN code”, or ask your support desk to unlock it.")));
    } else if (device.name !== account.deviceName) {
      await store.put({ ...account, deviceName: device.name });
    }
  } catch (error) {
    if (error.code === "unknown_device") {
      state.replaceChildren(notice("warning", gettext("This device is no longer linked to the account (it was removed on the website, or with PANIC). Unlink it here too, then add it again if you want.")));
    } else if (!(error instanceof api.NetworkError)) {
      showError(problem, error);
    }
  }
}

function renameScreen(account) {
  const input = el("input", { type: "text", maxlength: "50", value: account.deviceName, autocomplete: "off" });
  const problem = el("div", { hidden: true });
  screen(gettext("Rename this device"), problem, el("form", { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name) { problem.hidden = false; problem.replaceChildren(notice("error", gettext("Give the device a name."), { alert: true })); return; }
    const stay = here();
    try {
      await api.call(who(account), "PATCH", "device", { name });
      await store.put({ ...account, deviceName: name });
      if (stay()) accountScreen(account.id);
    } catch (error) { showError(problem, error); }
  } }, field(gettext("New name"), input), el("div", { class: "actions" },
    el("button", { type: "submit", class: "primary", text: gettext("Save") }),
    button(gettext("Cancel"), () => accountScreen(account.id)))));
}

function unlinkScreen(account) {
  const problem = el("div", { hidden: true });
  screen(gettext("Unlink this device?"),
    el("p", { text: interpolate(gettext("The app forgets the account %(email)s, and the website removes this device. You can add it again later."), { email: account.email }) }),
    problem, el("div", { class: "actions" },
      button(gettext("Unlink"), async () => {
        const stay = here();
        try {
          await api.call(who(account), "DELETE", "device");
        } catch (error) {
          if (error.code !== "unknown_device") { showError(problem, error); return; }
        }
        await store.remove(account.id);
        if (stay()) ctx.go("#home"); else ctx.onAccountsChange();
      }, { kind: "primary" }),
      button(gettext("Cancel"), () => accountScreen(account.id))));
}

function biometricScreen(account) {
  const pin = pinInput();
  const problem = el("div", { hidden: true });
  screen(gettext("Unlock with fingerprint or face"),
    el("p", { text: gettext("Approve sign-ins with your fingerprint or face instead of typing the PIN code. The PIN code still works, and is needed once now.") }),
    problem, el("form", { novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      if (!protocol.validPin(pin.input.value)) { problem.hidden = false; problem.replaceChildren(notice("error", gettext("Type your 4-digit PIN code."), { alert: true })); return; }
      const stay = here();
      try {
        const credential = await webauthn.create(account, await protocol.biometricRegistrationChallenge(account.deviceId));
        const proof = await protocol.proofFromPin(account.secretKey, pin.input.value,
          protocol.contexts.biometric(account.deviceId, credential.rawId));
        await api.call(who(account), "PUT", "device/biometric", { credential, pin_proof: encode(proof) });
        await store.put({ ...account, biometric: { credentialId: credential.rawId } });
        if (stay()) accountScreen(account.id);
      } catch (error) { showError(problem, error); }
    } }, pin.node, el("div", { class: "actions" },
      el("button", { type: "submit", class: "primary", text: gettext("Turn on") }),
      button(gettext("Cancel"), () => accountScreen(account.id)))));
}

async function biometricOff(account, problem) {
  const stay = here();
  try {
    await api.call(who(account), "DELETE", "device/biometric");
  } catch (error) {
    if (error.code !== "unknown_device") { showError(problem, error); return; }
  }
  await store.put({ ...account, biometric: null });
  if (stay()) accountScreen(account.id);
}

export async function forgotScreen(id) {
  const stay = here();
  const account = await store.get(id);
  if (!stay()) return;
  if (!account) return ctx.go("#home");
  screen(gettext("Forgot PIN code"),
    el("ol", { class: "prose steps" },
      el("li", { text: interpolate(gettext("On a computer, sign in to %(server)s with another verification method (another device, a security key, a recovery code…)."), { server: hostOf(account.server) }) }),
      el("li", { text: interpolate(gettext("Open My Account → “Manage my mobile devices” and choose “Forgot PIN code” next to “%(name)s”. Choose a new PIN code there."), { name: account.deviceName }) }),
      el("li", { text: gettext("Scan the QR code it shows here, and type the new PIN code twice. The app makes new keys for this device.") })),
    el("div", { class: "stack" }, button(gettext("Scan the QR code"), () => ctx.go("#add"), { kind: "primary" }),
      button(gettext("Back"), () => accountScreen(account.id))));
}
