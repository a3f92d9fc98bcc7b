"""Signals other areas listen to (e.g. CAS single logout)."""

from django.dispatch import Signal

# Sent just before an SSO session ends (sign-out, expiry, password reset,
# operator action). Arguments: session_key, user. A receiver may return a
# list of application names it signed the user out of, to show on the page.
sso_session_ending = Signal()
