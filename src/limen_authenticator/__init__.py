"""limen-authenticator: the reference mobile authenticator for Limen, as a command-line program.

It does what the phone app does: read an enrolment QR code (image or pasted
text), create its own key pair, enrol with the PIN, hold several accounts on
several servers, list and approve or deny sign-in requests, wait for them as
they come, compute offline one-time passwords from a QR challenge, and unlink.
It shares only ``limen_protocol`` with the server.
"""

__version__ = "0.1.0"
APP_NAME = f"limen-authenticator {__version__}"
