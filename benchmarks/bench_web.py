"""Load benchmark of every page and API read of the demo, served by `track2 serve --workers 2`.

    .venv/bin/python benchmarks/bench_web.py                       # this checkout
    .venv/bin/python benchmarks/bench_web.py --site /tmp/perf-base --only meetings-api   # another checkout

What it does, in a fresh temporary data folder:
1. builds the demo site (`track2 demo --reset --no-serve`) with the checkout's own `track2`;
2. adds a second dialogue with a 6,000-person directory, and an API token for the demo convener;
3. starts `track2 serve --workers 2` (BLAS and OpenMP pinned to one thread per process);
4. signs in as the demo convener through the real sign-in form;
5. runs `hey` (Debian's HTTP load generator: `apt-get install hey`) against each URL for one
   client, 20 and 50 concurrent clients, and reports requests/s, p50 and p95 from hey's CSV of
   every request; any answer other than 200 is reported as a failure.

The machine is shared: each result row carries the 1-minute load average before it ran, and
the whole run can be repeated (`--repeats`) to report medians.
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIRECTORY_SIZE = 6000
PINNED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# Runs inside the checkout's own Python (old or new code), with TRACK2_HOME set: adds the large
# directory and prints a token. Uses only models and actions present in every version compared.
POPULATE = r"""
import django, json, sys
django.setup()
from django.db import transaction
from track2.accounts import actions as account_actions
from track2.accounts.models import User
from track2.dialogues.models import Dialogue, Membership
from track2.people.models import Affiliation, Candidacy, Person

size = int(sys.argv[1])
convener = User.objects.get(email="convener@demo.track2.invalid")
sectors = ["academia", "former_diplomat", "civil_society", "business", "media", "serving_official"]
with transaction.atomic():
    institution = Dialogue.objects.filter(memberships__user=convener).first().institution
    big = Dialogue.objects.create(title="Regional Track 3 consultation (benchmark)", purpose="Large directory.",
                                  created_by=convener, institution=institution)
    Membership.objects.create(dialogue=big, user=convener, role="convener")
    people = Person.objects.bulk_create(
        Person(institution=institution, full_name=f"Person {n:05d} Bench", sector=sectors[n % len(sectors)], country=["Caldera", "Ostrava",
               "Norland"][n % 3], email=f"bench{n:05d}@example.invalid", languages=["en"],
               expertise=["fisheries"] if n % 7 == 0 else ["trade"])
        for n in range(size))
    Affiliation.objects.bulk_create(Affiliation(person=p, organisation=f"Institute {p.pk % 40}",
                                                position="Fellow") for p in people)
    Candidacy.objects.bulk_create(Candidacy(dialogue=big, person=p, nominated_by="benchmark", status="nominated")
                                  for p in people)
secret, _token = account_actions.do_create_api_token(convener, "benchmark")
print(json.dumps({"token": secret, "large_dialogue": big.pk}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


class Site:
    """A checkout's demo site in a temporary folder, served by its own `track2 serve`."""

    def __init__(self, checkout: Path, workers: int):
        self.checkout = checkout
        self.bin = checkout / ".venv" / "bin"
        self.workers = workers
        self.home = Path(tempfile.mkdtemp(prefix="track2-bench-"))
        self.env = {
            **os.environ,
            **PINNED,
            "TRACK2_HOME": str(self.home),
            "TRACK2_DEMO_HOME": str(self.home),
            "DJANGO_SETTINGS_MODULE": "track2.settings",
        }
        self.env.pop("TRACK2_DATABASE_URL", None)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen | None = None

    def build(self) -> dict:
        subprocess.run(
            [str(self.bin / "track2"), "demo", "--reset", "--no-serve"],
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        out = subprocess.run(
            [str(self.bin / "python"), "-c", POPULATE, str(DIRECTORY_SIZE)],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        facts = json.loads(out.strip().splitlines()[-1])
        logins = json.loads((self.home / "demo-logins.json").read_text())
        facts["password"] = next(
            x["password"] for x in logins if x["email"] == "convener@demo.track2.invalid"
        )
        return facts

    def start(self) -> None:
        self.server = subprocess.Popen(
            [
                str(self.bin / "track2"),
                "serve",
                "--workers",
                str(self.workers),
                "--port",
                str(self.port),
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                # S310: only ever http://127.0.0.1 of the server this script started.
                urllib.request.urlopen(self.base + "/accounts/login/", timeout=2).read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("the server did not answer within 60 s")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(timeout=30)
        shutil.rmtree(self.home, ignore_errors=True)


def sign_in(base: str, email: str, password: str) -> str:
    """The Cookie header of a session signed in through the real form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/accounts/login/").read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "email": email, "password": password}
    ).encode()
    opener.open(
        urllib.request.Request(  # noqa: S310 (loopback)
            base + "/accounts/login/",
            data=body,
            headers={"Referer": base + "/accounts/login/"},
        )
    ).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit("signing in as the demo convener failed")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def get_json(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 (loopback)
    data = json.loads(urllib.request.urlopen(request).read())  # noqa: S310 (loopback)
    return data["items"] if isinstance(data, dict) and "items" in data else data


def targets(base: str, token: str, large: int) -> list[tuple[str, str, str]]:
    """(name, kind, path) for every read of the demo; ids found through the API."""
    api = base + "/api/v1"
    d = next(
        x["id"] for x in get_json(api + "/dialogues", token) if x["title"] == "Varena Sea Dialogue"
    )
    meetings = get_json(f"{api}/dialogues/{d}/meetings", token)
    m = next(x["id"] for x in meetings if x["venue"] and x["venue"]["kind"] == "private_home")
    g = get_json(f"{api}/dialogues/{d}/delegations", token)[0]["id"]
    v = get_json(f"{api}/dialogues/{d}/venues", token)[0]["id"]
    p = get_json(f"{api}/dialogues/{d}/people", token)[0]["id"]
    D, M = f"/dialogues/{d}", f"/dialogues/{d}/meetings/{m}"
    pages = {
        # The floor: a static file served by whitenoise before any view runs (server + machine only).
        "static file": "/static/track2/favicon.svg",
        "home": "/",
        "account": "/accounts/settings/",
        "calendar settings": "/dialogues/calendar/",
        "dialogue": D + "/",
        "dialogue edit": D + "/edit/",
        "parties": D + "/parties/",
        "roles": D + "/roles/",
        "delegations": D + "/delegations/",
        "delegation": f"{D}/delegations/{g}/",
        "balance": D + "/balance/",
        "venues": D + "/venues/",
        "venue edit": f"{D}/venues/{v}/edit/",
        "meetings": D + "/meetings/",
        "meeting new": D + "/meetings/new/",
        "meeting": M + "/",
        "meeting edit": M + "/edit/",
        "meeting ics": M + "/calendar.ics",
        "people": D + "/people/",
        "person": f"{D}/people/{p}/",
        "person edit": f"{D}/people/{p}/edit/",
        "person add": D + "/people/add/",
        "nominate": D + "/people/nominate/",
        "roster import": D + "/people/import/",
        "roster export": D + "/people/export.csv",
        "people 6000": f"/dialogues/{large}/people/",
        "people 6000 p60": f"/dialogues/{large}/people/?page=60",
        "people 6000 search": f"/dialogues/{large}/people/?q=institute+3",
    }
    apis = {
        "me": "/me",
        "dialogues": "/dialogues",
        "dialogue": D,
        "balance": D + "/balance",
        "roles": D + "/roles",
        "delegations": D + "/delegations",
        "venues": D + "/venues",
        "meetings": D + "/meetings",
        "meeting": M,
        "participants": M + "/participants",
        "people": D + "/people",
        "person": f"{D}/people/{p}",
        "roster csv": D + "/people/roster.csv",
        "people 6000": f"/dialogues/{large}/people",
        "people 6000 limit 500": f"/dialogues/{large}/people?limit=500",
        "openapi": "/openapi.json",
    }
    return [(name, "page", path) for name, path in pages.items()] + [
        (name + "-api", "api", "/api/v1" + path) for name, path in apis.items()
    ]


def hey(url: str, header: str, clients: int, seconds: float) -> dict:
    command = ["hey", "-z", f"{seconds}s", "-c", str(clients), "-o", "csv", "-H", header, url]
    load = load_average()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    times = sorted(float(r["response-time"]) * 1000 for r in rows)
    bad = sum(1 for r in rows if r["status-code"] != "200")
    span = max(float(r["offset"]) + float(r["response-time"]) for r in rows) if rows else seconds
    return {
        "requests": len(rows),
        "failed": bad,
        "rps": len(rows) / span if span else 0.0,
        "p50_ms": statistics.median(times) if times else None,
        "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))] if times else None,
        "load_before": load,
    }


def median_of(runs: list[dict]) -> dict:
    keys = ("rps", "p50_ms", "p95_ms", "load_before")
    merged = {k: statistics.median(r[k] for r in runs) for k in keys}
    merged["requests"] = sum(r["requests"] for r in runs)
    merged["failed"] = sum(r["failed"] for r in runs)
    return merged


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--site",
        type=Path,
        default=HERE.parent,
        help="checkout to serve (needs its own .venv with track2 installed); default: this one",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a second checkout (e.g. a worktree of an older commit) measured side by side: "
        "both are served at once and their runs alternate",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", default="1,20,50", help="concurrency levels (default 1,20,50)")
    parser.add_argument(
        "--seconds", type=float, default=3.0, help="duration of each hey run (default 3)"
    )
    parser.add_argument(
        "--repeats", type=int, default=1, help="runs per URL and level; medians reported"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated target names (e.g. meetings-api,people 6000)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if shutil.which("hey") is None:
        raise SystemExit("hey is not installed: apt-get install hey (Debian's HTTP load generator)")
    levels = [int(c) for c in args.clients.split(",")]
    checkouts = ([("baseline", args.baseline)] if args.baseline else []) + [("site", args.site)]
    sites = {label: Site(path.resolve(), args.workers) for label, path in checkouts}
    results = []
    try:
        plans = {}
        for label, site in sites.items():
            facts = site.build()
            site.start()
            cookie = sign_in(site.base, "convener@demo.track2.invalid", facts["password"])
            headers = {
                "page": f"Cookie: {cookie}",
                "api": f"Authorization: Bearer {facts['token']}",
            }
            plans[label] = {
                name: (site.base + path, headers[kind], path)
                for name, kind, path in targets(site.base, facts["token"], facts["large_dialogue"])
            }
        names = [name for name in plans["site"] if all(name in plan for plan in plans.values())]
        if args.only:
            wanted = {w.strip() for w in args.only.split(",")}
            names = [name for name in names if name in wanted]
        print(
            f"# {', '.join(f'{k}={v}' for k, v in checkouts)} — {len(names)} URLs, workers={args.workers}, "
            f"load {load_average()}",
            flush=True,
        )
        print(
            "| target | checkout | clients | req/s | p50 ms | p95 ms | requests | non-200 | load |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for name in names:
            for clients in levels:
                runs: dict[str, list[dict]] = {label: [] for label in plans}
                for _ in range(args.repeats):
                    for label, plan in plans.items():  # alternate, so both see the same machine
                        url, header, _path = plan[name]
                        runs[label].append(hey(url, header, clients, args.seconds))
                for label, measured in runs.items():
                    row = median_of(measured)
                    row.update(
                        target=name, checkout=label, path=plans[label][name][2], clients=clients
                    )
                    results.append(row)
                    print(
                        f"| {name} | {label} | {clients} | {row['rps']:.1f} | {row['p50_ms']:.1f} | "
                        f"{row['p95_ms']:.1f} | {row['requests']} | {row['failed']} | {row['load_before']} |",
                        flush=True,
                    )
    finally:
        for site in sites.values():
            site.stop()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    for r in results:
        budget = 200 if "6000" in r["target"] else 50
        if r["checkout"] == "site" and r["clients"] == 1 and r["p50_ms"] > budget:
            print(
                f"over the {budget} ms single-client budget: {r['target']} ({r['p50_ms']:.1f} ms)",
                file=sys.stderr,
            )
        if r["failed"]:
            print(
                f"non-200 answers: {r['checkout']} {r['target']} × {r['failed']}", file=sys.stderr
            )
    return 1 if any(r["failed"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
