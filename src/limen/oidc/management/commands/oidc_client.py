"""limen oidc_client add|list|show|reset-secret|pkce|id-token-alg|enable|disable|remove: manage OpenID Connect
applications."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from limen.oidc import clients
from limen.oidc.models import AuthMethod, Client, IdTokenAlg


class Command(BaseCommand):
    help = "Register and manage the applications that sign people in with OpenID Connect."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="register an application (prints its client ID and secret once)")
        add.add_argument("--name", required=True, help="the application's name, shown to people")
        add.add_argument("--redirect-uri", action="append", required=True, dest="redirect_uris",
                         help="where Limen sends people back with a code; exact match; repeat for several")
        kind = add.add_mutually_exclusive_group()
        kind.add_argument("--public", action="store_true", help="a public client (browser or mobile app): no "
                          "secret, PKCE required")
        kind.add_argument("--confidential", action="store_true", help="a confidential client (server side; the "
                          "default)")
        add.add_argument("--auth-method", choices=AuthMethod.values,
                         help="token endpoint authentication (default client_secret_basic; none for public)")
        add.add_argument("--post-logout-redirect-uri", action="append", default=[], dest="post_logout_uris",
                         help="where RP-initiated logout may send people afterwards; repeat for several")
        add.add_argument("--backchannel-logout-uri", default="", help="where Limen posts logout tokens")
        add.add_argument("--jwks", default="", help="private_key_jwt: the public JWK set, as JSON or @file")
        add.add_argument("--jwks-uri", default="", help="private_key_jwt: where to fetch the public JWK set")
        add.add_argument("--client-id", default=None, help="choose the client ID (default: generated)")
        add.add_argument("--secret", default=None, help="choose the secret (default: generated; recommended)")
        add.add_argument("--pkce-optional", action="store_true",
                         help="confidential clients only: accept authorization requests without code_challenge "
                              "(PKCE is required by default; RFC 9700 recommends it for every client)")
        add.add_argument("--id-token-alg", choices=IdTokenAlg.values, default=IdTokenAlg.RS256,
                         help="how its ID tokens and logout tokens are signed: RS256 (the default, accepted by "
                              "every library) or ES256 (smaller and much cheaper to make)")
        sub.add_parser("list", help="list the applications")
        alg_parser = sub.add_parser("id-token-alg", help="choose how an application's ID tokens and logout tokens "
                                                         "are signed")
        alg_parser.add_argument("client_id")
        alg_parser.add_argument("alg", choices=IdTokenAlg.values)
        pkce_parser = sub.add_parser("pkce", help="require PKCE of an application, or let a confidential one "
                                                  "go without")
        pkce_parser.add_argument("client_id")
        choice = pkce_parser.add_mutually_exclusive_group(required=True)
        choice.add_argument("--required", action="store_true", help="every authorization request needs a "
                            "code_challenge (the default)")
        choice.add_argument("--optional", action="store_true", help="confidential clients only: code_challenge "
                            "may be left out")
        for name, text in (("show", "show one application"), ("reset-secret", "replace the secret (prints it once)"),
                           ("enable", "let the application sign people in again"),
                           ("disable", "stop the application from signing anyone in"),
                           ("remove", "delete the application and its tokens")):
            sub.add_parser(name, help=text).add_argument("client_id")

    def handle(self, *args, action, **options):
        getattr(self, "do_" + action.replace("-", "_"))(**options)

    def _get(self, client_id: str) -> Client:
        client = Client.objects.filter(client_id=client_id).first()
        if client is None:
            raise CommandError(f"No application with client ID {client_id!r}.")
        return client

    def do_add(self, *, name, redirect_uris, public, confidential, auth_method, post_logout_uris,
               backchannel_logout_uri, jwks, jwks_uri, client_id, secret, pkce_optional, id_token_alg, **_):
        if jwks.startswith("@"):
            jwks = Path(jwks[1:]).read_text()
        registered = _checked(
            clients.register, name=name, redirect_uris=redirect_uris, public=public, auth_method=auth_method,
            post_logout_redirect_uris=post_logout_uris, backchannel_logout_uri=backchannel_logout_uri,
            jwks=jwks or None, jwks_uri=jwks_uri, client_id=client_id, secret=secret,
            pkce_required=not pkce_optional, id_token_alg=id_token_alg, operator="command line")
        self.stdout.write(f"Registered {registered.client.name}")
        self._show(registered.client)
        if registered.secret:
            self.stdout.write(f"client secret: {registered.secret}")
            self.stdout.write(self.style.WARNING("Copy the secret now: Limen keeps only a hash of it and "
                                                 "cannot show it again."))

    def do_list(self, **_):
        for client in Client.objects.order_by("name"):
            state = "" if client.active else "  (disabled)"
            self.stdout.write(f"{client.client_id}  {client.name}  {client.client_type}  "
                              f"{client.token_endpoint_auth_method}{state}")

    def do_show(self, *, client_id, **_):
        self._show(self._get(client_id))

    def _show(self, client: Client):
        self.stdout.write(f"client ID: {client.client_id}")
        self.stdout.write(f"type: {client.client_type}, authentication: {client.token_endpoint_auth_method}, "
                          f"{'active' if client.active else 'disabled'}")
        self.stdout.write(f"PKCE: {'required' if client.pkce_required else 'optional'}")
        self.stdout.write(f"ID token signature: {client.id_token_alg}")
        for uri in client.redirect_uris.split():
            self.stdout.write(f"redirect URI: {uri}")
        for uri in client.post_logout_redirect_uris.split():
            self.stdout.write(f"post-logout redirect URI: {uri}")
        if client.backchannel_logout_uri:
            self.stdout.write(f"back-channel logout URI: {client.backchannel_logout_uri}")

    def do_reset_secret(self, *, client_id, **_):
        client = self._get(client_id)
        secret = clients.reset_secret(client, operator="command line")
        if secret is None:
            raise CommandError(f"{client_id} does not authenticate with a secret.")
        self.stdout.write(f"client secret: {secret}")
        self.stdout.write(self.style.WARNING("The old secret no longer works. Copy this one now."))

    def do_pkce(self, *, client_id, required, optional, **_):
        _checked(clients.set_pkce_required, self._get(client_id), required, operator="command line")
        self.stdout.write(f"{client_id}: PKCE {'required' if required else 'optional'}")

    def do_id_token_alg(self, *, client_id, alg, **_):
        _checked(clients.set_id_token_alg, self._get(client_id), alg, operator="command line")
        self.stdout.write(f"{client_id}: ID tokens signed with {alg}")

    def do_enable(self, *, client_id, **_):
        Client.objects.filter(pk=self._get(client_id).pk).update(active=True)
        self.stdout.write(f"{client_id} enabled")

    def do_disable(self, *, client_id, **_):
        Client.objects.filter(pk=self._get(client_id).pk).update(active=False)
        self.stdout.write(f"{client_id} disabled")

    def do_remove(self, *, client_id, **_):
        clients.remove(self._get(client_id), operator="command line")
        self.stdout.write(f"{client_id} removed")


def _checked(change, *args, **kwargs):
    """``change(*args, **kwargs)``, its ValidationError turned into the command's error (one line per field)."""
    try:
        return change(*args, **kwargs)
    except ValidationError as error:
        raise CommandError(_messages(error)) from None


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(str(m) for m in error.messages)
