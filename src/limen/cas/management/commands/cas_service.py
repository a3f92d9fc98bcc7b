"""Register, list and remove the applications that sign in through CAS.

    limen cas_service add --name "Europass" --url-pattern https://europass.example.org/ \\
        --attributes email,firstName,lastName --level MEDIUM --slo-url https://europass.example.org/cas/slo \\
        [--response-layout cas3|eulogin]
    limen cas_service list
    limen cas_service remove --name "Europass"

`add` with the name of an existing application updates it.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from limen.cas import registry
from limen.cas.attributes import ATTRIBUTES
from limen.cas.models import ResponseLayout, Service
from limen.signin.levels import LEVEL_NAMES


class Command(BaseCommand):
    help = "Register (add), list or remove CAS applications."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="register an application, or update the one with this name")
        add.add_argument("--name", required=True)
        add.add_argument("--url-pattern", required=True,
                         help="URL prefix (https://app.example.org/) or a regular expression starting with ^")
        add.add_argument("--attributes", default="",
                         help="comma-separated, or 'all'. Known: " + ", ".join(ATTRIBUTES))
        add.add_argument("--level", default="BASIC", help="BASIC, MEDIUM or HIGH")
        add.add_argument("--slo-url", default="", help="where logout requests go (default: the service URL)")
        add.add_argument("--proxy-callback-pattern", default="",
                         help="allow proxy-granting tickets for callbacks matching this pattern")
        add.add_argument("--response-layout", choices=ResponseLayout.values, default=None,
                         help="cas3 (default for a new application): attributes in cas:attributes only; eulogin: "
                              "also directly under cas:authenticationSuccess on /serviceValidate and "
                              "/proxyValidate, as EU Login applications expect. Left out: unchanged")
        add.add_argument("--disabled", action="store_true", help="register it switched off")
        listing = sub.add_parser("list", help="show the registered applications")
        listing.add_argument("--json", action="store_true", dest="as_json")
        remove = sub.add_parser("remove", help="remove an application")
        remove.add_argument("--name", required=True)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _add(self, *, name, url_pattern, attributes, level, slo_url, proxy_callback_pattern, response_layout,
             disabled, **_):
        try:
            service, created = registry.register(
                name=name, url_pattern=url_pattern, attributes=attributes, level=level, slo_url=slo_url,
                proxy_callback_pattern=proxy_callback_pattern, response_layout=response_layout,
                enabled=not disabled)
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        self.stdout.write(f"{'Registered' if created else 'Updated'} {service.name}: {service.url_pattern}")

    def _list(self, *, as_json: bool = False, **_):
        rows = [{"name": s.name, "url_pattern": s.url_pattern, "attributes": s.attributes,
                 "level": LEVEL_NAMES.get(s.level), "slo_url": s.slo_url,
                 "proxy_callback_pattern": s.proxy_callback_pattern, "response_layout": s.response_layout,
                 "enabled": s.enabled}
                for s in Service.objects.order_by("name")]
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No applications registered. Add one with: limen cas_service add --name ... "
                              "--url-pattern ...")
        for row in rows:
            state = "" if row["enabled"] else "  (disabled)"
            self.stdout.write(f"{row['name']}{state}\n  pattern: {row['url_pattern']}\n  level: {row['level']}"
                              f"\n  attributes: {', '.join(row['attributes']) or '(user only)'}"
                              f"\n  single logout: {row['slo_url'] or '(service URL)'}"
                              f"\n  proxy callbacks: {row['proxy_callback_pattern'] or '(not allowed)'}"
                              f"\n  response layout: {row['response_layout']}")

    def _remove(self, *, name, **_):
        if not registry.remove(name):
            raise CommandError(f"No application is called {name!r}.")
        self.stdout.write(f"Removed {name}")
