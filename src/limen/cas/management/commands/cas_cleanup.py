import time

from django.core.management.base import BaseCommand

from limen.cas import maintenance, slo


class Command(BaseCommand):
    help = ("Send due single-logout requests, end SSO sessions that expired unattended and remove dead "
            "tickets. `limen serve` does this in the background; --watch keeps running.")

    def add_arguments(self, parser):
        parser.add_argument("--watch", action="store_true")
        parser.add_argument("--interval", type=float, default=30.0)

    def handle(self, *args, watch=False, interval=30.0, **options):
        while True:
            sent = slo.deliver_due()
            counts = maintenance.cleanup()
            self.stdout.write(f"logout requests sent: {sent}; " + "; ".join(f"{k}: {v}" for k, v in counts.items()))
            if not watch:
                return
            time.sleep(interval)
