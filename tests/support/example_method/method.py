"""One sign-in method: descriptor, availability, begin (what to show), verify (the proof)."""

from __future__ import annotations

import hmac

from django import forms

from limen.core.errors import LimenError
from limen.signin.attempts import Attempt, Challenge, Proof
from limen.signin.methods import Descriptor, Method
from limen.signin.models import Level

PAPER_CODE = "314-159"


class WrongPaperCode(LimenError):
    code = "wrong_paper_code"
    field = "code"
    default_message = "This is not the code on your paper."


class PaperCodeForm(forms.Form):
    code = forms.CharField(label="Code on your paper", max_length=20)


class PaperCode(Method):
    descriptor = Descriptor(
        key="paper_code", strength="PASSWORD_PAPER_CODE", level=Level.MEDIUM, amr=("pwd", "otp"),
        label="Paper code", description="The code your operator gave you on paper.", order=50,
        path="paper-code/",
    )
    template = "example_method/challenge.html"

    def available_for(self, user) -> bool:
        return user is not None and user.email.endswith("@paper.example")

    def begin(self, attempt: Attempt) -> Challenge:
        return Challenge(self.template, form=PaperCodeForm())

    def verify(self, attempt: Attempt, data):
        page = attempt.showing(Challenge(self.template, form=PaperCodeForm(data), status=400))
        if not page.form.is_valid():
            return page
        if not hmac.compare_digest(page.form.cleaned_data["code"].encode(), PAPER_CODE.encode()):
            raise WrongPaperCode()
        return Proof(method=self.key, strength=self.strength)
