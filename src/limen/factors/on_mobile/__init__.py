""""On Mobile": sign in on the phone where the app is, with no password (EU Login's "On Mobile").

The sign-in page, on a phone whose browser holds the web app (same origin),
offers "Use the app on this device". The browser hands the request over to
the app through their shared storage (a secret that never travels in a
link), the person approves with the PIN or the device's biometrics over the
signed device API, and the browser goes on by itself, signed in at MEDIUM
with strength MOBILE_APP. A method like any other: this package and one line
in ``settings.SIGNIN_METHODS`` (docs/architecture.md).
"""
