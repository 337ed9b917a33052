from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class RegistroArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with parameters from settings (docs/adr/0003-password-hashing.md). Hashes made
    with other parameters are re-hashed at the next successful login (must_update)."""

    @property
    def time_cost(self):
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self):
        return settings.ARGON2_MEMORY_COST_KIB

    @property
    def parallelism(self):
        return settings.ARGON2_PARALLELISM
