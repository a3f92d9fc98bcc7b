"""What the authenticator does, independent of the command line: enrol, answer, compute codes, unlink."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Callable, Iterator

from limen_protocol import OCRA_SUITE, b64, ocra, payloads
from limen_protocol import pin as pin_protocol

from . import APP_NAME, vault
from .client import ApiError, Client, NetworkError, check_server
from .keys import DeviceKey
from .state import Account, State, StateError  # noqa: F401 (re-exported)



class PinSource:
    """Where PIN codes come from: a fixed value (scripts, tests) or a person at a prompt."""

    interactive = False

    def __init__(self, pin: str | None = None):
        self.pin = pin

    def ask(self, question: str, *, confirm: bool) -> str:
        if self.pin is None:
            raise AuthenticatorError("a PIN code is needed")
        return self.pin

    def notice(self, message: str) -> None:
        pass


class AuthenticatorError(Exception):
    pass


def client_for(account: Account, **kwargs) -> Client:
    return Client(account.server, DeviceKey.from_pem(account.private_key), account.device_id, **kwargs)


def read_pin(source: PinSource, question: str, *, confirm: bool) -> str:
    pin = source.ask(question, confirm=confirm)
    if not pin_protocol.valid_pin(pin):
        raise AuthenticatorError("a PIN code is exactly 4 digits")
    return pin


# --- enrolment -----------------------------------------------------------------------------------

def enrol(payload_text: str, source: PinSource, *, state_path=None, allow_http: bool = False,
          on_scanned: Callable[[dict], None] | None = None) -> Account:
    """Scan, ask the PIN (twice), prove it; the account is saved only once the server accepted it."""
    try:
        payload = payloads.parse_enrolment(payload_text)
    except payloads.PayloadError as exc:
        raise AuthenticatorError(str(exc)) from None
    server = check_server(payload.server, allow_http=allow_http)
    key = DeviceKey.generate()
    client = Client(server, key)
    scanned = client.call("POST", "enrolments", {"token": payload.token, "public_key": key.public_key(),
                                                 "algorithm": key.algorithm, "app": APP_NAME})
    if scanned.get("ocra_suite") != OCRA_SUITE:
        raise AuthenticatorError(f"the server uses an OCRA suite this version does not know: {scanned.get('ocra_suite')}")
    if on_scanned:
        on_scanned(scanned)
    secret = b64.decode(scanned["device_secret"], length=pin_protocol.SECRET_LENGTH)
    client.device_id = scanned["device_id"]
    context = pin_protocol.enrolment_context(scanned["device_id"])
    while True:
        pin = read_pin(source, "PIN code chosen in the browser", confirm=True)
        proof = pin_protocol.proof_from_pin(secret, pin, context)
        try:
            client.call("POST", "enrolments/confirm", {"enrolment_id": scanned["enrolment_id"],
                                                       "pin_proof": b64.encode(proof)})
            break
        except ApiError as error:
            if error.code == "pin_mismatch" and error.data.get("attempts_left") and source.interactive:
                source.notice(f"{error.message} ({error.data['attempts_left']} attempts left)")
                continue
            raise
    account = Account(
        server=server, device_id=scanned["device_id"], device_name=scanned["device_name"],
        email=scanned["account"]["email"], name=scanned["account"]["name"], hint=scanned["account"]["hint"],
        private_key=key.to_pem(), device_secret=scanned["device_secret"], ocra_suite=scanned["ocra_suite"],
        site_name=scanned.get("site_name", "Limen"),
    )
    with State.editing(state_path) as state:
        state.accounts.append(account)
    return account


# --- sign-in requests ------------------------------------------------------------------------

@dataclass
class Request:
    account: Account
    data: dict

    @property
    def id(self) -> str:
        return self.data["id"]


def pending(accounts: list[Account]) -> Iterator[Request | tuple[Account, Exception]]:
    for account in accounts:
        try:
            for item in client_for(account).call("GET", "challenges")["challenges"]:
                yield Request(account, item)
        except (ApiError, NetworkError) as error:
            yield account, error


def _created(request: Request) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(request.data.get("created") or "")
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def _origin(request: Request) -> tuple:
    return request.account.id, request.data.get("browser", ""), request.data.get("ip", "")


@dataclass
class Choice:
    """Which waiting request an ``approve`` or ``deny`` without an id is about.

    A person who closes a tab and signs in again from the same browser leaves the first request waiting
    until it expires; it is no longer in front of anyone. So of the requests from one browser (the same
    browser and address, for the same account) only the newest counts, the older ones are ``left_over``.
    When requests from different browsers wait, which one is meant is the person's choice: ``candidates``,
    newest first (the number each one shows must then match the browser's, as always).
    """

    request: Request | None
    left_over: list[Request]
    candidates: list[Request]
    problems: list[tuple[Account, Exception]]


def choose(accounts: list[Account]) -> Choice:
    requests, problems = [], []
    for item in pending(accounts):
        (requests if isinstance(item, Request) else problems).append(item)
    requests.sort(key=_created, reverse=True)
    current, left_over, origins = [], [], set()
    for request in requests:
        (left_over if _origin(request) in origins else current).append(request)
        origins.add(_origin(request))
    if not current:
        detail = "; ".join(f"{a.label()}: {e}" for a, e in problems)
        raise AuthenticatorError("no pending sign-in request" + (f" ({detail})" if detail else ""))
    if len(current) == 1:
        return Choice(current[0], left_over, current, problems)
    return Choice(None, left_over, current, problems)


def find_request(accounts: list[Account], prefix: str | None) -> Request:
    found, problems = [], []
    for item in pending(accounts):
        if isinstance(item, Request):
            found.append(item)
        else:
            problems.append(item)
    if prefix:
        found = [r for r in found if r.id.startswith(prefix)]
    if len(found) == 1:
        return found[0]
    detail = "; ".join(f"{a.label()}: {e}" for a, e in problems)
    if not found:
        raise AuthenticatorError("no pending sign-in request" + (f" ({detail})" if detail else ""))
    raise AuthenticatorError("several requests are pending: name one (see: limen-authenticator pending)")


def approve(request: Request, pin: str) -> dict:
    secret = b64.decode(request.account.device_secret)
    number = request.data["number"]
    context = pin_protocol.answer_context(request.id, "approve", number)
    proof = b64.encode(pin_protocol.proof_from_pin(secret, pin, context))
    return client_for(request.account).call("POST", f"challenges/{request.id}/answer",
                                            {"decision": "approve", "number": number, "pin_proof": proof})


def deny(request: Request) -> dict:
    return client_for(request.account).call("POST", f"challenges/{request.id}/answer",
                                            {"decision": "deny", "number": request.data["number"]})


def listen(accounts: list[Account], on_request: Callable[[Request], None], *,
           on_problem: Callable[[Account, Exception], None] = lambda a, e: None, wait: int = 25,
           stop: threading.Event | None = None) -> None:
    """Hold one long poll per account; call ``on_request`` once per new request, until ``stop``."""
    stop = stop or threading.Event()
    seen: set[str] = set()
    lock = threading.Lock()

    def run(account: Account) -> None:
        client = client_for(account, timeout=wait + 10)
        backoff = 1.0
        have: list[str] = []  # requests of this account already shown and still pending
        while not stop.is_set():
            try:
                query = f"timeout={wait}" + (f"&seen={','.join(have[-20:])}" if have else "")
                items = client.call("GET", f"challenges/wait?{query}")["challenges"]
                backoff = 1.0
            except ApiError as error:
                on_problem(account, error)
                if error.code in {"unknown_device", "device_locked"}:
                    return  # nothing will come for this device
                stop.wait(backoff)
                backoff = min(backoff * 2, 30)
                continue
            except NetworkError as error:
                on_problem(account, error)
                stop.wait(backoff)
                backoff = min(backoff * 2, 30)
                continue
            for item in items:
                have.append(item["id"])
                with lock:
                    if item["id"] in seen:
                        continue
                    seen.add(item["id"])
                on_request(Request(account, item))
            if not items and have:
                have.clear()  # nothing new in a whole wait: let answered or expired ids go

    threads = [threading.Thread(target=run, args=(a,), daemon=True, name=f"listen-{a.id}") for a in accounts]
    for thread in threads:
        thread.start()
    try:
        while not stop.is_set() and any(t.is_alive() for t in threads):
            stop.wait(0.2)
    finally:
        stop.set()


# --- offline one-time password ----------------------------------------------------------------

def otp(state: State, payload_text: str, pin: str) -> tuple[Account, str]:
    """No network: the code from the QR challenge, the device secret and the PIN."""
    try:
        payload = payloads.parse_otp(payload_text)
    except payloads.PayloadError as exc:
        raise AuthenticatorError(str(exc)) from None
    account = state.for_otp(payload.server, payload.account)
    code = ocra.compute(account.ocra_suite, b64.decode(account.device_secret), question=payload.challenge,
                        pin_hash=pin_protocol.ocra_pin_hash(pin))
    return account, code


def account_for_otp(state: State, payload_text: str) -> Account:
    try:
        payload = payloads.parse_otp(payload_text)
    except payloads.PayloadError as exc:
        raise AuthenticatorError(str(exc)) from None
    return state.for_otp(payload.server, payload.account)


# --- unlink ----------------------------------------------------------------------------------

def unlink(account: Account, *, state_path=None, local_only: bool = False) -> bool:
    """Tell the server (unless local_only), then forget the account. Returns whether the server knew."""
    told = False
    if not local_only:
        try:
            client_for(account).call("DELETE", "device")
            told = True
        except ApiError as error:
            if error.code != "unknown_device":
                raise
    vault.forget(account.id)
    with State.editing(state_path) as state:
        state.remove(account)
    return told


def device_status(account: Account) -> dict:
    return client_for(account).call("GET", "device")


__all__ = ["AuthenticatorError", "StateError", "ApiError", "NetworkError", "enrol", "pending", "choose", "approve",
           "deny", "listen", "otp", "unlink"]
