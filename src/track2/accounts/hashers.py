from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class Track2Argon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with its cost read from settings, so tests can lower it (STYLE.md §7).

    Hashes keep their own parameters, so changing the cost never locks anyone out; Django
    re-hashes a password at the next sign-in when the parameters differ.
    """

    algorithm = "argon2"

    @property  # type: ignore[override]  # the base has plain attributes; these read settings
    def time_cost(self) -> int:
        return settings.ARGON2_TIME_COST

    @property  # type: ignore[override]  # as above
    def memory_cost(self) -> int:
        return settings.ARGON2_MEMORY_COST

    @property  # type: ignore[override]  # as above
    def parallelism(self) -> int:
        return settings.ARGON2_PARALLELISM
