import time

from django.core.management.base import BaseCommand

from limen.notify.outbox import deliver_due
from limen.notify.worker import run_jobs


class Command(BaseCommand):
    help = "Send the e-mails (and SMS) waiting in the outbox; --watch keeps retrying."

    def add_arguments(self, parser):
        parser.add_argument("--watch", action="store_true", help="keep running and retry every --interval seconds")
        parser.add_argument("--interval", type=float, default=15.0)

    def handle(self, *args, watch=False, interval=15.0, **options):
        while True:
            sent = deliver_due()
            run_jobs()
            self.stdout.write(f"sent {sent} message(s)")
            if not watch:
                return
            time.sleep(interval)
