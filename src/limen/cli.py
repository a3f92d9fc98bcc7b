"""The `limen` command: Django's management commands plus Limen's own.

    limen run        development server on http://127.0.0.1:8000 (SQLite in ./var)
    limen serve      production server (gunicorn)
    limen <command>  any Django management command (migrate, createsuperuser, ...)
"""

from __future__ import annotations

import os
import sys


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "limen.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["limen", *argv])


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "limen.settings")
    import django

    django.setup()


def _prepare_database(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("createcachetable", verbosity=verbosity)


def run(argv: list[str]) -> None:
    """Development: migrations, an operator account, the outbox, the server."""
    os.environ.setdefault("LIMEN_DEBUG", "1")
    os.environ.setdefault("LIMEN_OUTBOX_WORKER", "1")
    address = argv[0] if argv else "127.0.0.1:8000"
    os.environ.setdefault("LIMEN_BASE_URL", f"http://{address}")
    if os.environ.get("RUN_MAIN") != "true":  # not again in the autoreloader's child
        _setup()
        _prepare_database(verbosity=1)
        from limen.accounts.services.operators import ensure_dev_operator

        from django.conf import settings

        message = ensure_dev_operator()
        print("\n  Limen is starting on", settings.BASE_URL)
        print("  Sign in or create an account:", settings.BASE_URL + "/login/")
        print("  Sent e-mails (development outbox):", settings.BASE_URL + "/dev/outbox/")
        print("  Operators' site:", settings.BASE_URL + "/admin/")
        print("  " + message + "\n", flush=True)
    _django(["runserver", address, *argv[1:]])


def serve(argv: list[str]) -> None:
    """Production: gunicorn with sync workers (see bench/ for why)."""
    import argparse

    parser = argparse.ArgumentParser(prog="limen serve")
    parser.add_argument("--bind", default=os.environ.get("LIMEN_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LIMEN_WORKERS", "0")) or None)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("LIMEN_THREADS", "4")))
    parser.add_argument("--migrate", action="store_true", help="apply database migrations first")
    args = parser.parse_args(argv)
    _setup()
    if args.migrate:
        _prepare_database()
        from django.db import connections

        connections.close_all()  # forked workers must not share the master's socket
    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    from gunicorn.app.wsgiapp import run as gunicorn_run

    sys.argv = ["gunicorn", "limen.wsgi:application", "--config", "python:limen.gunicorn_conf",
                "--bind", args.bind, "--workers", str(workers),
                "--threads", str(args.threads), "--access-logfile", "-", "--forwarded-allow-ips",
                os.environ.get("LIMEN_FORWARDED_ALLOW_IPS", "127.0.0.1")]
    gunicorn_run()


COMMANDS = {"run": run, "serve": serve}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        COMMANDS[argv[0]](argv[1:])
    else:
        _django(argv)


if __name__ == "__main__":
    main()
