import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

REAL_HASHERS = [
    "registro.accounts.hashers.RegistroArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    settings.ARGON2_TIME_COST, settings.ARGON2_MEMORY_COST_KIB, settings.ARGON2_PARALLELISM = 3, 65536, 1


def test_passwords_are_hashed_with_argon2id_and_the_chosen_parameters(real_hashers):
    encoded = make_password("Cl4ve#Segura-2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=65536,t=3,p=1$")
    assert check_password("Cl4ve#Segura-2026", encoded)
    assert not check_password("otra", encoded)


def test_hashes_with_old_parameters_are_upgraded(real_hashers, settings):
    old = make_password("Cl4ve#Segura-2026")
    settings.ARGON2_TIME_COST = 4
    assert identify_hasher(old).must_update(old)
    settings.ARGON2_TIME_COST = 3
    assert not identify_hasher(old).must_update(old)


def test_settings_use_argon2_first():
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == REAL_HASHERS[0]
