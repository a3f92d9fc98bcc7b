"""limen oidc_rotate_key: rotate the OpenID Connect signing key."""

from django.core.management.base import BaseCommand

from limen.audit.events import Event
from limen.audit.service import record
from limen.oidc import keys
from limen.oidc.models import SigningKey


class Command(BaseCommand):
    help = ("Rotate the signing keys (one family per algorithm: RS256, and ES256 once an application uses it): "
            "in each, the published next key starts signing, the current one is retired (still published until "
            "its tokens expire) and a new next key is published.")

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="only list the keys")
        parser.add_argument("--purge", action="store_true", help="also delete retired keys no longer published")

    def handle(self, *args, list=False, purge=False, **options):
        if not list:
            for active, nxt in keys.rotate():
                record(Event.OIDC_KEY_ROTATED, kid=active.kid, next_kid=nxt.kid, alg=active.alg)
                self.stdout.write(f"{active.alg}: signing with {active.kid}; next key {nxt.kid} published")
        if purge:
            self.stdout.write(f"deleted {keys.purge()} retired key(s)")
        keys.ensure()
        published = {jwk["kid"] for jwk in keys.published()}
        for row in SigningKey.objects.order_by("-created"):
            mark = "published" if row.kid in published else "not published"
            self.stdout.write(f"{row.kid}  {row.alg}  {row.state:8}  created {row.created:%Y-%m-%d %H:%M}  {mark}")
