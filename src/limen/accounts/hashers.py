"""argon2id with parameters from settings (OWASP: m=19 MiB, t=2, p=1 by default)."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class LimenArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"

    @property
    def memory_cost(self):
        return settings.ARGON2_MEMORY_KIB

    @property
    def time_cost(self):
        return settings.ARGON2_TIME_COST

    @property
    def parallelism(self):
        return settings.ARGON2_PARALLELISM
