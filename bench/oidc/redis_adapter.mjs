// oidc-provider's adapter interface over Redis (ioredis), as oidc-provider runs in production: its in-memory
// adapter is for development only, and its documentation points to a store such as Redis instead. Written
// for bench/oidc (provider.mjs --adapter redis <url>); same semantics as the Map adapter there:
// - every model's payload lives at "<model>:<id>" with the TTL oidc-provider gives (expiresIn, seconds);
// - single-use models (codes, refresh tokens) are hashes {payload, consumed}, so consume() is one HSET
//   and a reused refresh token is seen as consumed (oidc-provider then revokes its grant);
// - tokens bound to a grant are listed at "grant:<grantId>" (kept as long as its longest member), for
//   revokeByGrantId; "<model>:uid:<uid>" finds a session by uid.
// Each upsert is one MULTI (one round trip, applied atomically); Redis >= 7 for EXPIRE NX / GT.
import { Redis } from "ioredis";

const GRANTABLE = new Set(["AccessToken", "AuthorizationCode", "RefreshToken", "DeviceCode",
                           "BackchannelAuthenticationRequest"]);
const CONSUMABLE = new Set(["AuthorizationCode", "RefreshToken", "DeviceCode", "BackchannelAuthenticationRequest"]);
const grantKey = (grantId) => `grant:${grantId}`;

export function redisAdapter(url) {
  const client = new Redis(url, { keyPrefix: "oidc:" });

  return class RedisAdapter {
    constructor(name) { this.name = name; }

    key(id) { return `${this.name}:${id}`; }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      const multi = client.multi();
      if (CONSUMABLE.has(this.name)) {
        multi.del(key); // an upsert replaces the whole record, a former "consumed" mark included
        multi.hset(key, "payload", JSON.stringify(payload));
      } else {
        multi.set(key, JSON.stringify(payload));
      }
      if (expiresIn) multi.expire(key, expiresIn);
      if (GRANTABLE.has(this.name) && payload.grantId) {
        const list = grantKey(payload.grantId);
        multi.rpush(list, key);
        if (expiresIn) multi.expire(list, expiresIn, "NX").expire(list, expiresIn, "GT");
      }
      if (payload.uid) {
        const uidKey = `${this.name}:uid:${payload.uid}`;
        multi.set(uidKey, id);
        if (expiresIn) multi.expire(uidKey, expiresIn);
      }
      const results = await multi.exec();
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
    }

    async find(id) {
      if (!CONSUMABLE.has(this.name)) {
        const data = await client.get(this.key(id));
        return data ? JSON.parse(data) : undefined;
      }
      const { payload, consumed } = await client.hgetall(this.key(id));
      if (!payload) return undefined;
      const found = JSON.parse(payload);
      if (consumed) found.consumed = Number(consumed);
      return found;
    }

    async findByUid(uid) {
      const id = await client.get(`${this.name}:uid:${uid}`);
      return id ? this.find(id) : undefined;
    }

    async findByUserCode() { return undefined; } // no device flow in the benchmark

    async consume(id) {
      await client.hset(this.key(id), "consumed", Math.floor(Date.now() / 1000));
    }

    async destroy(id) { await client.del(this.key(id)); }

    async revokeByGrantId(grantId) {
      const list = grantKey(grantId);
      const keys = await client.lrange(list, 0, -1);
      // The list holds the keys as pushed, without ioredis' "oidc:" prefix, which del() adds to each.
      await client.del(...keys, list);
    }
  };
}
