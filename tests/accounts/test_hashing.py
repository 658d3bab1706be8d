from django.contrib.auth.hashers import identify_hasher


def test_passwords_are_hashed_with_argon2_using_settings_cost(make_user, settings):
    user = make_user()
    hasher = identify_hasher(user.password)
    assert hasher.algorithm == "argon2"
    assert "$argon2id$" in user.password
    # The conftest lowers the cost; the hash records what was used.
    assert f"m={settings.ARGON2_MEMORY_COST},t={settings.ARGON2_TIME_COST}" in user.password


def test_settings_module_carries_production_cost_from_config():
    from track2 import settings as real

    assert real.ARGON2_TIME_COST == real.CONFIG.argon2_time_cost
    assert real.ARGON2_MEMORY_COST == real.CONFIG.argon2_memory_cost
    assert real.PASSWORD_HASHERS == ["track2.accounts.hashers.Track2Argon2PasswordHasher"]
