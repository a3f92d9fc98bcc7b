"""Settings of the Limen server that the browser tests start: Limen's own, unchanged,
plus Django's request errors (500s with their traceback) in the server log.

With LIMEN_DEBUG=0, Django's default logging prints nothing for a 500, and
limen.settings only configures the ``limen`` logger; a failing browser test
would show "Something went wrong" with no cause.
"""

from limen.settings import *  # noqa: F401,F403
from limen.settings import LOGGING as _LOGGING

LOGGING = {
    **_LOGGING,
    "loggers": {
        **_LOGGING["loggers"],
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
