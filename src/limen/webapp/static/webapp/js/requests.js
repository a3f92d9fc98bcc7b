// A sign-in request in the app: what asks (application, time, browser, network address), the number to
// match (picked among three, or typed), approve with the PIN or biometrics, or deny. And "On Mobile": the
// browser on this phone asks the app to sign the person in.

import * as api from "./api.js";
import { encode } from "./b64.js";
import { ctx, here, sameOrigin, who } from "./ctx.js";
import { gettext, interpolate } from "./i18n.js";
import * as protocol from "./protocol.js";
import { lockedScreen } from "./settings.js";
import * as store from "./store.js";
import { button, dateTime, el, errorMessage, hostOf, notice, pinInput, screen, showError, uid } from "./ui.js";
import * as webauthn from "./webauthn.js";

function details(data, account) {
  return el("dl", { class: "details" },
    el("dt", { text: gettext("Application") }), el("dd", { text: data.application }),
    el("dt", { text: gettext("Account") }), el("dd", { text: `${data.account || account.email} (${hostOf(account.server)})` }),
    el("dt", { text: gettext("When") }), el("dd", { text: dateTime(data.created) }),
    el("dt", { text: gettext("Browser") }), el("dd", { text: data.browser || "?" }),
    el("dt", { text: gettext("Network address (approximate place)") }), el("dd", { text: data.ip || "?" }));
}

function numberChoice(number) {
  const options = new Set([number]);
  while (options.size < 3) options.add(String(10 + Math.floor(Math.random() * 90)));
  const shuffled = [...options].sort(() => Math.random() - 0.5);
  const name = uid("number");
  const typed = el("input", { type: "text", inputmode: "numeric", maxlength: "2", autocomplete: "off", class: "pin-input" });
  const set = el("fieldset", { class: "numbers" }, el("legend", { text: gettext("Which number does the browser show?") }),
    ...shuffled.map((value) => {
      const id = uid("number");
      return el("div", { class: "number-choice" }, el("input", { type: "radio", name, value, id }), el("label", { for: id, text: value }));
    }));
  const typedId = uid("typed");
  typed.id = typedId;
  const node = el("div", {}, set, el("div", { class: "field" },
    el("label", { for: typedId, text: gettext("Or type the number") }), typed));
  return { node, value: () => typed.value.trim() || (set.querySelector("input:checked") || {}).value || "" };
}

function clearRequest(id) {
  ctx.pending.delete(id);
  ctx.onPendingChange();
  if (navigator.serviceWorker && navigator.serviceWorker.ready) {
    navigator.serviceWorker.ready.then((r) => r.getNotifications({ tag: id })).then((list) => list.forEach((n) => n.close()))
      .catch(() => {});
  }
}

function answered(title, text) {
  screen(title, notice("success", text), el("div", { class: "actions" }, button(gettext("Back"), () => ctx.go("#home"), { kind: "primary" })));
}

function gone(text) {
  screen(gettext("Nothing to approve"), notice("warning", text || gettext("This sign-in request was already answered, has expired or was replaced by a newer one. Nothing was changed.")),
    el("div", { class: "actions" }, button(gettext("Back"), () => ctx.go("#home"), { kind: "primary" })));
}

// Approve/deny controls shared by both kinds of request. ``send(body)`` posts the answer; ``onApproved(shown)``
// and ``onDenied(shown)`` follow it, ``shown`` false when the person went elsewhere meanwhile.
function answerForm({ account, context, withNumber, send, onApproved, onDenied }) {
  const pin = pinInput();
  const problem = el("div", { hidden: true });
  const number = withNumber ? numberChoice(withNumber) : null;
  // The answer is sent whatever happens; what comes back is shown only if the person is still here.
  const approve = async (useBiometric) => {
    const stay = here();
    problem.hidden = true;
    const picked = number ? number.value() : null;
    if (number && !/^[0-9]{2}$/.test(picked)) {
      problem.hidden = false;
      problem.replaceChildren(notice("error", gettext("Choose the number that the browser shows, or type it."), { alert: true }));
      return;
    }
    try {
      const body = { decision: "approve" };
      if (number) body.number = picked;
      const ctxBytes = context(picked);
      if (useBiometric) {
        body.assertion = await webauthn.get(account, await protocol.assertionChallenge(ctxBytes));
      } else {
        if (!protocol.validPin(pin.input.value)) {
          problem.hidden = false;
          problem.replaceChildren(notice("error", gettext("Type your 4-digit PIN code."), { alert: true }));
          return;
        }
        body.pin_proof = encode(await protocol.proofFromPin(account.secretKey, pin.input.value, ctxBytes));
      }
      pin.input.value = "";
      await send(body);
      onApproved(stay());
    } catch (error) {
      if (!stay()) return;
      if (error.code === "device_locked") return lockedScreen(account);
      if (error.code === "challenge_answered" || error.code === "challenge_expired" || error.code === "challenge_not_found") {
        return gone(error.message);
      }
      showError(problem, error);
      if (error.code === "number_mismatch") {
        problem.append(notice("warning", gettext("If you did not try to sign in yourself, deny the request.")));
      }
    }
  };
  const deny = async () => {
    const stay = here();
    try {
      const body = { decision: "deny" };
      if (number) body.number = withNumber;
      await send(body);
      onDenied(stay());
    } catch (error) {
      if (!stay()) return;
      if (["challenge_answered", "challenge_expired", "challenge_not_found"].includes(error.code)) return gone(error.message);
      showError(problem, error);
    }
  };
  const bio = account.biometric && sameOrigin(account);
  return el("form", { novalidate: true, onsubmit: (event) => { event.preventDefault(); approve(false); } },
    number ? number.node : null, problem, pin.node,
    el("div", { class: "stack" },
      el("button", { type: "submit", class: "primary", text: gettext("Approve") }),
      bio ? button(gettext("Approve with fingerprint or face"), () => approve(true)) : null,
      button(gettext("Deny"), deny, { kind: "danger" })));
}

export async function requestScreen(deviceId, requestId) {
  const stay = here();
  const account = (await store.all()).find((a) => a.deviceId === deviceId);
  if (!stay()) return;
  if (!account) return gone(gettext("This request is for an account that is not in this app."));
  screen(gettext("Sign-in request"), el("p", { role: "status", text: gettext("Loading…") }));
  let data;
  try {
    const list = await api.call(who(account), "GET", "challenges");
    data = list.challenges.find((c) => c.id === requestId);
  } catch (error) {
    if (!stay()) return;
    if (error.code === "device_locked") return lockedScreen(account);
    return screen(gettext("Sign-in request"), notice("error", errorMessage(error), { alert: true }),
      el("div", { class: "actions" }, button(gettext("Try again"), () => requestScreen(deviceId, requestId), { kind: "primary" }),
        button(gettext("Back"), () => ctx.go("#home"))));
  }
  if (!stay()) return;
  if (!data) { clearRequest(requestId); return gone(); }
  screen(gettext("Sign-in request"),
    el("p", { text: gettext("Someone is signing in to your account. Approve only if it is you and the browser shows the same number.") }),
    details(data, account),
    answerForm({
      account, withNumber: data.number,
      context: (picked) => protocol.contexts.answer(data.id, "approve", picked),
      send: (body) => api.call(who(account), "POST", `challenges/${data.id}/answer`, body),
      onApproved: (shown) => {
        clearRequest(data.id);
        if (shown) answered(gettext("Approved"), gettext("Your browser goes on by itself."));
      },
      onDenied: (shown) => {
        clearRequest(data.id);
        if (shown) answered(gettext("Denied"), gettext("The sign-in was refused and recorded as a security event. If it was not you, change your password."));
      },
    }));
}

export async function onMobileScreen(requestId) {
  const handover = store.takeHandover(requestId);
  if (!handover) {
    return gone(gettext("This request was not started in this browser. On this phone, open the sign-in page and choose “Use the app on this device” there."));
  }
  const stay = here();
  const accounts = (await store.all()).filter((a) => a.server === handover.server);
  if (!stay()) return;
  screen(gettext("Sign in on this device"), el("p", { role: "status", text: gettext("Loading…") }));
  let account = null, data = null, failure = null;
  for (const candidate of accounts) {
    if (!stay()) return;  // left: the next servers are not asked
    try {
      data = await api.call(who(candidate), "GET", `on-mobile/${requestId}`);
      account = candidate;
      break;
    } catch (error) {
      failure = error;
      if (error.code === "device_locked") return stay() ? lockedScreen(candidate) : undefined;
    }
  }
  if (!stay()) return;
  if (!account) {
    return failure && !["challenge_not_found"].includes(failure.code) ? gone(errorMessage(failure)) : gone();
  }
  const finished = (shown, title, text) => {
    store.dropHandover(requestId);
    if (!shown) return;
    screen(title, notice("success", text), el("div", { class: "stack" },
      button(gettext("Back to the browser"), () => { window.close(); }, { kind: "primary" }),
      button(gettext("Stay in the app"), () => ctx.go("#home"))));
  };
  screen(gettext("Sign in on this device"),
    el("p", { text: interpolate(gettext("The browser on this phone asks to sign you in to %(application)s, without a password."), { application: data.application }) }),
    details(data, account),
    answerForm({
      account, withNumber: null,
      context: () => protocol.contexts.onMobile(requestId, "approve"),
      send: (body) => api.call(who(account), "POST", `on-mobile/${requestId}/answer`, { ...body, handover: handover.secret }),
      onApproved: (shown) => finished(shown, gettext("Approved"), gettext("Go back to your browser: it goes on by itself.")),
      onDenied: (shown) => finished(shown, gettext("Denied"), gettext("The sign-in was refused.")),
    }));
}
