"""The web authenticator: an installable web app (manifest, service worker, WebCrypto keys in IndexedDB,
camera QR codes, Web Push, offline one-time passwords), served by Limen at /app/ and speaking the same
signed device API as the reference app (docs/mobile-app.md, "The web app")."""
