// The web app's service worker (served at /app/sw.js, so its scope is /app/; ASSETS, VERSION and CATALOG
// are written above by the server). It keeps the app's files for offline use (one-time passwords need no
// network), and turns a Web Push into a notification. A push carries ids only, never a secret: the app
// fetches the request over the signed device API when the person opens it.

try { importScripts(CATALOG); } catch (e) { /* offline at first start: English until the next start */ }
const _ = (text) => (self.gettext ? self.gettext(text) : text);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll([...ASSETS, CATALOG])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== VERSION).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path === "/app/" || path === CATALOG || path === "/app/config.json") {
    // The shell and its strings: the network first (updates show at once), the kept copy offline.
    event.respondWith(fetch(event.request).then((response) => {
      if (response.ok) { const copy = response.clone(); caches.open(VERSION).then((cache) => cache.put(path, copy)); }
      return response;
    }).catch(() => caches.match(path).then((kept) => kept || Response.error())));
    return;
  }
  if (ASSETS.includes(path)) {
    event.respondWith(caches.match(path).then((kept) => kept || fetch(event.request)));
  }
});

async function visibleApp() {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  return windows.find((client) => client.visibilityState === "visible" && new URL(client.url).pathname === "/app/");
}

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  if (data.type !== "signin_request" || !data.device || !data.request) return;
  event.waitUntil((async () => {
    const open = await visibleApp();
    if (open) {  // the app is on screen: it shows the request itself
      open.postMessage({ type: "signin_request", device: data.device, request: data.request });
      return;
    }
    await self.registration.showNotification(_("Sign-in request"), {
      body: _("Someone is signing in to your account. Open to check the request, then approve or deny it."),
      tag: data.request, requireInteraction: true, icon: ASSETS.find((a) => a.endsWith(".png")),
      data: { url: `/app/#request=${data.device}/${data.request}` },
    });
  })());
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/app/";
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const app = windows.find((client) => new URL(client.url).pathname === "/app/");
    if (app) {
      await app.focus();
      return app.navigate ? app.navigate(url) : undefined;
    }
    return self.clients.openWindow(url);
  })());
});
