"""The fields a request form asks for, as an operator describes them (command line, operators' site).

A field is typed:

- ``text``: one line, at most ``max_length`` characters, optionally matching ``pattern``;
- ``identifier``: the same, typed twice (a personnel number and its confirmation), spaces ignored;
- ``date``: a day in the past (a birth date, the first day of service), from a date picker or typed;
- ``choice``: one of ``choices``.

``label`` and ``help`` are a text or one text per language (``{"en": "…", "fr": "…"}``): they are the
operator's words, shown in the person's language when given. ``name`` is what the application
receives (``personnelNumber``); it cannot be one of the names applications already get from Limen.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from limen.core.forms import has_control_characters


class Kind(models.TextChoices):
    TEXT = "text", _("Text")
    IDENTIFIER = "identifier", _("Identifier, typed twice")
    DATE = "date", _("Date in the past")
    CHOICE = "choice", _("Choice")


class Prefill(models.TextChoices):
    NONE = "", _("Nothing")
    FIRST_NAME = "first_name", _("First name")
    LAST_NAME = "last_name", _("Last name")


# Names applications already receive from Limen (CAS attributes and the three CAS 3.0 facts, OpenID
# Connect claims): a field may not shadow them. tests/access/test_fields.py checks this list against
# limen.cas.attributes and limen.oidc.claims.
RESERVED = frozenset({
    "user", "uid", "email", "firstName", "lastName", "domain", "locale", "authenticationLevel", "strengths",
    "assuranceLevel", "loginDate", "sso", "isFromNewLogin", "ticketType", "authenticationDate",
    "longTermAuthenticationRequestTokenUsed", "attributes", "proxies", "proxyGrantingTicket",
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "azp", "at_hash", "c_hash",
    "jti", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
    "picture", "website", "email_verified", "gender", "birthdate", "zoneinfo", "phone_number",
    "phone_number_verified", "address", "updated_at", "scope", "client_id", "events",
})
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
MAX_FIELDS = 20
MAX_LENGTH = 200
MAX_CHOICES = 50
MAX_TEXT = 200  # a label, a help text or a choice


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str | dict
    kind: str = Kind.TEXT
    required: bool = True
    help: str | dict = ""
    pattern: str = ""
    choices: tuple[str, ...] = field(default_factory=tuple)
    max_length: int = 100
    prefill: str = ""
    released: bool = True

    def as_dict(self) -> dict:
        data = asdict(self)
        data["choices"] = list(self.choices)
        return data

    @classmethod
    def of(cls, row) -> FieldSpec:
        """From a RequestField row."""
        return cls(name=row.name, label=row.label, kind=row.kind, required=row.required, help=row.help or "",
                   pattern=row.pattern, choices=tuple(row.choices or ()), max_length=row.max_length,
                   prefill=row.prefill, released=row.released)


def localized(value: str | dict | None) -> str:
    """The operator's text in the current language, else English, else the first one given."""
    if isinstance(value, dict):
        language = (translation.get_language() or "en").split("-")[0]
        for key in (language, "en"):
            if value.get(key):
                return str(value[key])
        return str(next(iter(value.values()), ""))
    return str(value or "")


def _text(value, what: str, *, required: bool) -> str | dict:
    """A label or help text: one text, or one per language."""
    texts = value if isinstance(value, dict) else {"": value}
    if not texts and required:
        raise ValidationError(_("Give the %(what)s.") % {"what": what})
    for language, text in texts.items():
        if not isinstance(text, str) or not isinstance(language, str) or len(language) > 8:
            raise ValidationError(_("The %(what)s must be a text, or one text per language.") % {"what": what})
        if (required and not text.strip()) or len(text) > MAX_TEXT or has_control_characters(text):
            raise ValidationError(_("The %(what)s must be 1 to %(max)d characters, without control characters.")
                                  % {"what": what, "max": MAX_TEXT})
    return value if isinstance(value, dict) else value.strip()


def _pattern(value) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise ValidationError(_("The pattern must be a regular expression of at most 200 characters."))
    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(_("This is not a valid regular expression: %(error)s") % {"error": error}) from None
    return value


def parse_spec(data: dict) -> FieldSpec:
    """One field from what an operator wrote; raises ValidationError that names the problem."""
    if not isinstance(data, dict):
        raise ValidationError(_("Each field is an object such as {\"name\": \"personnelNumber\", \"label\": "
                                "\"Personnel number\", \"type\": \"identifier\"}."))
    known = {"name", "label", "type", "kind", "required", "help", "pattern", "choices", "max_length", "prefill",
             "released"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValidationError(_("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)})
    name = data.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValidationError(_("The name must start with a letter and have at most 40 letters, digits or _."))
    if name in RESERVED:
        raise ValidationError(_("%(name)s is already sent to applications by Limen; choose another name.")
                              % {"name": name})
    kind = data.get("type", data.get("kind", Kind.TEXT))
    if kind not in Kind.values:
        raise ValidationError(_("The type must be one of: %(kinds)s.") % {"kinds": ", ".join(Kind.values)})
    max_length = data.get("max_length", 100)
    if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= MAX_LENGTH:
        raise ValidationError(_("max_length must be a whole number from 1 to %(max)d.") % {"max": MAX_LENGTH})
    choices = data.get("choices") or []
    if kind == Kind.CHOICE:
        if not isinstance(choices, list) or not 1 <= len(choices) <= MAX_CHOICES or \
                len(set(choices)) != len(choices):
            raise ValidationError(_("A choice field needs 1 to %(max)d different choices.") % {"max": MAX_CHOICES})
        choices = [_text(c, _("choice"), required=True) for c in choices]
        if any(isinstance(c, dict) for c in choices):
            raise ValidationError(_("Choices are plain texts."))
    elif choices:
        raise ValidationError(_("Only a choice field has choices."))
    pattern = _pattern(data.get("pattern", ""))
    if pattern and kind not in (Kind.TEXT, Kind.IDENTIFIER):
        raise ValidationError(_("Only text and identifier fields have a pattern."))
    prefill = data.get("prefill", "")
    if prefill not in Prefill.values or (prefill and kind != Kind.TEXT):
        raise ValidationError(_("prefill is first_name or last_name, for text fields only."))
    flags = {key: data.get(key, True) for key in ("required", "released")}
    if not all(isinstance(v, bool) for v in flags.values()):
        raise ValidationError(_("required and released are true or false."))
    return FieldSpec(name=name, label=_text(data.get("label"), _("label"), required=True), kind=kind,
                     help=_text(data.get("help", ""), _("help text"), required=False), pattern=pattern,
                     choices=tuple(choices), max_length=max_length, prefill=prefill, **flags)


def parse_specs(items) -> list[FieldSpec]:
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_FIELDS:
        raise ValidationError(_("Give a list of 1 to %(max)d fields.") % {"max": MAX_FIELDS})
    specs = []
    for number, item in enumerate(items, start=1):
        try:
            specs.append(parse_spec(item))
        except ValidationError as error:
            raise ValidationError(_("Field %(number)d: %(problem)s")
                                  % {"number": number, "problem": " ".join(error.messages)}) from None
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValidationError(_("Two fields have the same name."))
    return specs
