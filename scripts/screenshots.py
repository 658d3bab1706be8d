"""Take the README's screenshots of the demo: `.venv/bin/python scripts/screenshots.py`.

Builds a fresh demo in a temporary folder, serves it, signs in as the convener in Debian's
Chromium and saves PNGs under docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="track2-shots-"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "TRACK2_DEMO_HOME": str(home)}
    server = subprocess.Popen(  # noqa: S603  (our own interpreter and fixed arguments)
        [sys.executable, "-m", "track2", "demo", "--reset", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310  (local server)
                break
            except OSError:
                time.sleep(0.5)
        logins = {
            row["email"]: row["password"]
            for row in json.loads((home / "demo-logins.json").read_text())
        }
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 820})
            page.goto(base + "/accounts/login/")
            page.get_by_label("E-mail address").fill("convener@demo.track2.invalid")
            page.get_by_label("Password").fill(logins["convener@demo.track2.invalid"])
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(base + "/")
            page.get_by_role("link", name="Varena Sea Dialogue").click()
            page.wait_for_load_state()
            page.screenshot(path=str(OUT / "demo.png"))
            for name, link in (
                ("balance", "Balance"),
                ("meetings", "Meetings"),
                ("people", "People"),
            ):
                target = page.get_by_role("link", name=link).first
                if target.count():
                    target.click()
                    page.wait_for_load_state()
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
                    page.go_back()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
