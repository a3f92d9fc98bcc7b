// The web app's entry: service worker, configuration, the router over the address's #fragment, and the
// live requests. Links into the app: #enrol=<payload> (the enrolment QR code), #request=<device>/<id>
// (a notification), #on-mobile=<id> (the sign-in page on this phone).

import { ctx, navigated } from "./ctx.js";
import { enrolScreen, otpScreen } from "./flows.js";
import { gettext } from "./i18n.js";
import * as live from "./live.js";
import { onMobileScreen, requestScreen } from "./requests.js";
import { home, notFound } from "./screens.js";
import { accountScreen, forgotScreen } from "./settings.js";

const CONFIG_KEY = "limen-app:config";

async function loadConfig() {
  const url = document.body.getAttribute("data-config-url");
  try {
    const response = await fetch(url, { cache: "no-store", credentials: "omit" });
    ctx.config = await response.json();
    localStorage.setItem(CONFIG_KEY, JSON.stringify(ctx.config));
  } catch (e) {
    try { ctx.config = JSON.parse(localStorage.getItem(CONFIG_KEY)) || ctx.config; } catch (error) { /* defaults */ }
  }
}

function route() {
  navigated();
  const raw = window.location.hash.slice(1);
  const at = raw.indexOf("=");
  const name = at < 0 ? raw : raw.slice(0, at);
  let value = at < 0 ? "" : raw.slice(at + 1);
  try { value = decodeURIComponent(value); } catch (e) { value = ""; }
  switch (name) {
    case "": case "home": live.start(); return home();
    case "add": return enrolScreen();
    case "enrol": return enrolScreen(value);
    case "otp": return otpScreen();
    case "account": return accountScreen(value);
    case "forgot": return forgotScreen(value);
    case "request": { const [device, id] = value.split("/"); return requestScreen(device, id); }
    case "on-mobile": return onMobileScreen(value);
    default: return notFound();
  }
}

function showNetwork() {
  const box = document.querySelector("[data-net-state]");
  box.textContent = navigator.onLine ? "" : gettext("Offline");
}

async function boot() {
  ctx.go = (hash) => {
    if (window.location.hash === hash) route(); else window.location.hash = hash;
  };
  const onHome = () => ["", "#", "#home"].includes(window.location.hash);
  ctx.onPendingChange = ({ arrived } = {}) => {
    if (arrived && arrived.length === 1 && onHome()) {
      const item = ctx.pending.get(arrived[0].id);
      if (item) return ctx.go(`#request=${item.account.deviceId}/${item.data.id}`);
    }
    if (onHome()) home();
  };
  // An account added behind another screen (its PIN confirmed late) is listened for at once: no route
  // to home, which would start its long poll, may follow while the app stays open.
  ctx.onAccountsChange = () => {
    live.start();
    if (onHome()) home();
  };
  // The skip link moves the focus; as an address (#main) it would be a route to "Nothing here".
  document.querySelector("a.skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main").focus();
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(document.body.getAttribute("data-sw-url"), { scope: "/app/" }).catch(() => {});
  }
  await loadConfig();
  window.addEventListener("hashchange", route);
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  showNetwork();
  live.watch();
  await route();
  if (navigator.onLine) { live.refresh(); live.start(); }
}

boot();
