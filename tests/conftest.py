import pytest

from tests.helpers import PASSWORD
from track2.accounts.models import User
from track2.dialogues.models import Dialogue, Membership, Role
from track2.institutions.models import Institution


def pytest_collection_modifyitems(items):
    """Browser tests last: Playwright's sync API keeps an event loop running in the main thread
    for the rest of the session (the browser is session-scoped), and any later test calling
    asyncio.run() would fail with "cannot be called from a running event loop"."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    # Cheap Argon2 in tests (STYLE.md §7); tests/accounts/test_hashing.py asserts production values.
    settings.ARGON2_TIME_COST = 1
    settings.ARGON2_MEMORY_COST = 8
    settings.ARGON2_PARALLELISM = 1
    # No manifest in tests: collectstatic is not run for every test session.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_user(db):
    def make(email: str = "person@example.org", password: str = PASSWORD, **fields) -> User:
        return User.objects.create_user(email=email, password=password, **fields)

    return make


@pytest.fixture
def institution(db) -> Institution:
    return Institution.objects.create(name="Institute for Maritime Dialogue")


@pytest.fixture
def dialogue(institution) -> Dialogue:
    return Dialogue.objects.create(
        title="Varena Sea Dialogue",
        purpose="Fisheries and incident prevention.",
        institution=institution,
    )


@pytest.fixture
def member_of(dialogue):
    def add(user: User, *roles: str, to: Dialogue | None = None) -> User:
        for role in roles or (Role.PARTICIPANT,):
            Membership.objects.create(dialogue=to or dialogue, user=user, role=role)
        return user

    return add
