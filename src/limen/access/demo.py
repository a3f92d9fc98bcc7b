"""Sample data for `limen demo`: a fictional pension fund's portal that requires validated access.

`limen demo` registers the portal (demo/pension/app.py) as a CAS application
at level MEDIUM and hands it here: its access policy asks for the personnel
number (twice), the family and first names, the birth date and the
institution, as the request form of the pensioners' guide does. Two accounts
get a fresh password at every start: a retired member of staff (to whom
`limen demo` gives a mobile number, for SMS codes on the development outbox
page) and a validator.
"""

from __future__ import annotations

import secrets

from limen.accounts.models import User

from . import policies
from .applications import AppRef

DEMO_NAME = "Aurora Pension Fund (demo)"
PENSIONER = "pensioner@example.org"
PENSIONER_PHONE = "+46701234567"
VALIDATOR = "validator@example.org"
FIELDS = [
    {"name": "personnelNumber", "label": "Personnel number", "type": "identifier", "pattern": "[0-9]{8}",
     "max_length": 8, "help": "8 digits, in the grey box at the top left of your pension slip."},
    {"name": "familyName", "label": "Family name", "type": "text", "prefill": "last_name", "max_length": 100},
    {"name": "givenName", "label": "First name", "type": "text", "prefill": "first_name", "max_length": 100,
     "released": False},
    {"name": "birthDate", "label": "Birth date", "type": "date"},
    {"name": "institution", "label": "Institution you retired from", "type": "choice", "required": False,
     "choices": ["Aurora Commission", "Aurora Parliament", "Aurora Council", "Another Aurora body"]},
]
ACKNOWLEDGEMENT = ("Processing may take up to 3 working days. Once your request is validated, you receive a "
                   "validation code by e-mail or SMS, as you chose. (In this demo, sign in as the validator "
                   "to validate it yourself.)")


def _account(email: str, password: str, **fields) -> User:
    user = User.objects.find_by_email(email)
    if user is None:
        return User.objects.create_user(email, password, email_verified=True, **fields)
    user.set_password(password)
    user.is_active, user.locked_until, user.failed_signins = True, None, 0
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    return user


def prepare(ref: AppRef) -> dict[str, str]:
    """Require validation for the portal and make the two accounts; returns their passwords and the slug."""
    policy, _created = policies.configure(
        ref, level="MEDIUM", fields=FIELDS, slug="aurora-pension-fund", enabled=True, acknowledgement=ACKNOWLEDGEMENT,
        intro="For retired staff of the (fictional) Aurora institutions: tell us who you are in our pension "
              "records, once. Double-check every detail before you send it.")
    pensioner_password, validator_password = "Demo-" + secrets.token_urlsafe(9), "Val-" + secrets.token_urlsafe(9)
    pensioner = _account(PENSIONER, pensioner_password, first_name="Pat", last_name="Pensioner")
    validator = _account(VALIDATOR, validator_password, first_name="Vera", last_name="Validator", is_staff=True)
    policies.add_validator(policy, validator)
    return {"pensioner": pensioner_password, "validator": validator_password, "slug": policy.slug}
