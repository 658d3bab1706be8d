#!/usr/bin/env bash
# Install everything the tests need, then run: ruff (lint, format --check), makemigrations --check, mypy (engine, web layer), the whole suite on SQLite,
# the whole suite again on a throwaway PostgreSQL cluster, and the browser tests in Debian's Chromium.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

say() { printf '\n== %s\n' "$*"; }

# --- system packages (Debian): Chromium for browser tests, PostgreSQL for the second run, PDF fonts ---
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
# Noto fonts for outcome PDFs (issue 12): Latin, Cyrillic, Arabic, Hebrew (core) and CJK.
[ -d /usr/share/fonts/truetype/noto ] || need_apt+=(fonts-noto-core)
[ -d /usr/share/fonts/opentype/noto ] || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    say "installing ${need_apt[*]} (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "scripts/test.sh: missing ${need_apt[*]}; install them (sudo apt-get install ${need_apt[*]}) and run again." >&2
    exit 2
  fi
fi

# --- Python dependencies in the project's own virtual environment ---
say "installing Python dependencies into .venv"
[ -x .venv/bin/python ] || python3 -m venv .venv
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]" > .venv/pip-install.log 2>&1; then
  grep -v "^WARNING: Location" .venv/pip-install.log >&2
  echo "Installing Python dependencies failed (log above, also in .venv/pip-install.log)." >&2
  exit 1
fi
.venv/bin/python -c "import track2, django, playwright" # fail here, clearly, if the install did not work

export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# Bytecode cached (__pycache__, ignored by git): the suite starts some two hundred Python processes
# (`track2` commands, served sites, pytest-xdist workers), and with PYTHONDONTWRITEBYTECODE set each
# would compile Track2's source, and pytest re-rewrite the test modules, again (docs/testing.md).
unset PYTHONDONTWRITEBYTECODE
# Four pytest-xdist workers on two cores: most of the suite's time is served sites and browsers
# waiting, not computing (docs/decisions.md). Browser tests run last (tests/conftest.py).
workers=(-n 4)
# The slowest tests of each pass are listed at its end: where the suite's time goes (docs/testing.md).
durations=(--durations=30)
mkdir -p test-artifacts

say "ruff (lint and format)"
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/ruff format --check src tests benchmarks scripts

say "migrations match the models"
# A model change without its migration would pass every test (pytest builds the schema from the
# migrations) and then fail on the first real site.
TRACK2_HOME=$(mktemp -d) DJANGO_SETTINGS_MODULE=track2.settings TRACK2_EMAIL_URL=locmem:// \
  .venv/bin/python -m django makemigrations --check --dry-run

say "mypy (engine, access, actions, API)"
.venv/bin/mypy --no-error-summary

say "pytest on SQLite"
unset TRACK2_DATABASE_URL
.venv/bin/pytest -q -p no:cacheprovider "${workers[@]}" "${durations[@]}" "$@"

# --- a throwaway PostgreSQL cluster, run as the postgres user (it refuses root) ---
say "pytest on PostgreSQL"
pgbin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
pgdir=$(mktemp -d /tmp/track2-pg.XXXXXX)
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then chown postgres "$pgdir"; fi
stop_pg() {
  run_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap stop_pg EXIT
run_pg "$pgbin/initdb" -D "$pgdir/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
run_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
  -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
# pytest-django creates its own test_track2 database; `track2 serve` in tests/site/test_serve.py
# serves from this one, so serving against a real PostgreSQL is tested too.
run_pg "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres track2
export TRACK2_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/track2"
.venv/bin/pytest -q -p no:cacheprovider "${workers[@]}" "${durations[@]}" "$@"
