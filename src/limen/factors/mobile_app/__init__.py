"""The mobile authenticator: enrolment by QR code, PIN push sign-in, offline QR one-time password.

Two factors share the devices of this package: ``mobile_app_pin``
(PASSWORD_MOBILE_APP) and ``mobile_app_qr`` (PASSWORD_SOFTWARE_TOKEN). The
device API lives under /mobile/api/v1/; docs/mobile-app.md explains the
protocol and its threat model.
"""
