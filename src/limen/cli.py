"""The `limen` command: Django's management commands plus Limen's own.

    limen run        development server on http://127.0.0.1:8000 (SQLite in ./var)
    limen demo       the development server plus the demo applications: Europass (CAS) on :8001,
                     an OpenID Connect application on :8002
    limen serve      production server (gunicorn)
    limen <command>  any Django management command (migrate, createsuperuser, ...)
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path


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
    os.environ.setdefault("LIMEN_LOG_FORMAT", "json")  # one JSON object per line (docs/operations.md)
    from limen.ops import multiprocess

    multiprocess.prepare()  # before Django: prometheus-client reads it when first imported
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


def _demo_dir() -> Path:
    path = Path(__file__).resolve().parents[2] / "demo"
    if not (path / "manage.py").exists():
        sys.exit("limen demo needs the source checkout (the demo/ folder beside src/).")
    return path


def _start_portal(demo_dir: Path, address: str, limen_url: str) -> subprocess.Popen:
    env = {**os.environ, "DEMO_LIMEN_URL": limen_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(demo_dir / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True)
    portal = subprocess.Popen([*manage, "runserver", address, "--noreload"], env=env)
    atexit.register(portal.terminate)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so that atexit stops the portal too
    return portal


def _port_in_use(address: str) -> bool:
    import socket

    host, _, port = address.rpartition(":")
    with socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET) as probe:
        try:
            probe.bind((host.strip("[]") or "127.0.0.1", int(port)))
        except OSError:
            return True
    return False


def _start_oidc_app(demo_dir: Path, address: str, limen_url: str, client_id: str, secret: str) -> subprocess.Popen:
    env = {**os.environ, "DEMO_ISSUER": limen_url, "DEMO_CLIENT_ID": client_id, "DEMO_CLIENT_SECRET": secret}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    app = subprocess.Popen([sys.executable, str(demo_dir / "oidc_app" / "app.py"), "--address", address], env=env)
    atexit.register(app.terminate)
    return app


def demo(argv: list[str]) -> None:
    """Development server plus the demo applications (CAS portal, OpenID Connect app) and a demo account."""
    import argparse

    parser = argparse.ArgumentParser(prog="limen demo")
    parser.add_argument("--address", default="127.0.0.1:8000", help="where Limen listens")
    parser.add_argument("--portal", default="127.0.0.1:8001", help="where the demo portal listens")
    parser.add_argument("--oidc-app", default="127.0.0.1:8002", help="where the OpenID Connect demo listens")
    parser.add_argument("--noreload", action="store_true", help="do not restart Limen when code changes")
    args = parser.parse_args(argv)
    os.environ.setdefault("LIMEN_DEBUG", "1")
    os.environ.setdefault("LIMEN_OUTBOX_WORKER", "1")
    os.environ.setdefault("LIMEN_BASE_URL", f"http://{args.address}")
    runserver = ["runserver", args.address] + (["--noreload"] if args.noreload else [])
    if os.environ.get("RUN_MAIN") == "true":  # the autoreloader's child: only serve
        _django(runserver)
        return
    busy = [a for a in (args.address, args.portal, args.oidc_app) if _port_in_use(a)]
    if busy:
        sys.exit(f"limen demo: {' and '.join(busy)} already in use (another Limen?). Choose free ports, e.g.\n"
                 "  make run RUN_ARGS=\"--address 127.0.0.1:8010 --portal 127.0.0.1:8011 --oidc-app 127.0.0.1:8012\"")
    if importlib.util.find_spec("django_cas_ng") is None:
        sys.exit("The demo portal needs django-cas-ng: pip install -e '.[demo]'")
    demo_dir = _demo_dir()
    _setup()
    _prepare_database(verbosity=0)
    from django.conf import settings

    from limen.accounts.services.operators import ensure_dev_operator
    from limen.cas.demo import DEMO_SERVICE, prepare
    from limen.oidc import demo as oidc_demo

    operator = ensure_dev_operator()
    portal_url = f"http://{args.portal}/"
    email, password = prepare(portal_url)
    _start_portal(demo_dir, args.portal, settings.BASE_URL)
    oidc_url = f"http://{args.oidc_app}/"
    client_id, secret = oidc_demo.prepare(oidc_url)
    _start_oidc_app(demo_dir, args.oidc_app, settings.BASE_URL, client_id, secret)
    print(f"""
  Limen is starting on {settings.BASE_URL}
  Demo application ({DEMO_SERVICE}): {portal_url}
      Open it, press "Sign in with Limen", and sign in as
      {email}  /  {password}      (a new password at every start)
      Then open {settings.BASE_URL}/account/ : you are already signed in (single sign-on).
  Demo application ({oidc_demo.DEMO_NAME}): {oidc_url}
      Signs in with OpenID Connect (Authlib) and shows the ID token; same account.
  Create your own account: {settings.BASE_URL}/register/   (e-mails: {settings.BASE_URL}/dev/outbox/)
  Operators' site: {settings.BASE_URL}/admin/   {operator}
""", flush=True)
    _django(runserver)


COMMANDS = {"run": run, "demo": demo, "serve": serve}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        COMMANDS[argv[0]](argv[1:])
    else:
        _django(argv)


if __name__ == "__main__":
    main()
