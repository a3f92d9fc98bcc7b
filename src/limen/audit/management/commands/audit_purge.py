from django.core.management.base import BaseCommand, CommandError

from limen.audit.retention import MIN_DAYS, purge_older_than


class Command(BaseCommand):
    help = "Delete audit events older than --older-than-days (at least 30). The purge itself is audited."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, required=True)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, older_than_days, yes, **options):
        if older_than_days < MIN_DAYS:
            raise CommandError(f"--older-than-days must be at least {MIN_DAYS}")
        if not yes and input(f"Delete audit events older than {older_than_days} days? [y/N] ").lower() != "y":
            raise CommandError("cancelled")
        removed = purge_older_than(older_than_days, operator="command line")
        self.stdout.write(f"removed {removed} audit event(s)")
