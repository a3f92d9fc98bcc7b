"""National eID as a sign-in method: EIDAS, two factors on its own (level MEDIUM).

It signs a person in without a password (the button on the identifier page,
views.start_signin), and it is a verification method after the password or
for step-up (the challenge page below sends the person to their provider).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from limen.core import sql
from limen.signin.attempts import Attempt, Challenge, Redirect
from limen.signin.methods import Descriptor, Method
from limen.signin.models import Level

from . import flows, services
from .errors import NoProvider
from .models import EidLink, UpstreamProvider

KEY = "eid"


# Asked on every identifier page and step: the ORM builds each once.
_linked = sql.Exists(lambda user_id: EidLink.objects.filter(user=user_id, provider__enabled=True))
_any_provider = sql.Exists(lambda: UpstreamProvider.objects.filter(enabled=True))


class EidMethod(Method):
    descriptor = Descriptor(
        key=KEY, strength="EIDAS", level=Level.MEDIUM, amr=("eid", "mfa"), label=gettext_lazy("National eID"),
        description=gettext_lazy("Use your national electronic identity to sign in, without a password."),
        order=70, passwordless=True, needs=(), path="eid/verify/",
    )
    template = "eid/choose.html"
    identify_template = "eid/signin_button.html"

    def available_for(self, user) -> bool:
        return bool(user and user.pk) and _linked(user.pk)

    def manage_url(self) -> str:
        return reverse("eid:manage")

    def manage_label(self):
        return gettext_lazy("Manage my eIDs")

    def enrolled_count(self, user) -> int:
        return EidLink.objects.filter(user=user).count()

    def remove_all(self, user) -> int:
        return services.unlink_all(user)

    def identify_context(self, request, next_url: str):
        if not _any_provider():
            return None
        return {"enabled": True, "url": reverse("eid:signin") + "?" + urlencode({"next": next_url})}

    def begin(self, attempt: Attempt):
        """To the person's provider (or a choice among theirs): they sign in there and come back."""
        providers = list(UpstreamProvider.objects.filter(enabled=True, links__user=attempt.user).distinct())
        slug = attempt.request.GET.get("provider")
        if slug:
            providers = [p for p in providers if p.slug == slug]
        if not providers:
            raise NoProvider()
        if len(providers) > 1:
            here = self.challenge_url()
            return Challenge(self.template, {"heading": _("Verify with your eID"), "choices": [
                {"provider": p, "url": here + "?" + urlencode({"provider": p.slug})} for p in providers]})
        url = flows.begin(attempt.request, providers[0], purpose="verify", user_id=attempt.user.pk)
        return Redirect(url, leaving_for=providers[0].name)
