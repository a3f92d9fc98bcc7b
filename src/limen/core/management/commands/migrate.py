"""`limen migrate`: Django's migrate, then the database cache table, so that one command prepares a database.

Limen keeps its rate-limit counters and CAPTCHA triggers in the shared cache,
which is a table of the database unless LIMEN_REDIS_URL is set. Django
creates that table with a separate command (createcachetable); a forgotten
second step meant a server error at the first registration. Here both happen
in one step; createcachetable does nothing for a cache that is not a table
(Redis) or a table that exists.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrate


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Then creates the cache table (createcachetable)."

    def handle(self, *args, **options):
        super().handle(*args, **options)
        if options.get("plan") or options.get("check_unapplied") or options.get("prune"):
            return  # reports and clean-ups change no schema
        call_command("createcachetable", database=options["database"], verbosity=options["verbosity"])
