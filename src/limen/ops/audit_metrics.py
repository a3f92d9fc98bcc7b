"""Sign-in outcomes and lockouts, counted from the audit trail as it is written.

Every sign-in step that succeeds or is refused already writes an audit event with the
method in its data; counting here keeps the metrics and the trail in step, and keeps
metrics code out of each method's package.
"""

from __future__ import annotations

from limen.audit.events import Event
from limen.core import metrics
from limen.signin.methods import registry

PASSWORD = "password"
# Audit names of methods that differ from their registry key.
ALIASES = {"mobile_app": "mobile_app_pin"}

# event -> (method when the data names none, outcome)
SIGNIN_EVENTS = {
    Event.SIGNIN_SUCCEEDED: (PASSWORD, "succeeded"),
    Event.STEPPED_UP: (None, "succeeded"),
    Event.SIGNIN_FAILED: (PASSWORD, "failed"),
    Event.SIGNIN_REFUSED_LOCKED: (PASSWORD, "refused_locked"),
    Event.SIGNIN_REFUSED_DISABLED: (PASSWORD, "refused_disabled"),
    Event.FACTOR_FAILED: (None, "failed"),
    Event.MOBILE_OTP_FAILED: ("mobile_app_qr", "failed"),
    Event.EID_SIGNIN_FAILED: ("eid", "failed"),
}
LOCKOUT_EVENTS = {Event.LOCKED: "account", Event.MOBILE_DEVICE_LOCKED: "mobile_device"}


def method_keys() -> set[str]:
    return {PASSWORD, *(m.key for m in registry.all())}


def count(sender=None, *, entry, **_kwargs) -> None:
    event = entry.event
    if event in LOCKOUT_EVENTS:
        metrics.lockout(LOCKOUT_EVENTS[event])
        return
    if event == Event.MOBILE_WRONG_PIN:
        method = "mobile_app_pin" if entry.data.get("context") == "push" else None
        if method:  # a wrong PIN in a QR one-time password is counted by MOBILE_OTP_FAILED
            metrics.signin(method, "failed", methods=method_keys())
        return
    if event not in SIGNIN_EVENTS:
        return
    default, outcome = SIGNIN_EVENTS[event]
    if event == Event.FACTOR_FAILED and (entry.data.get("stage") == "register"
                                         or entry.data.get("purpose") == "enrol"):
        return  # adding a security key or a phone number failed: not a sign-in
    method = str(entry.data.get("method") or default or metrics.OTHER)
    metrics.signin(ALIASES.get(method, method), outcome, methods=method_keys())
