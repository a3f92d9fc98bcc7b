"""The token endpoint's lean path: code exchange and refresh without oauthlib's machinery.

django-oauth-toolkit and oauthlib answer every token request correctly but slowly: a code exchange
read the same rows several times, wrote them in three transactions and spent a third of its time
building queries (about 8 ms of CPU against under 1 ms for a Node.js provider). The requests that
succeed are all alike, so this package answers them itself:

- ``params``: the request, read as the toolkit reads it (the last value of a repeated parameter);
- ``client``: client authentication with the registered method (secret, client_secret_jwt,
  private_key_jwt, none), without side effects until the answer is sure;
- ``store``: one read of the code (or refresh token) with its client, sign-in record and account,
  and one transaction that spends it and writes the tokens, in statements written once;
- ``issue``: the tokens, the ID token (acr, amr, sid, auth_time, nonce, at_hash) and the answer.

Anything else — every error, and anything unusual (another grant type, resource indicators, a
scope parameter, an Origin header, a code issued without openid) — is handed, untouched, to the
toolkit's view (``Fallback``), which answers exactly as before: errors, their status and headers,
the failure count per IP, code reuse revoking tokens. The lean path only ever answers a request
the toolkit would have accepted, with the same tokens, claims and rows.
"""


class Fallback(Exception):
    """Not for the lean path: the toolkit's view answers this request (nothing was changed)."""
