"""The account look-up by address with many accounts: the statement every sign-in runs to find the
person behind the address typed (limen.accounts.rows.by_email), as it is now (``LOWER(email) =
LOWER(%s)``, read in the unique index on ``LOWER(email)``) beside the one it replaced
(``email__iexact``: ``LIKE`` on SQLite, ``UPPER(email) = UPPER(%s)`` on PostgreSQL, which no index
serves), on the same database, in alternating rounds.

    .venv/bin/python bench/address_lookup.py [--accounts 200000] [--rounds 5] [--lookups 200]
    .venv/bin/python -m tests.support.pgserver -- .venv/bin/python bench/address_lookup.py   # PostgreSQL

Without LIMEN_DATABASE_URL it makes a SQLite database under bench/work/. Wall-clock milliseconds per
look-up (the database's work is the point here, and on PostgreSQL it happens in another process);
each look-up is of a different address, half of them unknown.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def setup() -> None:
    work = HERE / "work" / "address-lookup"
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update({"LIMEN_DATA_DIR": tempfile.mkdtemp(dir=work), "LIMEN_DEBUG": "0",
                       "LIMEN_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "limen.settings"})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(accounts: int) -> None:
    from django.db import transaction

    from limen.accounts.models import User

    batch = 5000
    with transaction.atomic():
        for start in range(0, accounts, batch):
            User.objects.bulk_create(
                [User(email=f"Person.{n}@example.org", password="!", first_name="P", last_name=str(n))
                 for n in range(start, min(start + batch, accounts))])


def statements(connection) -> dict[str, tuple[str, object]]:
    from limen.accounts import rows
    from limen.accounts.models import User, normalise_email

    query = User.objects.filter(email__iexact="limen-mark").order_by("pk")[:1].query
    before, _ = query.get_compiler(connection=connection).as_sql()
    return {"before (email__iexact)": (before, lambda a: connection.ops.prep_for_iexact_query(normalise_email(a))),
            "now (LOWER(email))": (rows._sql(connection)["by_email"], normalise_email)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lookups", type=int, default=200, help="per statement and round")
    args = parser.parse_args()
    setup()
    from django.db import connection

    started = time.monotonic()
    fill(args.accounts)
    print(f"{args.accounts} accounts on {connection.vendor} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(1)
    chosen = {name: [] for name in statements(connection)}
    for round_ in range(args.rounds):
        order = list(statements(connection).items())
        for name, (text, param) in order if round_ % 2 == 0 else order[::-1]:
            addresses = [f"person.{rng.randrange(2 * args.accounts)}@EXAMPLE.org" for _ in range(args.lookups)]
            with connection.cursor() as cursor:
                begin = time.perf_counter()
                for address in addresses:
                    cursor.execute(text, [param(address)])
                    cursor.fetchall()
                chosen[name].append((time.perf_counter() - begin) / args.lookups * 1000)
    with connection.cursor() as cursor:
        for name, (text, param) in statements(connection).items():
            explain = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(explain + text, [param("person.1@example.org")])
            plan = " | ".join(" ".join(str(c) for c in row).strip() for row in cursor.fetchall())
            values = chosen[name]
            print(f"{name:24} {statistics.median(values):8.3f} ms per look-up (rounds "
                  f"{', '.join(f'{v:.3f}' for v in values)})\n    plan: {plan}")


if __name__ == "__main__":
    main()
