"""Prepare a Limen database for the benchmark: one person, one service, N valid service tickets."""

import argparse
import datetime as dt
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "limen.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from limen.accounts.models import User  # noqa: E402
from limen.cas import registry, ticket_ids  # noqa: E402
from limen.cas.models import ServiceTicket  # noqa: E402
from limen.core import clock  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--service", required=True)
parser.add_argument("--files", nargs="+", required=True, help="path:count pairs")
args = parser.parse_args()

call_command("migrate", verbosity=0)
call_command("createcachetable", verbosity=0)
user = User.objects.create_user("bench@example.org", None, first_name="Ben", last_name="Mark", email_verified=True)
service, _ = registry.register(name="Bench", url_pattern=args.service, attributes="all")
now = clock.now()
for spec in args.files:
    path, count = spec.rsplit(":", 1)
    made = []
    for start in range(0, int(count), 5000):
        batch = [ServiceTicket(ticket=ticket_ids.new("ST"), service=service, service_url=args.service, user=user,
                               created=now, expires=now + dt.timedelta(hours=3), auth_time=now,
                               strengths=["PASSWORD"], level=10, from_sso=False)
                 for _ in range(min(5000, int(count) - start))]
        ServiceTicket.objects.bulk_create(batch)
        made.extend(t.ticket for t in batch)
    with open(path, "w") as handle:
        handle.write("\n".join(made) + "\n")
print("seeded", file=sys.stderr)
