// Adding an account (scan or paste, the PIN chosen on the website, twice) and the offline one-time
// password (scan, PIN, code in large digits).

import * as api from "./api.js";
import { encode } from "./b64.js";
import { ctx, here, untilLeft, who } from "./ctx.js";
import { gettext, interpolate } from "./i18n.js";
import * as keys from "./keys.js";
import * as ocra from "./ocra.js";
import * as protocol from "./protocol.js";
import * as scanner from "./scanner.js";
import * as store from "./store.js";
import { button, el, errorMessage, field, hostOf, notice, pinInput, screen, showError, status } from "./ui.js";
import { enableNotifications } from "./settings.js";

// A QR code reader with a paste box below it: ``use(text)`` throws a PayloadError for codes that are
// not the expected kind (shown, and the camera keeps looking).
function reader({ intro, pasteLabel, use }) {
  const problem = el("div", { hidden: true });
  const video = el("video", { "aria-label": gettext("Camera view") });
  const view = el("div", { class: "scanner", hidden: true }, video);
  let controller = null;
  const stop = () => { if (controller) controller.abort(); controller = null; view.hidden = true; };
  const paste = el("textarea", { rows: "4", class: "code-text", spellcheck: "false", autocomplete: "off" });
  const attempt = async (text) => {
    try {
      await use(text);
      stop();
      return true;
    } catch (error) {
      showError(problem, error);
      return false;
    }
  };
  const scanButton = button(gettext("Scan the QR code"), async () => {
    problem.hidden = true;
    stop();  // a second tap starts again, with one camera
    const mine = controller = new AbortController();
    // Leaving the screen (back, a notification, the home button) turns the camera off: it must not keep
    // filming, nor act on a code it sees later, behind another screen.
    untilLeft().addEventListener("abort", stop, { once: true, signal: mine.signal });
    view.hidden = false;
    try {
      await scanner.scan(video, { accept: attempt, signal: mine.signal });
    } catch (error) {
      if (error.code === "cancelled" || controller !== mine) return;  // stopped (stop() hid the view) or replaced
      view.hidden = true;
      showError(problem, error);
      paste.focus();
    }
  }, { kind: "primary" });
  const form = el("form", { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    problem.hidden = true;
    await attempt(paste.value);
  } }, field(pasteLabel, paste, gettext("The website shows the same as text below the QR code.")),
  el("div", { class: "actions" }, el("button", { type: "submit", class: "secondary", text: gettext("Continue") })));
  return [el("p", { text: intro }), problem, view, el("div", { class: "stack" }, scanButton), form,
    el("p", {}, button(gettext("Cancel"), () => { stop(); ctx.go("#home"); }))];
}

// --- adding an account ---------------------------------------------------------------------------

export function enrolScreen(prefilled) {
  const use = (text) => {
    const payload = protocol.parseEnrolment(text);
    if (!protocol.secureServer(payload.server)) throw new protocol.PayloadError("insecure");
    confirmServer(payload);
  };
  if (prefilled) {
    try { use(prefilled); return; } catch (error) {
      screen(gettext("Add an account"), notice("error", errorMessage(error), { alert: true }),
        ...reader({ intro: gettext("Scan the QR code again, or paste its text."), pasteLabel: gettext("The QR code as text"), use }));
      return;
    }
  }
  screen(gettext("Add an account"), ...reader({
    intro: gettext("On a computer, sign in to your account's website and open My Account, then “Manage my mobile devices” and “Add a mobile device”. Choose a name and a 4-digit PIN code there. Then scan the QR code it shows."),
    pasteLabel: gettext("Or paste the QR code as text"), use,
  }));
}

function confirmServer(payload) {
  const other = new URL(payload.server).origin !== window.location.origin;
  const problem = el("div", { hidden: true });
  const go = button(gettext("Add the account"), async () => {
    go.disabled = true;
    problem.hidden = true;
    try {
      // Shown even if the person went elsewhere meanwhile: the server has spent the QR code, and this
      // screen is the only way to finish adding the account.
      const { account, data } = await scanned(payload);
      askEnrolmentPin(account, data);
    } catch (error) {
      showError(problem, error);
      go.disabled = false;
    }
  }, { kind: "primary" });
  screen(gettext("Add this account?"),
    el("dl", { class: "details" }, el("dt", { text: gettext("Server") }), el("dd", { text: hostOf(payload.server) })),
    other ? notice("warning", gettext("This code is for another server than the one this app comes from. Add it only if you started adding a device on that server's website yourself.")) : null,
    problem, el("div", { class: "actions" }, go, button(gettext("Cancel"), () => ctx.go("#home"))));
}

async function scanned(payload) {
  const pair = await keys.generate();
  const publicKey = await keys.publicKey(pair);
  const fresh = { server: payload.server, privateKey: pair.privateKey };
  const data = await api.call(fresh, "POST", "enrolments",
    { token: payload.token, public_key: publicKey, algorithm: protocol.KEY_ALGORITHM, app: "Limen web app" });
  if (data.ocra_suite !== protocol.OCRA_SUITE) throw new protocol.PayloadError("version");
  const secretKey = await protocol.importDeviceSecret(protocol.decode(data.device_secret, 32));
  const account = {
    id: store.newId(), server: payload.server, deviceId: data.device_id, deviceName: data.device_name,
    email: data.account.email, name: data.account.name, hint: data.account.hint, siteName: data.site_name || "Limen",
    ocraSuite: data.ocra_suite, privateKey: pair.privateKey, publicKey, secretKey, biometric: null, push: false,
    added: Date.now(),
  };
  return { account, data };
}

function askEnrolmentPin(account, data) {
  const first = pinInput(gettext("The PIN code you chose on the website"));
  const second = pinInput(gettext("The same PIN code again"));
  const problem = el("div", { hidden: true });
  const form = el("form", { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    problem.hidden = true;
    if (!protocol.validPin(first.input.value) || first.input.value !== second.input.value) {
      problem.replaceChildren(notice("error", gettext("Type the same 4 digits twice."), { alert: true }));
      problem.hidden = false;
      return;
    }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    const stay = here();
    try {
      const proof = await protocol.proofFromPin(account.secretKey, first.input.value, protocol.contexts.enrolment(account.deviceId));
      await api.call(who(account), "POST", "enrolments/confirm", { enrolment_id: data.enrolment_id, pin_proof: encode(proof) });
    } catch (error) {
      submit.disabled = false;
      showError(problem, error);
      if (error.code === "pin_mismatch" && !error.data.attempts_left && stay()) ctx.go("#home");
      return;
    }
    // The server has the device now: the account is kept even if the person went elsewhere meanwhile.
    if (data.replaces) {
      for (const old of await store.all()) {
        if (old.server === account.server && old.deviceId === data.replaces) await store.remove(old.id);
      }
    }
    await store.put(account);
    await store.persist();
    localStorage.setItem("limen-app:current", account.id);
    if (stay()) done(account, Boolean(data.replaces)); else ctx.onAccountsChange();
  } }, el("p", { text: interpolate(gettext("Account %(email)s on %(server)s. Type the PIN code you chose on the website, twice."),
    { email: account.email, server: hostOf(account.server) }) }), problem, first.node, second.node,
  el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", text: gettext("Authenticate") })));
  screen(gettext("Type your PIN code"), form);
}

function done(account, rekeyed) {
  const result = el("div");
  screen(rekeyed ? gettext("Your new PIN code works") : gettext("Your account is ready"),
    notice("success", rekeyed ? gettext("The app now uses your new PIN code.")
      : gettext("This app can now confirm that it is you when you sign in. The website has noticed by itself.")),
    el("p", { text: gettext("Turn on notifications so that sign-in requests reach you even when the app is closed.") }),
    result,
    el("div", { class: "stack" },
      button(gettext("Turn on notifications"), async () => {
        try { await enableNotifications(); result.replaceChildren(notice("success", gettext("Notifications are on."))); }
        catch (error) { result.replaceChildren(notice("error", error.message || errorMessage(error), { alert: true })); }
      }),
      button(gettext("Continue"), () => ctx.go("#home"), { kind: "primary" })));
}

// --- one-time password ---------------------------------------------------------------------------

export async function otpScreen() {
  const stay = here();
  const accounts = await store.all();
  if (!stay()) return;
  const use = (text) => {
    const payload = protocol.parseOtp(text);
    const account = accounts.find((a) => a.server === payload.server && a.hint === payload.account);
    if (!account) throw new protocol.PayloadError("unknown_account");
    otpPin(account, payload);
  };
  screen(gettext("One-time password"), ...reader({
    intro: gettext("Choose “Mobile app QR code” on the sign-in page, then scan the QR code it shows. This works without a network connection."),
    pasteLabel: gettext("Or paste the QR code as text"), use,
  }));
}

function otpPin(account, payload) {
  const pin = pinInput();
  const problem = el("div", { hidden: true });
  const form = el("form", { novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    if (!protocol.validPin(pin.input.value)) {
      problem.hidden = false;
      problem.replaceChildren(notice("error", gettext("Type your 4-digit PIN code."), { alert: true }));
      return;
    }
    const stay = here();
    const code = await ocra.compute(account.ocraSuite, account.secretKey,
      { question: payload.challenge, pinHash: await protocol.ocraPinHash(pin.input.value) });
    pin.input.value = "";
    if (!stay()) return;
    screen(gettext("Your one-time password"),
      el("p", { text: gettext("Type this code on the sign-in page, in “Code generated by your app”.") }),
      el("p", { class: "otp-code", "aria-label": code.split("").join(" "), text: code.slice(0, 4) + " " + code.slice(4) }),
      el("p", { class: "help", text: gettext("If the PIN code was wrong, the code will not work: the website then counts a wrong PIN.") }),
      el("div", { class: "actions" }, button(gettext("Done"), () => ctx.go("#home"), { kind: "primary" })));
  } }, el("p", { text: interpolate(gettext("For %(email)s on %(server)s."), { email: account.email, server: hostOf(account.server) }) }),
  problem, pin.node, el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", text: gettext("Show the code") })));
  screen(gettext("Type your PIN code"), form);
}

export { status };
