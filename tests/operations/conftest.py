"""Real sites for the operations tests: each `track2` command runs in its own process against a
throwaway data folder, on SQLite and on a real PostgreSQL (the test run's, or one started here)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from tests.dialogues.conftest import build_world, signed_in  # the pages' fixtures, shared
from tests.helpers import outside_env
from tests.template_db import demo_site as built_demo_site
from track2.dialogues.models import Membership, Role

__all__ = ["signed_in"]

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "a long test passphrase, not a real one"


@dataclass
class Site:
    home: Path
    database_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    # What each command printed (stdout, then stderr): the site's logs go to its console.
    transcript: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = outside_env()
        env.update(
            TRACK2_HOME=str(self.home),
            DJANGO_SETTINGS_MODULE="tests.operations.site_settings",
            TRACK2_EMAIL_URL="locmem://",
            # src first: a worktree's own code, not the editable install's (which may be another
            # checkout's).
            PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        )
        env.update(self.extra_env)  # last: a test may set any of the above otherwise
        if self.database_url:
            env["TRACK2_DATABASE_URL"] = self.database_url
        return env

    def run(self, *args: str, check: bool = False, **kwargs) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "track2", *args],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            **kwargs,
        )
        self.transcript.append(f"{done.stdout}{done.stderr}")
        if check and done.returncode != 0:
            raise AssertionError(f"track2 {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def shell(self, code: str) -> str:
        """What the code printed (Django's shell announces its imports first: left out)."""
        out = self.run("shell", "-c", code, check=True).stdout.splitlines()
        return "\n".join(line for line in out if "imported automatically" not in line)

    @property
    def sqlite_path(self) -> Path:
        return self.home / "track2.sqlite3"


@pytest.fixture
def passphrase_file(tmp_path) -> Path:
    path = tmp_path / "passphrase"
    path.write_text(PASSPHRASE + "\n")
    return path


def make_keys(site: Site, dialogue_ids) -> dict[str, bytes]:
    """Key files as the room and the back channel write them (the contract in docs/operations.md).
    A key the site already made (the demo's room votes under it) is kept, not replaced."""
    keys = site.home / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    made = {}
    for name in [f"dialogue-{i}.key" for i in dialogue_ids] + ["backchannel-log.key"]:
        path = keys / name
        if not path.exists():
            path.write_bytes(os.urandom(32))
            path.chmod(0o600)
        made[name] = path.read_bytes()
    return made


def two_conveners(site: Site, dialogue: int) -> list[str]:
    """The e-mails of two conveners of the dialogue (key destruction takes two): the demo's
    dialogue has two; a dialogue with one gets a second."""
    conveners = site.shell(
        "from track2.dialogues.models import Membership as M; "
        f"print(' '.join(M.objects.filter(dialogue_id={dialogue}, role='convener')"
        ".values_list('user__email', flat=True)))"
    ).split()
    if len(conveners) < 2:
        site.shell(
            "from track2.accounts.models import User; from track2.dialogues.models import Membership as M; "
            "u = User.objects.create_user(email='second.convener@demo.track2.invalid', password='x'*12); "
            f"M.objects.create(dialogue_id={dialogue}, user=u, role='convener')"
        )
        conveners.append("second.convener@demo.track2.invalid")
    return conveners[:2]


@pytest.fixture(scope="session")
def demo_template() -> Path:
    """A migrated SQLite site with the demo data, built once per run and copied per test."""
    # The empty database migrated once per run (tests/template_db.py); the commands' own
    # migrations are tested from empty sites (test_upgrade.py, restore and migrate-to).
    return built_demo_site()


@pytest.fixture
def demo_site(demo_template, tmp_path) -> Site:
    home = tmp_path / "site"
    shutil.copytree(demo_template, home)
    return Site(home)


@pytest.fixture
def empty_site(tmp_path) -> Site:
    home = tmp_path / "empty"
    home.mkdir(mode=0o700)
    return Site(home)


# --- PostgreSQL -------------------------------------------------------------------------------


def _start_cluster(base: Path) -> tuple[str, callable]:
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:
        pytest.skip("PostgreSQL is not installed (scripts/test.sh installs it)")
    bindir = Path(initdb[-1]).parent
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = base / "data"
    subprocess.run(
        as_postgres
        + [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"]
        + ["-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        as_postgres
        + [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o"]
        + [f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
        check=True,
        capture_output=True,
    )

    def stop():
        subprocess.run(
            as_postgres + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )

    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


@pytest.fixture(scope="session")
def postgres_server():
    """The admin URL of a real PostgreSQL: the suite's own when it runs on one, else a
    throwaway cluster started for these tests."""
    given = os.environ.get("TRACK2_DATABASE_URL", "")
    if given.startswith("postgres"):
        yield given.rsplit("/", 1)[0] + "/postgres"
        return
    base = Path(tempfile.mkdtemp(prefix="track2-ops-pg-"))
    url, stop = _start_cluster(base)
    try:
        yield url
    finally:
        stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def new_database(postgres_server):
    """Make empty PostgreSQL databases; each is dropped after the test."""
    made = []

    def make() -> str:
        name = f"ops_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return postgres_server.rsplit("/", 1)[0] + f"/{name}"

    yield make
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        for name in made:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def world(make_user, institution, settings, tmp_path):
    """The pages' world (tests/dialogues/conftest.py), its keys in a data folder of its own."""
    settings.TRACK2_HOME = tmp_path
    return build_world(make_user, institution)


@pytest.fixture
def second_convener(world, make_user):
    """A second convener of the world's dialogue: what takes two conveners needs one."""
    user = make_user("second.convener@example.org")
    Membership.objects.create(dialogue=world.dialogue, user=user, role=Role.CONVENER)
    return user
