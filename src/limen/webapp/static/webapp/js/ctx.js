// What every screen needs from the app (filled in by app.js): navigation, the server's configuration,
// and the accounts. A module of its own so that screens and the app do not import each other.

export const ctx = {
  config: { server: "", vapid_public_key: "", site_name: "" },
  go: (hash) => { window.location.hash = hash; },
  pending: new Map(),  // request id -> {account, data}: requests known to wait for an answer
  onPendingChange: () => {},
  onAccountsChange: () => {},  // an account was added or removed behind another screen (app.js: listened for, home redrawn)
  navigations: 0,  // routes taken so far (see here())
  leaving: null,  // aborted at the next route (see untilLeft())
};

// A screen that first waits (for storage or the server) must not cover the screen the person went to
// meanwhile: on a slow phone a late render put the home screen back over "Add an account".
// Usage: ``const stay = here(); await …; if (!stay()) return;``. The router counts navigations
// (``ctx.navigations``), so going away and back, or to the same address again, also ends the wait.
export function here() {
  const at = ctx.navigations;
  return () => ctx.navigations === at;
}

// What runs on its own (the camera looking for a QR code) stops when the person leaves the screen: this
// signal is aborted at the next route.
export function untilLeft() {
  if (!ctx.leaving) ctx.leaving = new AbortController();
  return ctx.leaving.signal;
}

// The router calls this for every route it takes.
export function navigated() {
  ctx.navigations += 1;
  if (ctx.leaving) ctx.leaving.abort();
  ctx.leaving = null;
}

export function who(account) {
  return { server: account.server, privateKey: account.privateKey, deviceId: account.deviceId };
}

export function sameOrigin(account) {
  try { return new URL(account.server).origin === window.location.origin; } catch (e) { return false; }
}
