"""The password, as a method: its descriptor gives the PASSWORD strength its level and amr.

Its pages are the sign-in pages themselves (views.identify, views.password);
the check with lockout and rate limits is services.check_password.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .methods import Descriptor, Method
from .models import Level


class PasswordMethod(Method):
    descriptor = Descriptor(
        key="password", strength="PASSWORD", level=Level.BASIC, amr=("pwd",), label=_("Password only"),
        order=0, second_factor=False, passwordless=False, needs=(), multi_factor=False,
    )

    def available_for(self, user) -> bool:
        return user is not None and user.has_usable_password()

    def enrolled_count(self, user) -> int:
        return 0  # not a verification method to list or to remove (PANIC keeps the password)
