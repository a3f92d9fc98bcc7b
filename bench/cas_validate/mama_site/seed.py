"""Prepare the django-mama-cas database: one person and N valid service tickets (same shape as Limen's)."""

import argparse
import datetime as dt
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mama_site.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from mama_cas.models import ServiceTicket  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--service", required=True)
parser.add_argument("--files", nargs="+", required=True, help="path:count pairs")
args = parser.parse_args()

call_command("migrate", verbosity=0)
user = User.objects.create_user("bench", "bench@example.org", None, first_name="Ben", last_name="Mark")
now = timezone.now()
for spec in args.files:
    path, count = spec.rsplit(":", 1)
    made = []
    for start in range(0, int(count), 5000):
        batch = [ServiceTicket(ticket=ServiceTicket.objects.create_ticket_str(), service=args.service, user=user,
                               expires=now + dt.timedelta(hours=3), primary=True)
                 for _ in range(min(5000, int(count) - start))]
        ServiceTicket.objects.bulk_create(batch)
        made.extend(t.ticket for t in batch)
    with open(path, "w") as handle:
        handle.write("\n".join(made) + "\n")
print("seeded", file=sys.stderr)
