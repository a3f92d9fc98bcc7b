"""The test settings plus one line: the example method in SIGNIN_METHODS (docs/architecture.md)."""

from tests.settings import *  # noqa: F401,F403
from tests.settings import INSTALLED_APPS, SIGNIN_METHODS

SIGNIN_METHODS = [*SIGNIN_METHODS, "tests.support.example_method"]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.support.example_method"]
