"""The limen-authenticator command.

    limen-authenticator enrol --qr code.png          add an account (asks the PIN twice)
    limen-authenticator enrol                        the same, with the text shown below the QR code (pasted)
    limen-authenticator accounts                     the accounts this authenticator holds
    limen-authenticator pending                      sign-in requests waiting for an answer
    limen-authenticator approve [REQUEST]            approve with the PIN code (the newest request if none named)
    limen-authenticator deny [REQUEST]               refuse (ends that sign-in attempt)
    limen-authenticator listen                       wait for requests as they come
    limen-authenticator otp --qr challenge.png       offline one-time password (no network)
    limen-authenticator unlink                       remove the account from the server and from here
    limen-authenticator biometric enable|disable     keep the PIN in the OS keyring

PIN codes are asked with a hidden prompt; scripts may pass --pin or --pin-stdin.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
import threading

from . import APP_NAME, app, qrread, vault
from .app import AuthenticatorError, PinSource
from .client import ApiError, NetworkError
from .state import State, StateError


class PromptPinSource(PinSource):
    interactive = True

    def ask(self, question: str, *, confirm: bool) -> str:
        for _ in range(3):
            pin = getpass.getpass(f"{question}: ").strip()
            if not confirm:
                return pin
            again = getpass.getpass("Type it again: ").strip()
            if pin == again:
                return pin
            print("The two PIN codes are not the same. Try again.", file=sys.stderr)
        raise AuthenticatorError("the PIN codes did not match")

    def notice(self, message: str) -> None:
        print(message, file=sys.stderr)


class StdinPinSource(PinSource):
    def ask(self, question: str, *, confirm: bool) -> str:
        line = sys.stdin.readline()
        if not line:
            raise AuthenticatorError("no PIN code on standard input")
        return line.strip()


def _pin_source(args) -> PinSource:
    if getattr(args, "pin", None):
        return PinSource(args.pin)
    if getattr(args, "pin_stdin", False):
        return StdinPinSource()
    return PromptPinSource()


def _payload(args) -> str:
    if args.qr:
        return qrread.read(args.qr)
    if args.payload and args.payload != "-":
        return args.payload
    # --payload -, or (enrol) neither option: the text shown below the QR code, pasted or piped in.
    if args.payload is None and sys.stdin.isatty():
        print("Paste the text shown below the QR code, then press Enter:", file=sys.stderr)
    line = sys.stdin.readline().strip()
    if not line:
        raise AuthenticatorError("no QR code text was given (use --qr IMAGE, --payload TEXT, or paste the text)")
    return line


def _when(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return iso


def _describe(request: app.Request) -> str:
    d = request.data
    return (f"[{request.id[:8]}] {d['account']} — {d['application']}\n"
            f"    number to match: {d['number']}   browser: {d['browser']}   from {d['ip'] or '?'}\n"
            f"    sent at {_when(d['created'])}, expires at {_when(d['expires'])}   (account {request.account.id})")


def _request_json(request: app.Request) -> str:
    return json.dumps({**request.data, "account_id": request.account.id})


# --- commands ------------------------------------------------------------------------------------

def cmd_enrol(args) -> int:
    source = _pin_source(args)

    def scanned(data):
        if not args.json:
            print(f"Adding {data['account']['email']} on {data['server']} as “{data['device_name']}”.",
                  file=sys.stderr)
            if source.interactive:
                print("Type the PIN code you chose in the browser.", file=sys.stderr)

    account = app.enrol(_payload(args), source, state_path=args.state, allow_http=args.allow_http,
                        on_scanned=scanned)
    if args.json:
        print(json.dumps({"account": account.id, "email": account.email, "server": account.server,
                          "device_id": account.device_id, "device_name": account.device_name}))
    else:
        print(f"Done: this authenticator now confirms sign-ins of {account.email} (account {account.id}).")
    return 0


def cmd_accounts(args) -> int:
    state = State.load(args.state)
    rows = []
    for account in state.accounts:
        row = {"account": account.id, "email": account.email, "server": account.server,
               "device_name": account.device_name, "biometric": account.biometric}
        if args.check:
            try:
                status = app.device_status(account)
                row["locked"] = status["locked"]
                row["status"] = "locked" if status["locked"] else "active"
            except (ApiError, NetworkError) as error:
                row["status"] = getattr(error, "code", "unreachable")
        rows.append(row)
    if args.json:
        print(json.dumps(rows))
    elif not rows:
        print("No account yet. Add one with: limen-authenticator enrol --qr <image of the QR code>")
    else:
        for row in rows:
            extra = f"  [{row['status']}]" if "status" in row else ""
            unlock = "  (keyring unlock)" if row["biometric"] else ""
            print(f"{row['account']}  {row['email']}  {row['server']}  “{row['device_name']}”{unlock}{extra}")
    return 0


def cmd_pending(args) -> int:
    state = State.load(args.state)
    requests, problems = [], []
    for item in app.pending(state.select(args.account)):
        (requests if isinstance(item, app.Request) else problems).append(item)
    if args.json:
        print(json.dumps([json.loads(_request_json(r)) for r in requests]))
    else:
        for request in requests:
            print(_describe(request))
        if not requests:
            print("No sign-in request is waiting.")
    for account, error in problems:
        print(f"{account.label()}: {error}", file=sys.stderr)
    return 1 if problems and not requests else 0


def _unlock_pin(args, account) -> tuple[str, bool]:
    """(PIN, came from the keyring)."""
    if getattr(args, "pin", None) or getattr(args, "pin_stdin", False) or not account.biometric:
        return app.read_pin(_pin_source(args), f"PIN code for {account.email}", confirm=False), False
    if not args.yes and sys.stdin.isatty():
        answer = input("Unlock with the keyring: press Enter (or type 'pin' to type your PIN code): ").strip()
        if answer.lower() == "pin":
            return app.read_pin(PromptPinSource(), f"PIN code for {account.email}", confirm=False), False
    pin = vault.fetch(account.id)
    if not pin:
        return app.read_pin(_pin_source(args), f"PIN code for {account.email}", confirm=False), False
    return pin, True


def _forget_keyring_pin(args, account) -> None:
    vault.forget(account.id)
    with State.editing(args.state) as state:
        for entry in state.accounts:
            if entry.id == account.id:
                entry.biometric = False
    print("The PIN code in the keyring was wrong; the keyring unlock is now off.", file=sys.stderr)


def _approve(args, request: app.Request) -> int:
    account = request.account
    if not args.yes:
        if not sys.stdin.isatty():
            raise AuthenticatorError("confirm the number with --yes when not at a terminal")
        reply = input(f"Does the browser show the number {request.data['number']}? [y/N] ").strip().lower()
        if reply not in {"y", "yes"}:
            print("Not approved. If you did not try to sign in, deny the request.")
            return 1
    while True:
        pin, from_keyring = _unlock_pin(args, account)
        try:
            app.approve(request, pin)
        except ApiError as error:
            if error.code == "wrong_pin":
                if from_keyring:
                    _forget_keyring_pin(args, account)
                    account.biometric = False
                left = error.data.get("attempts_left", 0)
                print(f"Wrong PIN code: {left} attempt(s) left before this device is locked.", file=sys.stderr)
                if sys.stdin.isatty() and not args.pin and not args.pin_stdin and left:
                    continue
            raise
        break
    print(f"Approved: the sign-in of {account.email} to {request.data['application']} goes on.")
    return 0


def _pick(args, question: str) -> app.Request:
    """The request named on the command line; without one, the request the person means (app.choose):
    the newest from each browser; when several browsers wait, the person picks one by its number."""
    accounts = State.load(args.state).select(args.account)
    if args.request:
        return app.find_request(accounts, args.request)
    choice = app.choose(accounts)
    for account, error in choice.problems:
        print(f"{account.label()}: {error}", file=sys.stderr)
    if choice.left_over:
        print(f"({len(choice.left_over)} older request(s) from the same browser were left by an earlier attempt, "
              "such as a closed tab; they expire by themselves.)", file=sys.stderr)
    if choice.request is not None:
        return choice.request
    candidates = choice.candidates
    listing = "\n".join(f"{number}. {_describe(request)}" for number, request in enumerate(candidates, 1))
    if not sys.stdin.isatty():
        raise AuthenticatorError(
            f"sign-in requests from {len(candidates)} different browsers are waiting:\n{listing}\n"
            f"name the one you mean by its id, e.g. limen-authenticator {args.command} {candidates[0].id[:8]}")
    print(f"Sign-in requests from {len(candidates)} different browsers are waiting, newest first:\n{listing}")
    while True:
        try:
            answer = input(f"{question} Type its number (1 to {len(candidates)}, Enter for 1): ").strip()
        except EOFError:
            raise AuthenticatorError("no request chosen") from None
        if not answer:
            return candidates[0]
        if answer.isdigit() and 1 <= int(answer) <= len(candidates):
            return candidates[int(answer) - 1]
        print("Type one of the numbers shown.", file=sys.stderr)


def cmd_approve(args) -> int:
    request = _pick(args, "Which one is yours?")
    if not args.json:
        print(_describe(request))
    return _approve(args, request)


def cmd_deny(args) -> int:
    request = _pick(args, "Which one do you refuse?")
    app.deny(request)
    print(f"Denied: that sign-in of {request.account.email} has been stopped and recorded.")
    return 0


def cmd_listen(args) -> int:
    state = State.load(args.state)
    accounts = state.select(args.account)
    if not accounts:
        raise StateError("no account yet; enrol one first")
    stop = threading.Event()
    lock = threading.Lock()
    interactive = args.interactive if args.interactive is not None else (sys.stdin.isatty() and not args.json)
    outcome = {"code": 0}

    def on_request(request: app.Request) -> None:
        with lock:
            if stop.is_set():
                return
            if args.json:
                print(_request_json(request), flush=True)
            else:
                print("New sign-in request:\n" + _describe(request), flush=True)
            if interactive:
                choice = input("[a]pprove, [d]eny, or Enter to leave it: ").strip().lower()
                try:
                    if choice in {"a", "approve"}:
                        args.yes = True  # the number was just shown and checked by the person
                        _approve(args, request)
                    elif choice in {"d", "deny"}:
                        app.deny(request)
                        print("Denied.")
                except (ApiError, AuthenticatorError) as error:
                    print(f"error: {error}", file=sys.stderr)
            if args.once:
                stop.set()

    def on_problem(account, error) -> None:
        print(f"{account.label()}: {error}", file=sys.stderr, flush=True)
        if isinstance(error, ApiError) and error.code in {"unknown_device", "device_locked"}:
            outcome["code"] = 1

    if not args.json:
        print(f"Listening for sign-in requests for {', '.join(a.email for a in accounts)} (Ctrl+C to stop)…",
              file=sys.stderr, flush=True)
    timer = threading.Timer(args.duration, stop.set) if args.duration else None
    if timer:
        timer.daemon = True
        timer.start()
    try:
        app.listen(accounts, on_request, on_problem=on_problem, wait=args.wait, stop=stop)
    except KeyboardInterrupt:
        stop.set()
    return outcome["code"]


def cmd_otp(args) -> int:
    state = State.load(args.state)
    payload = _payload(args)
    account = app.account_for_otp(state, payload)
    if args.pin or args.pin_stdin or not account.biometric:
        pin = app.read_pin(_pin_source(args), f"PIN code for {account.email}", confirm=False)
    else:
        pin, _from_keyring = _unlock_pin(args, account)
    _account, code = app.otp(state, payload, pin)
    if args.json:
        print(json.dumps({"account": account.id, "code": code}))
    else:
        print(f"One-time password for {account.email}: {code[:4]} {code[4:]}", file=sys.stderr)
        print(code)
    return 0


def cmd_unlink(args) -> int:
    state = State.load(args.state)
    account = state.one(args.account)
    if not args.yes:
        if not sys.stdin.isatty():
            raise AuthenticatorError("confirm with --yes when not at a terminal")
        if input(f"Unlink {account.label()}? It will no longer confirm sign-ins. [y/N] ").strip().lower() not in {"y", "yes"}:
            return 1
    told = app.unlink(account, state_path=args.state, local_only=args.local_only)
    print(f"Unlinked {account.email}." + ("" if told else " (The server did not know this device any more.)"))
    return 0


def cmd_biometric(args) -> int:
    state = State.load(args.state)
    account = state.one(args.account)
    if args.action == "status":
        print("on" if account.biometric else "off")
        return 0
    if args.action == "enable":
        pin = app.read_pin(_pin_source(args), f"PIN code for {account.email}", confirm=True)
        vault.store(account.id, pin)
        value = True
    else:
        vault.forget(account.id)
        value = False
    with State.editing(args.state) as editing:
        for entry in editing.accounts:
            if entry.id == account.id:
                entry.biometric = value
    print(f"Keyring unlock {'on' if value else 'off'} for {account.email}.")
    return 0


# --- argument parsing ------------------------------------------------------------------------------

def _pin_options(parser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--pin", help="the PIN code (visible to other users of this machine: for tests only)")
    group.add_argument("--pin-stdin", action="store_true", help="read the PIN code from standard input")


def _source_options(parser, *, required: bool = True) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--qr", metavar="IMAGE", help="an image (PNG, JPEG…) of the QR code")
    group.add_argument("--payload", metavar="TEXT", help="the text of the QR code (as shown below it), or - to "
                                                         "read it from stdin" + ("" if required else
                                                                                 "; without --qr or --payload, "
                                                                                 "it is asked for"))


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="limen-authenticator", description="The reference Limen mobile authenticator.")
    main.add_argument("--state", help="state file (default: ~/.config/limen-authenticator/state.json, "
                                      "or $LIMEN_AUTHENTICATOR_STATE)")
    main.add_argument("--version", action="version", version=APP_NAME)
    sub = main.add_subparsers(dest="command", required=True)

    p = sub.add_parser("enrol", aliases=["enroll"], help="add an account from an enrolment QR code, or its text")
    _source_options(p, required=False)
    _pin_options(p)
    p.add_argument("--allow-http", action="store_true", help="allow a server without HTTPS (testing only)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_enrol)

    p = sub.add_parser("accounts", help="list the accounts")
    p.add_argument("--check", action="store_true", help="ask each server whether the device is active or locked")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_accounts)

    p = sub.add_parser("pending", help="list sign-in requests waiting for an answer")
    p.add_argument("--account")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pending)

    p = sub.add_parser("approve", help="approve a sign-in request with the PIN code")
    p.add_argument("request", nargs="?", help="the request id (or its start); without it, the newest request "
                                              "(several browsers waiting: choose one at the terminal)")
    p.add_argument("--account")
    p.add_argument("--yes", action="store_true", help="do not ask whether the browser shows the same number")
    p.add_argument("--json", action="store_true")
    _pin_options(p)
    p.set_defaults(func=cmd_approve)

    p = sub.add_parser("deny", help="refuse a sign-in request")
    p.add_argument("request", nargs="?", help="the request id (or its start); chosen as for approve without it")
    p.add_argument("--account")
    p.set_defaults(func=cmd_deny)

    p = sub.add_parser("listen", help="wait for sign-in requests as they come")
    p.add_argument("--account")
    p.add_argument("--once", action="store_true", help="stop after the first request")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--interactive", dest="interactive", action="store_true", default=None,
                   help="offer to approve or deny each request (default at a terminal)")
    p.add_argument("--no-interactive", dest="interactive", action="store_false")
    p.add_argument("--duration", type=float, default=0, help="stop after this many seconds")
    p.add_argument("--wait", type=int, default=25, help="seconds each long poll may wait (default 25)")
    p.add_argument("--yes", action="store_true", help=argparse.SUPPRESS)
    _pin_options(p)
    p.set_defaults(func=cmd_listen)

    p = sub.add_parser("otp", help="offline one-time password from a QR challenge")
    _source_options(p)
    _pin_options(p)
    p.add_argument("--yes", action="store_true", help="use the keyring unlock without asking")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_otp)

    p = sub.add_parser("unlink", help="remove an account from the server and from this authenticator")
    p.add_argument("--account")
    p.add_argument("--local-only", action="store_true", help="forget it here without telling the server")
    p.add_argument("--yes", action="store_true")
    p.set_defaults(func=cmd_unlink)

    p = sub.add_parser("biometric", help="keep the PIN code in the OS keyring (biometric-style unlock)")
    p.add_argument("action", choices=["enable", "disable", "status"])
    p.add_argument("--account")
    _pin_options(p)
    p.set_defaults(func=cmd_biometric)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    for name in ("pin", "pin_stdin", "yes", "json"):
        if not hasattr(args, name):
            setattr(args, name, None if name == "pin" else False)
    try:
        return args.func(args)
    except ApiError as error:
        print(f"error: {error.message or error.code} ({error.code})", file=sys.stderr)
        return 1
    except (AuthenticatorError, StateError, NetworkError, qrread.QrError, vault.VaultError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
