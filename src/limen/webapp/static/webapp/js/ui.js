// Small DOM helpers: every screen is a card with a heading that takes the focus (screen readers hear the
// new screen), status messages in a live region, and clear, translated error messages.

import { ApiError, NetworkError } from "./api.js";
import { ctx } from "./ctx.js";
import { gettext, interpolate } from "./i18n.js";
import { PayloadError } from "./protocol.js";
import { CameraError } from "./scanner.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let serial = 0;
export function uid(prefix) {
  serial += 1;
  return `${prefix}-${serial}`;
}

// A control named so that it can be found again on a redrawn screen: its kind, its name (label or text)
// or, for one of a list's same-named controls, its ``data-key`` (the request it opens), and which of the
// controls with that name it is.
function controlName(node) {
  if (node.dataset && node.dataset.key) return `${node.tagName}#${node.dataset.key}`;
  const label = node.labels && node.labels.length ? node.labels[0].textContent : node.getAttribute("aria-label");
  return `${node.tagName}|${(label || node.textContent).trim()}`;
}

// Marks one of a list's same-named controls with its item (home's "Open the request", by request id): on a
// redraw it keeps the focus only if its own item is still there.
export function keyed(control, key) {
  control.dataset.key = key;
  return control;
}

function sameControls(card, tag, name) {
  return [...card.querySelectorAll(tag)].filter((n) => controlName(n) === name);
}

let drawn = { at: -1, title: null };  // the route (ctx.navigations) and title of the screen on show

// Replace the screen: a card with ``title`` and ``children``; the heading takes the focus. Drawn again
// on the same route with the same title (a request came or went, the app's check after opening), it is
// the screen the person is reading: the focus stays on the control they were on (or on whatever outside
// the screen had it, e.g. after the skip link), and the page does not scroll.
export function screen(title, ...children) {
  const place = document.querySelector("[data-screen]");
  const again = drawn.at === ctx.navigations && drawn.title === title && place.firstElementChild !== null;
  drawn = { at: ctx.navigations, title };
  const focused = document.activeElement;
  const within = again && focused && place.contains(focused) ? focused : null;
  const name = within ? controlName(within) : "";
  const index = within ? sameControls(place, within.tagName, name).indexOf(within) : -1;
  const heading = el("h1", { tabindex: "-1", text: title });
  const card = el("div", { class: "card" }, heading, ...children);
  place.replaceChildren(card);
  document.title = title;
  if (!again) {
    heading.focus();
    window.scrollTo(0, 0);
  } else if (within) {
    (sameControls(card, within.tagName, name)[index] || heading).focus();  // the control is gone: the screen's heading
  }
  return card;
}

export function notice(kind, text, { alert = false } = {}) {
  return el("p", { class: `notice notice-${kind}`, role: alert ? "alert" : null, text });
}

export function status() {
  return el("p", { role: "status", "aria-live": "polite", class: "help" });
}

export function button(label, onclick, { kind = "secondary", type = "button" } = {}) {
  return el("button", { type, class: kind, onclick, text: label });
}

export function field(label, input, help) {
  const id = input.id || uid("field");
  input.id = id;
  const helpNode = help ? el("p", { class: "help", id: id + "-help", text: help }) : null;
  if (helpNode) input.setAttribute("aria-describedby", helpNode.id);
  return el("div", { class: "field" }, el("label", { for: id, text: label }), helpNode, input);
}

export function pinInput(label) {
  const input = el("input", { type: "password", inputmode: "numeric", autocomplete: "off", maxlength: "4",
    pattern: "[0-9]{4}", class: "pin-input", name: "pin" });
  return { input, node: field(label || gettext("Your 4-digit PIN code"), input) };
}

export function showError(box, error) {
  box.replaceChildren(notice("error", errorMessage(error), { alert: true }));
  box.hidden = false;
}

export function errorMessage(error) {
  if (error instanceof PayloadError) {
    return {
      foreign: gettext("This QR code is not one of ours. Scan the QR code that your account's website shows, in the app, not with another QR code reader."),
      version: gettext("This QR code needs a newer version of the app. Reload the app and scan it again."),
      not_enrolment: gettext("This QR code is for a one-time password, not for adding an account."),
      not_otp: gettext("This QR code is for adding an account, not for a one-time password."),
      malformed: gettext("This QR code could not be read completely. Scan it again, or paste the text shown below it."),
      server: gettext("The server address in this code is not valid."),
      insecure: gettext("This code names a server without a secure (https) connection. It was refused."),
      unknown_account: gettext("None of the accounts in this app matches this QR code. Add the account first."),
    }[error.code] || gettext("This QR code cannot be used.");
  }
  if (error instanceof CameraError) {
    return {
      denied: gettext("The app may not use the camera. Allow the camera for this site in the browser's settings, or paste the text shown below the QR code instead."),
      no_camera: gettext("No camera was found. Paste the text shown below the QR code instead."),
    }[error.code] || gettext("The camera cannot be used here. Paste the text shown below the QR code instead.");
  }
  if (error instanceof NetworkError) {
    return gettext("No connection to the server. Check the network and try again. (One-time passwords from a QR code work without a network.)");
  }
  if (error instanceof ApiError) {
    if (error.code === "wrong_pin" || error.code === "pin_mismatch") {
      return interpolate(gettext("The PIN code is not correct. Attempts left: %(left)s."), { left: error.data.attempts_left ?? "?" });
    }
    if (error.code === "bad_response") return gettext("The server gave an answer this app does not understand. Is it a Limen server?");
    return error.message || gettext("The server refused the request.");
  }
  if (error && error.name === "NotAllowedError") {
    return gettext("The fingerprint or face check was cancelled or is not available. Use your PIN code.");
  }
  return gettext("Something went wrong. Try again.");
}

export function dateTime(iso) {
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined,
      { dateStyle: "medium", timeStyle: "medium" }).format(new Date(iso));
  } catch (e) {
    return iso;
  }
}

export function hostOf(server) {
  try { return new URL(server).host; } catch (e) { return server; }
}
