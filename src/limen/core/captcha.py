"""A CAPTCHA that appears only when a client looks automated.

Shown once an IP has sent more than LIMEN_CAPTCHA_AFTER registration or
reset forms in an hour. Two forms of the same challenge: characters in an
image, and, as the accessible alternative, a question in words that a screen
reader can read. Answers are single use and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import random
import secrets
import time

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import ratelimit
from .net import client_ip

SESSION_KEY = "limen.captcha"
ALPHABET = "ACDEFHJKLMNPRTUVWXY34679"  # no look-alikes (0/O, 1/I, 5/S...)
LIFETIME = 600


def form_limit() -> ratelimit.Limit:
    return ratelimit.Limit("forms-ip", settings.CAPTCHA_AFTER, 3600)


def record_submission(request) -> None:
    ratelimit.hit(form_limit(), client_ip(request))


def needed(request) -> bool:
    return settings.CAPTCHA_AFTER >= 0 and ratelimit.count(form_limit(), client_ip(request)) >= settings.CAPTCHA_AFTER


def _digest(answer: str) -> str:
    return hashlib.sha256((settings.SECRET_KEY + answer.strip().upper()).encode()).hexdigest()


def new_challenge(request, kind: str = "image") -> dict:
    if kind == "question":
        a, b = random.SystemRandom().randint(2, 9), random.SystemRandom().randint(2, 9)
        challenge = {"kind": "question", "a": a, "b": b, "answer": _digest(str(a + b))}
    else:
        text = "".join(secrets.choice(ALPHABET) for _ in range(6))
        challenge = {"kind": "image", "text": text, "answer": _digest(text)}
    challenge["nonce"] = secrets.token_hex(4)
    challenge["expires"] = time.time() + LIFETIME
    request.session[SESSION_KEY] = challenge
    return challenge


def current(request) -> dict | None:
    challenge = request.session.get(SESSION_KEY)
    if not challenge or challenge.get("expires", 0) < time.time():
        return None
    return challenge


def verify(request, answer: str) -> bool:
    challenge = request.session.pop(SESSION_KEY, None)  # single use, right or wrong
    if not challenge or challenge.get("expires", 0) < time.time():
        return False
    return hmac.compare_digest(challenge["answer"], _digest(answer or ""))


def question_text(challenge: dict) -> str:
    return _("What is %(a)d plus %(b)d? Type the answer in digits.") % {"a": challenge["a"], "b": challenge["b"]}


def render_png(text: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.SystemRandom()
    width, height = 220, 70
    image = Image.new("RGB", (width, height), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.load_default(size=40)
    except TypeError:  # old Pillow
        font = ImageFont.load_default()
    for _ in range(6):
        draw.line([(rng.randint(0, width), rng.randint(0, height)) for _ in range(2)], fill=(120, 120, 160), width=2)
    x = 12
    for ch in text:
        glyph = Image.new("RGBA", (44, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((6, 4), ch, font=font, fill=(20, 30, 90))
        glyph = glyph.rotate(rng.randint(-25, 25), resample=Image.BICUBIC, expand=False)
        image.paste(glyph, (x, rng.randint(0, 12)), glyph)
        x += 33
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class CaptchaMixin:
    """Adds a CAPTCHA field to a form when the request needs one.

    The view passes ``request``; ``captcha_switch`` in the POST swaps the image
    for the question without losing what was typed.
    """

    captcha_required_message = gettext_lazy("Type the characters from the image, or the answer to the question.")
    captcha_wrong_message = gettext_lazy("The check did not match. A new one is shown: please try again.")

    def setup_captcha(self, request, *, force_new: bool = False):
        self.request = request
        self.captcha_challenge = None
        if not needed(request):
            return
        kind = "question" if request.POST.get("captcha_kind") == "question" else "image"
        if request.POST.get("captcha_switch"):
            kind = "question" if kind == "image" else "image"
            force_new = True
            # A switch is not a submission: show the form again with what was
            # typed, unvalidated, so no error appears for fields not yet filled.
            if self.is_bound:
                typed = self.data.dict() if hasattr(self.data, "dict") else dict(self.data)
                self.initial = {k: v for k, v in typed.items() if k in self.fields}
                self.data = {}
                self.is_bound = False
        challenge = current(request)
        if force_new or challenge is None or challenge["kind"] != kind:
            challenge = new_challenge(request, kind)
        self.captcha_challenge = challenge
        label = question_text(challenge) if kind == "question" else gettext_lazy("Characters in the image")
        self.fields["captcha"] = forms.CharField(
            label=label, max_length=12, required=True,
            error_messages={"required": self.captcha_required_message},
            widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                          "inputmode": "numeric" if kind == "question" else "text"}),
        )

    def ensure_captcha_shown(self) -> None:
        """After an invalid submission: if this one crossed the limit, show the CAPTCHA now,
        so the next submission is not refused for a check the person never saw."""
        if not getattr(self, "captcha_challenge", None) and needed(self.request):
            self.setup_captcha(self.request)

    def clean_captcha(self):
        answer = self.cleaned_data.get("captcha", "")
        if not verify(self.request, answer):
            new_challenge(self.request, self.captcha_challenge["kind"])
            raise ValidationError(self.captcha_wrong_message, code="captcha_wrong")
        return answer

    def full_clean(self):
        super().full_clean()
        if getattr(self, "captcha_challenge", None) and self.errors:
            # The answer was used up; show a fresh challenge with the form's errors.
            challenge = current(self.request) or new_challenge(self.request, self.captcha_challenge["kind"])
            self.captcha_challenge = challenge
            if challenge["kind"] == "question":
                self.fields["captcha"].label = question_text(challenge)
            # Django caches bound fields; drop the stale one so the new label shows.
            self._bound_fields_cache.pop("captcha", None)
            self.data = self.data.copy()
            self.data["captcha"] = ""
