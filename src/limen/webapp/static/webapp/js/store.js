// The app's accounts, in IndexedDB. Each holds its device key (a non-extractable ECDSA CryptoKey) and its
// device secret K (a non-extractable HMAC CryptoKey): IndexedDB keeps CryptoKey objects as they are, so no
// key material is ever exported. The PIN is never stored.
//
// A short list of the accounts (server and e-mail address, nothing secret) is mirrored in localStorage:
// the sign-in page of the same site reads it to offer "Use the app on this device", and the app reads it
// to notice that the browser has removed its keys (storage cleared) and to say so.

const DB = "limen-app";
const ACCOUNTS = "accounts";
const MIRROR = "limen-app:accounts";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(ACCOUNTS)) db.createObjectStore(ACCOUNTS, { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(ACCOUNTS, mode);
      const result = work(tx.objectStore(ACCOUNTS));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export async function all() {
  const list = (await run("readonly", (store) => store.getAll())) || [];
  return list.sort((a, b) => a.added - b.added);
}

export async function get(id) {
  return run("readonly", (store) => store.get(id));
}

export async function put(account) {
  await run("readwrite", (store) => store.put(account));
  await mirror();
}

export async function remove(id) {
  await run("readwrite", (store) => store.delete(id));
  await mirror();
}

export function newId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function mirror() {
  const list = await all();
  try {
    localStorage.setItem(MIRROR, JSON.stringify(list.map((a) => ({ id: a.id, server: a.server, email: a.email }))));
  } catch (e) { /* storage refused: the sign-in page simply does not offer the app */ }
}

// Accounts the mirror lists but IndexedDB no longer has: the browser removed the app's keys.
export async function lost() {
  let listed = [];
  try { listed = JSON.parse(localStorage.getItem(MIRROR) || "[]"); } catch (e) { listed = []; }
  if (!Array.isArray(listed) || !listed.length) return [];
  const here = new Set((await all()).map((a) => a.id));
  return listed.filter((a) => a && !here.has(a.id));
}

export function forgetLost(id) {
  try {
    const listed = JSON.parse(localStorage.getItem(MIRROR) || "[]");
    localStorage.setItem(MIRROR, JSON.stringify(listed.filter((a) => a.id !== id)));
  } catch (e) { /* nothing to forget */ }
}

// "On Mobile": the browser's sign-in page left the request's secret here for the app (same origin).
export function takeHandover(requestId) {
  const name = "limen-app:handover:" + requestId;
  try {
    const value = JSON.parse(localStorage.getItem(name) || "null");
    if (!value || !value.secret || (value.expires && value.expires < Date.now())) return null;
    return value;
  } catch (e) {
    return null;
  }
}

export function dropHandover(requestId) {
  try { localStorage.removeItem("limen-app:handover:" + requestId); } catch (e) { /* gone already */ }
}

export async function persist() {
  try { if (navigator.storage && navigator.storage.persist) await navigator.storage.persist(); } catch (e) { /* best effort */ }
}
