"""Real servers for live-update tests: a throwaway PostgreSQL, `track2 serve` processes, a world
seeded through the real actions, and a small SSE client over a plain socket."""

from __future__ import annotations

import glob
import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import healthz_answers
from tests.site.test_serve import free_port

ROOT = Path(__file__).resolve().parents[2]


def served_env(home: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "TRACK2_EMAIL_URL", "TRACK2_DATABASE_URL")
    }
    env["TRACK2_HOME"] = str(home)
    env["TRACK2_EMAIL_URL"] = "locmem://"
    # This checkout's code first (the installed package may be another checkout's), then the
    # root for tests.* and benchmarks.*.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env["PYTHONUNBUFFERED"] = "1"  # the server log file shows lines as they are written
    # Cheap Argon2 (STYLE.md §7): the seeds hash a password per person of their world and the
    # browser tests sign in; tests/accounts/test_hashing.py asserts the production cost.
    env["TRACK2_ARGON2_TIME_COST"] = "1"
    env["TRACK2_ARGON2_MEMORY_COST"] = "64"
    if database_url:
        env["TRACK2_DATABASE_URL"] = database_url
    return env


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database: in the suite's server when it runs on PostgreSQL, else in a
    throwaway cluster started here (as scripts/test.sh does)."""
    import psycopg

    url = os.environ.get("TRACK2_DATABASE_URL", "")
    if url.startswith("postgres"):
        name = "track2_live_" + secrets.token_hex(4)
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        try:
            yield url.rsplit("/", 1)[0] + "/" + name
        finally:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        return
    initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdbs:
        pytest.skip("PostgreSQL is not installed (scripts/test.sh installs it)")
    pgbin = Path(initdbs[-1]).parent
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="track2-live-pg-"))
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    port = free_port()
    run = lambda *args: subprocess.run(  # noqa: E731
        [*as_postgres, *map(str, args)], check=True, capture_output=True, timeout=120
    )
    run(pgbin / "initdb", "-D", folder / "data", "-U", "postgres", "-A", "trust", "--no-sync")
    run(
        pgbin / "pg_ctl",
        "-D",
        folder / "data",
        "-l",
        folder / "server.log",
        "-w",
        "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
        "start",
    )
    try:
        run(pgbin / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "track2")
        yield f"postgresql://postgres@127.0.0.1:{port}/track2"
    finally:
        subprocess.run(
            [
                *as_postgres,
                str(pgbin / "pg_ctl"),
                "-D",
                str(folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def seed(env: dict[str, str], module: str = "tests.live.seed_world") -> dict:
    """Migrate and build a world through the real actions; returns its ids and tokens."""
    done = subprocess.run(
        [sys.executable, "-m", module],
        env={**env, "DJANGO_SETTINGS_MODULE": "track2.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def serve(env: dict[str, str], workers: int = 1, port: int | None = None) -> Iterator[str]:
    port = port or free_port()
    # The server's output goes to a file, not a pipe: a pipe nobody reads while the server runs
    # fills up (64 KB of warnings) and then blocks the server on its next log line.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed below)
        "w+", prefix="track2-serve-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "track2", "serve", "--port", str(port), "--workers", str(workers)],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )

    def output() -> str:
        log.flush()
        return Path(log.name).read_text()

    base = f"http://127.0.0.1:{port}"
    _outputs[base] = output
    # Migrations and collectstatic (which compresses every static file) come first: on a busy
    # shared machine that alone has taken minutes.
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("track2 serve exited:\n" + output())
            if healthz_answers(base):
                break
            time.sleep(0.3)
        else:
            process.kill()
            pytest.fail("track2 serve did not answer within 600 s:\n" + output())
        yield base
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                pytest.fail("track2 serve did not stop within 30 s of SIGTERM:\n" + output())
        _outputs.pop(base, None)
        log.close()
        os.unlink(log.name)


_outputs: dict[str, Callable[[], str]] = {}


def server_output(base: str) -> str:
    """What the server at `base` (while `serve` runs it) has written to its log so far."""
    return _outputs[base]()


class EventReader:
    """A minimal SSE client: one HTTP connection, frames parsed as they arrive."""

    def __init__(self, base: str, path: str, token: str, last_event_id: int | None = None):
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", path, headers=headers)
        self.response = self.connection.getresponse()
        self.status = self.response.status

    def next_event(self, timeout: float = 5.0) -> dict | None:
        """The next `changed` event's fields (id, data) or None when none comes in time."""
        deadline = time.monotonic() + timeout
        fields: dict[str, str] = {}
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.connection.sock.settimeout(left)
            try:
                # HTTPResponse.readline reads through the chunked transfer encoding. After a
                # timeout the reader may be mid-chunk: tests close it rather than read on.
                line = self.response.readline()
            except TimeoutError:
                return None
            if not line:
                return None
            text = line.decode().rstrip("\r\n")
            if text == "":
                if "id" in fields:
                    return {"id": int(fields["id"]), "data": json.loads(fields["data"])}
                fields = {}
            elif not text.startswith(":") and ":" in text:
                name, _, value = text.partition(":")
                fields[name] = value.removeprefix(" ")

    def close(self) -> None:
        self.connection.close()


def api(
    base: str, method: str, path: str, token: str, body: dict | None = None, timeout: float = 60
):
    # A server's first request on a loaded two-core machine took more than 10 s (CI): these
    # tests check what arrives, not how fast (benchmarks/ measure speed).
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(
            method,
            path,
            body=json.dumps(body) if body is not None else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()
