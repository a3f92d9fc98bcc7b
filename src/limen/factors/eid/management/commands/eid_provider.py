"""limen eid_provider add|list|enable|disable|remove: upstream identity providers for national eID."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from limen.factors.eid.models import TokenAuthMethod, UpstreamProvider
from limen.factors.eid.upstream import redirect_uri


class Command(BaseCommand):
    help = "Configure the upstream OpenID Connect providers people sign in at with their national eID."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a provider")
        add.add_argument("--name", required=True, help="shown to people, e.g. 'Belgian eID'")
        add.add_argument("--slug", required=True, help="short name used in addresses, e.g. 'be'")
        add.add_argument("--issuer", required=True, help="the provider's issuer URL")
        add.add_argument("--client-id", required=True)
        add.add_argument("--client-secret", default="", help="stored encrypted")
        add.add_argument("--auth-method", choices=TokenAuthMethod.values, default=TokenAuthMethod.CLIENT_SECRET_BASIC)
        add.add_argument("--scopes", default="openid profile email")
        add.add_argument("--disabled", action="store_true", help="add it switched off")
        sub.add_parser("list", help="list the providers")
        for name in ("enable", "disable", "remove"):
            sub.add_parser(name).add_argument("slug")

    def handle(self, *args, action, **options):
        getattr(self, "do_" + action)(**options)

    def _get(self, slug):
        provider = UpstreamProvider.objects.filter(slug=slug).first()
        if provider is None:
            raise CommandError(f"No eID provider {slug!r}.")
        return provider

    def do_add(self, *, name, slug, issuer, client_id, client_secret, auth_method, scopes, disabled, **_):
        provider = UpstreamProvider(name=name, slug=slug, issuer=issuer, client_id=client_id,
                                    token_auth_method=auth_method, scopes=scopes, enabled=not disabled)
        provider.set_secret(client_secret)
        if "openid" not in scopes.split():
            raise CommandError("The scopes must include openid.")
        try:
            provider.full_clean()
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        provider.save()
        self.stdout.write(f"Added eID provider {provider.slug} ({provider.issuer})")
        self.stdout.write(f"Register this redirect URI at the provider: {redirect_uri()}")

    def do_list(self, **_):
        for p in UpstreamProvider.objects.all():
            self.stdout.write(f"{p.slug}  {p.name}  {p.issuer}  {'enabled' if p.enabled else 'disabled'}  "
                              f"{p.links.count()} link(s)")

    def do_enable(self, *, slug, **_):
        UpstreamProvider.objects.filter(pk=self._get(slug).pk).update(enabled=True)
        self.stdout.write(f"{slug} enabled")

    def do_disable(self, *, slug, **_):
        UpstreamProvider.objects.filter(pk=self._get(slug).pk).update(enabled=False)
        self.stdout.write(f"{slug} disabled")

    def do_remove(self, *, slug, **_):
        provider = self._get(slug)
        count = provider.links.count()
        provider.delete()
        self.stdout.write(f"{slug} removed ({count} link(s) removed with it)")
