// Requests while the app is open: one long poll per account on the device API (the live channel), and the
// service worker's word when a Web Push arrives. While the app is hidden the polls stop: Web Push (or
// opening the app) takes over.

import * as api from "./api.js";
import { ctx, who } from "./ctx.js";
import * as store from "./store.js";

let controller = null;
const listening = new Set();  // accounts with a long poll running

function found(account, items) {
  let fresh = false;
  for (const item of items) {
    if (!ctx.pending.has(item.id)) fresh = true;
    ctx.pending.set(item.id, { account, data: item });
  }
  if (fresh) ctx.onPendingChange({ arrived: items.filter(Boolean) });
}

async function listen(account, signal) {
  let backoff = 1000;
  while (!signal.aborted) {
    const seen = [...ctx.pending.values()].filter((p) => p.account.id === account.id).map((p) => p.data.id).slice(-20);
    try {
      const result = await api.call(who(account), "GET", `challenges/wait?timeout=25${seen.length ? "&seen=" + seen.join(",") : ""}`,
        undefined, { timeoutMs: 40000, signal });
      backoff = 1000;
      found(account, result.challenges);
    } catch (error) {
      if (signal.aborted) return;
      if (error.code === "unknown_device" || error.code === "device_locked") return;
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, 30000);
    }
  }
}

// What waits now, for every account (on opening the app, and after a push).
export async function refresh() {
  const accounts = await store.all();
  const now = new Set();
  await Promise.all(accounts.map(async (account) => {
    try {
      const result = await api.call(who(account), "GET", "challenges");
      result.challenges.forEach((c) => now.add(c.id));
      found(account, result.challenges);
    } catch (error) { /* offline, locked or removed: the account screen says which */ }
  }));
  for (const id of [...ctx.pending.keys()]) if (!now.has(id)) ctx.pending.delete(id);
  ctx.onPendingChange({});
}

// Long polls for every account that has none yet (called again after an account is added).
export async function start() {
  if (document.visibilityState === "hidden" || !navigator.onLine) return;
  if (!controller) controller = new AbortController();
  const signal = controller.signal;
  for (const account of await store.all()) {
    if (listening.has(account.id)) continue;
    listening.add(account.id);
    listen(account, signal).finally(() => listening.delete(account.id));
  }
}

export function stop() {
  if (controller) controller.abort();
  controller = null;
  listening.clear();
}

export function watch() {
  document.addEventListener("visibilitychange", () => (document.visibilityState === "visible" ? (refresh(), start()) : stop()));
  window.addEventListener("online", () => { refresh(); start(); });
  window.addEventListener("offline", stop);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "signin_request") refresh();
    });
  }
}
