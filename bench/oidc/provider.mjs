// The comparison server for bench/oidc: panva's oidc-provider (certified OpenID Connect provider for Node.js),
// configured like Limen is measured: one confidential client (client_secret_basic), PKCE S256 required,
// RS256 ID tokens with email and profile claims, a refresh token with every code exchange, in-memory storage
// (the default); refresh tokens rotate on every use, as Limen's do (single use: a reused one revokes the grant).
// With ES256 as the fifth argument the provider also holds an EC P-256 key and the client's ID tokens are
// ES256 (id_token_signed_response_alg), as a Limen client registered with id_token_alg="ES256".
// With `--adapter redis <url>` it keeps everything in Redis instead (redis_adapter.mjs), as oidc-provider
// runs in production: its in-memory storage is for development only.
//
//   node bench/oidc/provider.mjs <port> <client_id> <client_secret> <redirect_uri> [RS256|ES256]
//        [--adapter memory|redis <redis-url>]
import { generateKeyPairSync } from "node:crypto";
import { Provider } from "oidc-provider";

const argv = process.argv.slice(2);
const option = argv.indexOf("--adapter");
const [adapterName, redisUrl] = option < 0 ? ["memory"] : argv.splice(option, 3).slice(1);
const [port, clientId, clientSecret, redirectUri, idTokenAlg = "RS256"] = argv;
if (!["RS256", "ES256"].includes(idTokenAlg)) throw new Error(`ID token algorithm: RS256 or ES256, not ${idTokenAlg}`);
if (!["memory", "redis"].includes(adapterName) || (adapterName === "redis" && !redisUrl)) {
  throw new Error(`--adapter memory, or --adapter redis <url>; not ${adapterName} ${redisUrl ?? ""}`);
}

// oidc-provider's default development adapter keeps at most 1000 entries; the benchmark holds many more codes.
const store = new Map();
class MapAdapter {
  constructor(name) { this.name = name; }
  key(id) { return `${this.name}:${id}`; }
  async upsert(id, payload) {
    store.set(this.key(id), payload);
    if (payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      const list = store.get(grantKey) || [];
      list.push(this.key(id));
      store.set(grantKey, list);
    }
    if (payload.uid) store.set(`${this.name}:uid:${payload.uid}`, id);
  }
  async find(id) { return store.get(this.key(id)); }
  async findByUid(uid) { const id = store.get(`${this.name}:uid:${uid}`); return id && this.find(id); }
  async findByUserCode() { return undefined; }
  async consume(id) { const p = store.get(this.key(id)); if (p) p.consumed = Math.floor(Date.now() / 1000); }
  async destroy(id) { store.delete(this.key(id)); }
  async revokeByGrantId(grantId) {
    for (const key of store.get(`grant:${grantId}`) || []) store.delete(key);
    store.delete(`grant:${grantId}`);
  }
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const keys = [{ ...privateKey.export({ format: "jwk" }), kid: "bench-1", use: "sig", alg: "RS256" }];
if (idTokenAlg === "ES256") {
  // Beside the RSA key (the default algorithm keeps one), as an operator moving clients over would have it.
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  keys.push({ ...ec.export({ format: "jwk" }), kid: "bench-ec-1", use: "sig", alg: "ES256" });
}

const adapter = adapterName === "redis" ? (await import("./redis_adapter.mjs")).redisAdapter(redisUrl) : MapAdapter;
const provider = new Provider(`http://127.0.0.1:${port}`, {
  adapter,
  clients: [{
    client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri],
    grant_types: ["authorization_code", "refresh_token"], response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic", id_token_signed_response_alg: idTokenAlg,
  }],
  jwks: { keys },
  cookies: { keys: ["bench-cookie-signing-key-0123456789"] },
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "given_name", "family_name", "locale"] },
  ttl: { AuthorizationCode: 600, AccessToken: 3600, IdToken: 3600, Grant: 86400, Session: 86400,
         Interaction: 3600, RefreshToken: 86400 },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed("refresh_token"),
  // The default rotates only public clients' tokens, or past 70 % of their life; Limen rotates every time.
  rotateRefreshToken: true,
  features: { devInteractions: { enabled: true } },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: "ada@example.org", email_verified: true, name: "Ada Lovelace",
                           given_name: "Ada", family_name: "Lovelace", locale: "en" }),
  }),
});
provider.on("server_error", (ctx, err) => console.error("server_error", err));
provider.listen(Number(port), "127.0.0.1", () => console.log(`oidc-provider listening on ${port}, ${adapterName} adapter`));
