"""Sizing a scaled-out Limen: two instances behind nginx, PostgreSQL and Redis, full CAS sign-ins.

Each sign-in is what a person and an application do together: the identifier page and step, the
password (argon2 with Limen's default parameters), the ticket from /cas/login, and the application's
/cas/p3/serviceValidate. The benchmark counts, per sign-in: CPU milliseconds of the Limen instances
(gunicorn masters and workers), of PostgreSQL and of Redis; PostgreSQL transactions and rows; Redis
commands. From those it derives the figures of docs/scaling.md: sign-ins per second per core of
Limen, and the load 100 sign-ins per second put on PostgreSQL and Redis.

    .venv/bin/python bench/scale/run.py [--signins 300] [--rounds 3] [--concurrency 8] [--json FILE]

Needs what the scale-out test needs (PostgreSQL server binaries, redis-server, nginx); it reuses
the test suite's helpers (tests/support) to start them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE.parent)]

from harness import cpu_model, cpu_seconds, median  # noqa: E402
from tests.oidc.live import Browser  # noqa: E402
from tests.support.limen_server import LimenServer  # noqa: E402
from tests.support.nginx import Nginx  # noqa: E402
from tests.support.pgserver import PostgresServer  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402

PASSWORD = "Bench-Horse-42"
SERVICE = "http://127.0.0.1:9/portal/"
PRODUCTION_HASHING = {"LIMEN_ARGON2_MEMORY_KIB": "19456", "LIMEN_ARGON2_TIME_COST": "2"}


def pg_stats(pg: PostgresServer) -> dict:
    import psycopg

    with psycopg.connect(pg.url(), autocommit=True) as connection:
        row = connection.execute(
            "SELECT sum(xact_commit + xact_rollback), sum(tup_returned + tup_fetched), "
            "sum(tup_inserted + tup_updated + tup_deleted) FROM pg_stat_database").fetchone()
    return {"transactions": int(row[0]), "rows_read": int(row[1]), "rows_written": int(row[2])}


def redis_commands(redis: RedisServer) -> int:
    info = redis.client().info("commandstats")
    return sum(value["calls"] for value in info.values())


def postgres_pids(pg: PostgresServer) -> list[int]:
    pidfile = pg.directory / "data" / "postmaster.pid"
    return [int(pidfile.read_text().splitlines()[0])]


def sign_in(base: str, email: str) -> bool:
    browser = Browser()
    login = browser.get(base + "/cas/login?" + urlencode({"service": SERVICE}))
    identify = base + login.headers["Location"]
    first = browser.post_form(identify, {"email": email})
    second = browser.post_form(base + first.headers["Location"], {"password": PASSWORD})
    issued = browser.get(base + second.headers["Location"])
    ticket = parse_qs(urlsplit(issued.headers["Location"]).query)["ticket"][0]
    answer = browser.session.get(base + "/cas/p3/serviceValidate", params={"ticket": ticket, "service": SERVICE},
                                 timeout=30)
    return "authenticationSuccess" in answer.text


def measure(stack, users: list[str], concurrency: int) -> dict:
    a, b, pg, redis = stack
    before = {"limen": cpu_seconds(a.process.pid) + cpu_seconds(b.process.pid),
              "pg": sum(cpu_seconds(pid) for pid in postgres_pids(pg)),
              "redis": cpu_seconds(redis.process.pid), **pg_stats(pg), "redis_commands": redis_commands(redis)}
    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda email: sign_in(stack_url, email), users))
    wall = time.monotonic() - started
    after = {"limen": cpu_seconds(a.process.pid) + cpu_seconds(b.process.pid),
             "pg": sum(cpu_seconds(pid) for pid in postgres_pids(pg)),
             "redis": cpu_seconds(redis.process.pid), **pg_stats(pg), "redis_commands": redis_commands(redis)}
    n = len(users)
    return {
        "signins": n, "ok": sum(results), "wall_s": wall, "per_second": n / wall,
        "limen_cpu_ms": (after["limen"] - before["limen"]) * 1000 / n,
        "pg_cpu_ms": (after["pg"] - before["pg"]) * 1000 / n,
        "redis_cpu_ms": (after["redis"] - before["redis"]) * 1000 / n,
        "pg_transactions": (after["transactions"] - before["transactions"]) / n,
        "pg_rows_read": (after["rows_read"] - before["rows_read"]) / n,
        "pg_rows_written": (after["rows_written"] - before["rows_written"]) / n,
        "redis_commands": (after["redis_commands"] - before["redis_commands"]) / n,
    }


stack_url = ""


def main() -> None:
    global stack_url
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signins", type=int, default=300, help="sign-ins per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with PostgresServer() as pg, RedisServer() as redis:
        shared = {"LIMEN_SECRET_KEY": "bench-" + "k" * 50, "LIMEN_REDIS_URL": redis.url, "LIMEN_TRUSTED_PROXIES": "1",
                  "LIMEN_LOG_LEVEL": "WARNING", **PRODUCTION_HASHING}
        a = LimenServer(name="bench-a", email_url="console:", database_url=pg.url(), host="localhost", env=shared)
        b = LimenServer(name="bench-b", email_url="console:", database_url=pg.url(), host="localhost", env=shared)
        nginx = Nginx([a.port, b.port])
        for server in (a, b):
            server.env["LIMEN_BASE_URL"] = nginx.url
        try:
            a.start()
            b.start()
            nginx.start()
            stack_url = nginx.url
            a.manage("cas_service", "add", "--name", "Portal", "--url-pattern", SERVICE, "--attributes", "all")
            count = args.signins * (args.rounds + 1)
            a.python(f"""
                from limen.accounts.models import User
                for i in range({count}):
                    User.objects.create_user(f"bench{{i}}@example.org", {PASSWORD!r}, email_verified=True)
            """)
            users = [f"bench{i}@example.org" for i in range(count)]
            measure((a, b, pg, redis), users[: args.signins // 5], args.concurrency)  # warm up
            rounds = []
            for round_ in range(args.rounds):
                chunk = users[args.signins * (round_ + 1): args.signins * (round_ + 2)]
                rounds.append(measure((a, b, pg, redis), chunk, args.concurrency))
                print(f"round {round_ + 1}: {json.dumps(rounds[-1])}", file=sys.stderr)
        finally:
            nginx.stop()
            b.stop()
            a.stop()
    keys = [k for k in rounds[0] if k not in {"signins", "ok"}]
    summary = {k: median([r[k] for r in rounds]) for k in keys}
    report = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "cpu": cpu_model(),
        "machine": f"{os.cpu_count()} cores, {platform.platform()}",
        "load_average_after": Path("/proc/loadavg").read_text().split()[:3],
        "rounds": rounds, "median": summary,
        "failed": sum(r["signins"] - r["ok"] for r in rounds),
    }
    m = summary
    per_100 = {"limen_cores": m["limen_cpu_ms"] / 10, "pg_cores": m["pg_cpu_ms"] / 10,
               "pg_transactions_per_s": m["pg_transactions"] * 100, "pg_rows_per_s": (m["pg_rows_read"] +
                                                                                    m["pg_rows_written"]) * 100,
               "redis_commands_per_s": m["redis_commands"] * 100, "redis_cores": m["redis_cpu_ms"] / 10}
    report["per_100_signins_per_second"] = per_100
    print(f"| per sign-in (median of {args.rounds} rounds of {args.signins}) | value |\n|---|---:|")
    for key in keys:
        print(f"| {key} | {m[key]:.2f} |")
    print("\n| 100 sign-ins per second need | |\n|---|---:|")
    for key, value in per_100.items():
        print(f"| {key} | {value:.1f} |")
    print(f"\nfailed: {report['failed']}; load average after: {' '.join(report['load_average_after'])}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
