"""The `limen` command: Django's management commands plus Limen's own.

    limen run        development server on http://localhost:8000 (SQLite in ./var); Django's runserver,
                     where a waiting request (long poll) waits in its own thread
    limen demo       the development server plus the demo applications: Europass (CAS) on :8001,
                     an OpenID Connect application on :8002, a national eID provider on :8003
    limen serve      production server (gunicorn; waits in an event loop, see limen/server/)
    limen <command>  any Django management command (migrate, createsuperuser, ...)

Development addresses are HOST:PORT or only PORT; the default host is localhost,
the one plain-http host where browsers allow security keys and passkeys
(limen/devaddress.py, limen/factors/webauthn/origin.py).
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from limen import devaddress
from limen.factors.webauthn import origin


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "limen.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["limen", *argv])


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "limen.settings")
    import django

    django.setup()


def _prepare_database(verbosity: int = 0) -> None:
    """Limen's `migrate` also creates the cache table (limen/core/management/commands/migrate.py)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _address(text: str | None, default_port: int, command: str) -> devaddress.Address:
    try:
        return devaddress.parse(text, default_port=default_port)
    except devaddress.AddressError as error:
        sys.exit(f"{command}: {error}")


def _webauthn_warning(base_url: str) -> str:
    """A warning block for the banner of `limen run`, or "" when every method works at ``base_url``."""
    problem = origin.check(base_url)
    if problem is None:
        return ""
    instead = f"\n    Use {problem.instead} instead, e.g. limen run {urlsplit(problem.instead).port}" \
        if problem.instead else ""
    return (f"\n  ! Security keys and passkeys will not work at {base_url}:\n"
            f"    {problem.reason}.{instead}\n")


def run(argv: list[str]) -> None:
    """Development: migrations, an operator account, the outbox, the server."""
    os.environ.setdefault("LIMEN_DEBUG", "1")
    os.environ.setdefault("LIMEN_OUTBOX_WORKER", "1")
    given = argv[0] if argv and not argv[0].startswith("-") else None
    address = _address(given, devaddress.DEFAULT_PORT, "limen run")
    os.environ.setdefault("LIMEN_BASE_URL", address.url)
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
        print("  " + message + _webauthn_warning(settings.BASE_URL) + "\n", flush=True)
    _django(["runserver", address.hostport, *(argv[1:] if given is not None else argv)])


def _raise_open_files_limit(wanted: int) -> None:
    """Each waiting connection is a file descriptor: raise the soft limit towards the hard one."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard == resource.RLIM_INFINITY else min(hard, max(soft, wanted))
    if soft != resource.RLIM_INFINITY and target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if hard != resource.RLIM_INFINITY and hard < wanted:
        print(f"limen serve: the open files limit is {hard}, below the {wanted} that LIMEN_MAX_WAITS needs; "
              "raise it (ulimit -n, or LimitNOFILE= in a systemd unit)", file=sys.stderr, flush=True)


def serve(argv: list[str]) -> None:
    """Production: gunicorn; by default its workers run an event loop (limen.server) so that waiting
    requests hold no thread, with Django in a pool of threads. --server sync: gunicorn's gthread."""
    import argparse

    parser = argparse.ArgumentParser(prog="limen serve")
    parser.add_argument("--bind", default=os.environ.get("LIMEN_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LIMEN_WORKERS", "0")) or None)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("LIMEN_THREADS", "4")),
                        help="threads per worker that run Django (ordinary requests)")
    parser.add_argument("--max-waits", type=int, default=int(os.environ.get("LIMEN_MAX_WAITS", "10000")),
                        help="waiting requests (long polls) per worker; beyond, 503 and the client retries")
    parser.add_argument("--server", choices=("async", "sync"), default=os.environ.get("LIMEN_SERVER", "async"),
                        help="async (default): waits hold no thread; sync: gunicorn's gthread, a wait holds a thread")
    parser.add_argument("--migrate", action="store_true", help="apply database migrations first")
    args = parser.parse_args(argv)
    os.environ.setdefault("LIMEN_LOG_FORMAT", "json")  # one JSON object per line (docs/operations.md)
    from limen.ops import multiprocess

    multiprocess.prepare()  # before Django: prometheus-client reads it when first imported
    os.environ["LIMEN_THREADS"] = str(args.threads)
    os.environ["LIMEN_MAX_WAITS"] = str(args.max_waits)
    _setup()
    if args.migrate:
        _prepare_database()
        from django.db import connections

        connections.close_all()  # forked workers must not share the master's socket
    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    from gunicorn.app.wsgiapp import run as gunicorn_run

    if args.server == "async":
        from limen.server.worker import max_connections

        _raise_open_files_limit(max_connections() + 100)
        app, worker = ["limen.server.app:application"], ["--worker-class", "limen.server.worker.LimenWorker"]
    else:
        app, worker = ["limen.wsgi:application"], ["--threads", str(args.threads)]
    sys.argv = ["gunicorn", *app, "--config", "python:limen.gunicorn_conf", *worker,
                "--bind", args.bind, "--workers", str(workers), "--access-logfile", "-", "--forwarded-allow-ips",
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


def _refuse_without_webauthn(base_url: str, *, from_environment: bool) -> None:
    """The demo shows every sign-in method: an address where browsers refuse security keys is an error."""
    problem = origin.check(base_url)
    if problem is None:
        return
    source = f"LIMEN_BASE_URL is set to {base_url}" if from_environment else base_url
    instead = (f"\n  Start it at {problem.instead} instead: limen demo --address {urlsplit(problem.instead).port}"
               + ("   (and unset LIMEN_BASE_URL)" if from_environment else "")) \
        if problem.instead else "\n  Start it at http://localhost:PORT (--address PORT), or behind https."
    sys.exit(f"limen demo: security keys and passkeys would not work: {source}.\n  {problem.reason}.{instead}\n"
             "  To start anyway, without them: limen demo --allow-no-webauthn ...")


def _start_eid_provider(demo_dir: Path, address: str, limen_url: str, redirect_uri: str, client_id: str,
                        secret: str) -> subprocess.Popen:
    env = {**os.environ, "DEMO_LIMEN_URL": limen_url, "DEMO_EID_REDIRECT_URI": redirect_uri,
           "DEMO_EID_CLIENT_ID": client_id, "DEMO_EID_CLIENT_SECRET": secret,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(demo_dir), os.environ.get("PYTHONPATH", "")]))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    provider = subprocess.Popen([sys.executable, "-m", "eid_provider", "--address", address], env=env)
    atexit.register(provider.terminate)
    return provider


def _start_pension_app(demo_dir: Path, address: str, limen_url: str) -> subprocess.Popen:
    env = {**os.environ, "DEMO_LIMEN_URL": limen_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    app = subprocess.Popen([sys.executable, str(demo_dir / "pension" / "app.py"), "--address", address], env=env)
    atexit.register(app.terminate)
    return app


def _prepare_pension(url: str, limen_url: str) -> str:
    """The pension fund portal that requires validated access (limen.access.demo); returns what to print."""
    from limen.access import demo as access_demo
    from limen.accounts.models import User
    from limen.cas import registry
    from limen.cas.access_link import ref
    from limen.factors.sms.demo import give_number

    service, _ = registry.register(name=access_demo.DEMO_NAME, url_pattern=url, level="MEDIUM",
                                   attributes="email,firstName,lastName,authenticationLevel,strengths",
                                   response_layout="eulogin", slo_url=url + "callback")
    made = access_demo.prepare(ref(service))
    give_number(User.objects.get_by_email(access_demo.PENSIONER), access_demo.PENSIONER_PHONE)
    return f"""  Demo application ({access_demo.DEMO_NAME}): {url}
      Requires validated access (the pensioners' guide). Press "Connect with Limen" and sign in as
      {access_demo.PENSIONER}  /  {made['pensioner']}   (choose Mobile Phone + SMS: the SMS is on the outbox page)
      Ask for access; validate the request at {limen_url}/validators/ as
      {access_demo.VALIDATOR}  /  {made['validator']}   (in another browser, or after signing out)
      The validation code comes by e-mail (outbox page); enter it and the portal shows your personnelNumber.
"""


def demo(argv: list[str]) -> None:
    """Development server plus the demo applications (CAS portal, OpenID Connect app) and a demo account."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="limen demo", epilog="Addresses are HOST:PORT or only PORT (then on localhost, where browsers allow "
                                  "security keys and passkeys).")
    parser.add_argument("--address", help="where Limen listens (default localhost:8000)")
    parser.add_argument("--portal", help="where the demo portal listens (default localhost:8001)")
    parser.add_argument("--oidc-app", help="where the OpenID Connect demo listens (default localhost:8002)")
    parser.add_argument("--eid-provider", help="where the demo national eID provider listens (default localhost:8003)")
    parser.add_argument("--noreload", action="store_true", help="do not restart Limen when code changes")
    parser.add_argument("--allow-no-webauthn", action="store_true",
                        help="start even at an address where browsers refuse security keys and passkeys")
    parser.add_argument("--pension", help="where the pension fund demo (validated access) listens "
                                             "(default localhost:8004; skipped if in use)")
    args = parser.parse_args(argv)
    limen = _address(args.address, devaddress.DEFAULT_PORT, "limen demo")
    portal = _address(args.portal, devaddress.DEFAULT_PORT + 1, "limen demo")
    oidc_app = _address(args.oidc_app, devaddress.DEFAULT_PORT + 2, "limen demo")
    eid = _address(args.eid_provider, devaddress.DEFAULT_PORT + 3, "limen demo")
    pension = _address(args.pension, devaddress.DEFAULT_PORT + 4, "limen demo")
    base_url_given = bool(os.environ.get("LIMEN_BASE_URL"))
    os.environ.setdefault("LIMEN_DEBUG", "1")
    os.environ.setdefault("LIMEN_OUTBOX_WORKER", "1")
    os.environ.setdefault("LIMEN_BASE_URL", limen.url)
    runserver = ["runserver", limen.hostport] + (["--noreload"] if args.noreload else [])
    if os.environ.get("RUN_MAIN") == "true":  # the autoreloader's child: only serve
        _django(runserver)
        return
    if not args.allow_no_webauthn:
        _refuse_without_webauthn(os.environ["LIMEN_BASE_URL"], from_environment=base_url_given)
    busy = [a.hostport for a in (limen, portal, oidc_app, eid) if _port_in_use(a.hostport)]
    if busy:
        sys.exit(f"limen demo: {' and '.join(busy)} already in use (another Limen?). Choose free ports, e.g.\n"
                 "  make run RUN_ARGS=\"--address 8010 --portal 8011 --oidc-app 8012 --eid-provider 8013\"")
    if importlib.util.find_spec("django_cas_ng") is None:
        sys.exit("The demo portal needs django-cas-ng: pip install -e '.[demo]'")
    demo_dir = _demo_dir()
    _setup()
    _prepare_database(verbosity=0)
    from django.conf import settings

    from limen.accounts.services.operators import ensure_dev_operator
    from limen.cas.demo import DEMO_SERVICE, prepare
    from limen.factors.eid import demo as eid_demo
    from limen.factors.eid.upstream import redirect_uri
    from limen.oidc import demo as oidc_demo

    operator = ensure_dev_operator()
    portal_url = portal.url + "/"
    email, password = prepare(portal_url)
    _start_portal(demo_dir, portal.hostport, settings.BASE_URL)
    oidc_url = oidc_app.url + "/"
    client_id, secret = oidc_demo.prepare(oidc_url)
    _start_oidc_app(demo_dir, oidc_app.hostport, settings.BASE_URL, client_id, secret)
    try:
        eid_client_id, eid_secret = eid_demo.prepare(eid.url)
    except eid_demo.DemoProviderConflict:
        sys.exit(f"limen demo: another eID provider is configured with the issuer {eid.url}; "
                 "choose another --eid-provider port or remove that provider (limen eid_provider remove).")
    _start_eid_provider(demo_dir, eid.hostport, settings.BASE_URL, redirect_uri(), eid_client_id, eid_secret)
    pension_note = f"  (The pension fund demo did not start: {pension.hostport} is in use; choose --pension ADDRESS.)\n"
    if not _port_in_use(pension.hostport):
        pension_note = _prepare_pension(pension.url + "/", settings.BASE_URL)
        _start_pension_app(demo_dir, pension.hostport, settings.BASE_URL)
    print(f"""
  Limen is starting on {settings.BASE_URL}
  Demo application ({DEMO_SERVICE}): {portal_url}
      Open it, press "Sign in with Limen", and sign in as
      {email}  /  {password}      (a new password at every start)
      Then open {settings.BASE_URL}/account/ : you are already signed in (single sign-on).
  Demo application ({oidc_demo.DEMO_NAME}): {oidc_url}
      Signs in with OpenID Connect (Authlib) and shows the ID token; same account.
  {eid_demo.DEMO_NAME} (fictional people): {eid.url}/
      In My Account, "Manage my eIDs" links one of its citizens to your account;
      then "Sign in with eID" on the sign-in page needs no password.
{pension_note.rstrip()}
  The authenticator web app (the phone side): {settings.BASE_URL}/app/
      Open it in a second browser window; in My Account, "Manage my mobile devices" adds it (paste the
      code shown, or scan it with a camera). Sign-in requests then reach it; "Use the app on this device"
      on the sign-in page signs in with no password.
  Create your own account: {settings.BASE_URL}/register/   (e-mails: {settings.BASE_URL}/dev/outbox/)
  Operators' site: {settings.BASE_URL}/admin/   {operator}
{_webauthn_warning(settings.BASE_URL).replace("limen run", "limen demo --address")}""", flush=True)
    _django(runserver)


COMMANDS = {"run": run, "demo": demo, "serve": serve}


def main(argv: list[str] | None = None) -> None:
    from limen.core.config import ConfigurationError

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            COMMANDS[argv[0]](argv[1:])
        else:
            _django(argv)
    except ConfigurationError as error:  # a LIMEN_* variable Limen cannot use: say which, no traceback
        sys.exit(f"limen: cannot start: {error}")


if __name__ == "__main__":
    main()
