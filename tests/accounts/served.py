"""A real `track2 serve` in a subprocess, and a browser-like client bound to a chosen loopback address.

When the suite runs on PostgreSQL (TRACK2_DATABASE_URL set by scripts/test.sh) the server
uses that PostgreSQL server; otherwise a fresh SQLite file in its own data folder.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.helpers import healthz_answers

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(home: Path, check_log: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "TRACK2_HOME")
    }
    env.update(
        {
            "TRACK2_HOME": str(home),
            "DJANGO_SETTINGS_MODULE": "tests.served_settings",
            "TRACK2_TEST_CHECK_LOG": str(check_log),
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        }
    )
    return env


def manage(env: dict[str, str], code: str) -> str:
    """Run Python in the served site's Django (same settings and database) and return its output."""
    done = subprocess.run(  # noqa: S603  (our own interpreter and command)
        [sys.executable, "-m", "track2", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextlib.contextmanager
def served(env: dict[str, str], workers: int = 2):
    """`track2 serve` with `workers` processes: two are enough for requests to race across
    processes (each imports the whole site, some three CPU seconds; four were used before)."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and command)
        [sys.executable, "-m", "track2", "serve", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    try:  # the server stops whatever happens, also when it never answers
        while not healthz_answers(f"http://127.0.0.1:{port}"):
            if process.poll() is not None:
                pytest.fail("track2 serve exited:\n" + process.stdout.read())
            if time.monotonic() > deadline:
                pytest.fail("track2 serve did not answer within 120 s")
            time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


class Browser:
    """One HTTP connection from a given source address, keeping cookies like a browser."""

    def __init__(self, source: str, port: int):
        self.connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=60, source_address=(source, 0)
        )
        self.cookies: dict[str, str] = {}

    def _send(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed the idle kept-alive connection (uvicorn after 5 s; a loaded
            # machine gets there between a form and its post): a browser opens a new one.
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self._send("GET", path)

    def form_token(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, body[:300]
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], str]:
        return self._send("POST", path, urlencode(fields))
