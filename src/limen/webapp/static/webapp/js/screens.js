// The home screen: the current account ("Switch account" among several, on one or several servers), the
// requests that wait, and what the app does: add an account, a one-time password from a QR code.

import { ctx, here } from "./ctx.js";
import { gettext, interpolate } from "./i18n.js";
import * as store from "./store.js";
import { button, dateTime, el, field, hostOf, keyed, notice, screen, uid } from "./ui.js";

const CURRENT = "limen-app:current";

function current(accounts) {
  const id = localStorage.getItem(CURRENT);
  return accounts.find((a) => a.id === id) || accounts[0];
}

function lostNotice(lost) {
  if (!lost.length) return null;
  const devices = document.body.getAttribute("data-devices-url");
  return el("div", { class: "notice notice-warning", role: "alert" },
    el("p", { text: gettext("The browser has removed this app's keys (its storage was cleared), so these accounts no longer work here:") }),
    el("ul", {}, lost.map((a) => el("li", { text: `${a.email} (${hostOf(a.server)})` }))),
    el("p", { text: gettext("Add each account again. On the website, remove the old device in My Account → “Manage my mobile devices”.") }),
    el("p", {}, el("a", { href: devices, text: gettext("Manage my mobile devices") })),
    button(gettext("I understand"), () => { lost.forEach((a) => store.forgetLost(a.id)); home(); }));
}

function welcome(lost) {
  screen(interpolate(gettext("Welcome to the %(site)s Authenticator"), { site: ctx.config.site_name || "Limen" }),
    lostNotice(lost),
    el("p", { text: gettext("This app confirms that it is you when you sign in: approve a request with your PIN code, or make a one-time password from a QR code, even without a network.") }),
    el("h2", { text: gettext("Add your account in three steps") }),
    el("ol", { class: "prose steps" },
      el("li", { text: gettext("On a computer, sign in to your account's website and open My Account → “Manage my mobile devices” → “Add a mobile device”.") }),
      el("li", { text: gettext("Give this phone a name and choose a PIN code of 4 digits that you will remember.") }),
      el("li", { text: gettext("Here, choose “Add an account”, allow the camera, and point it at the QR code on the computer. Then type the same PIN code.") })),
    el("p", { class: "help", text: gettext("To keep the app on the home screen, use the browser's menu: “Install app” or “Add to Home Screen”.") }),
    el("div", { class: "stack" }, button(gettext("Add an account"), () => ctx.go("#add"), { kind: "primary" })));
}

export async function home() {
  const stay = here();
  const accounts = await store.all();
  const lost = await store.lost();
  if (!stay()) return;
  if (!accounts.length) return welcome(lost);
  const account = current(accounts);
  const waiting = [...ctx.pending.values()];
  const list = waiting.length ? el("ul", { class: "app-list" }, waiting.map(({ account: a, data }) => el("li", {},
    el("p", { class: "who", text: interpolate(gettext("%(application)s asks to sign you in"), { application: data.application }) }),
    el("p", { class: "where", text: `${data.account || a.email} · ${data.browser} · ${dateTime(data.created)}` }),
    keyed(button(gettext("Open the request"), () => ctx.go(`#request=${a.deviceId}/${data.id}`), { kind: "primary" }),
      data.id))))
    : el("p", { class: "help", text: gettext("No sign-in request is waiting. When you sign in somewhere, the request appears here.") });
  let switcher = null;
  if (accounts.length > 1) {
    const select = el("select", { onchange: (event) => { localStorage.setItem(CURRENT, event.target.value); home(); } },
      accounts.map((a) => el("option", { value: a.id, selected: a.id === account.id, text: `${a.email} (${hostOf(a.server)})` })));
    select.id = uid("switch");
    switcher = field(gettext("Switch account"), select);
  }
  screen(account.email,
    lostNotice(lost),
    el("p", { class: "help", text: interpolate(gettext("On %(server)s, as “%(device)s”."), { server: hostOf(account.server), device: account.deviceName }) }),
    switcher,
    el("h2", { text: gettext("Sign-in requests") }), list,
    el("div", { class: "stack" },
      button(gettext("Scan a QR code for a one-time password"), () => ctx.go("#otp"), { kind: "primary" }),
      button(gettext("Account and device settings"), () => ctx.go(`#account=${account.id}`)),
      button(gettext("Add an account"), () => ctx.go("#add"))));
}

export function notFound() {
  screen(gettext("Nothing here"), notice("warning", gettext("This link does not open anything in the app.")),
    button(gettext("Back"), () => ctx.go("#home"), { kind: "primary" }));
}
