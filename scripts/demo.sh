#!/usr/bin/env bash
# Install Track2 into .venv and serve the demo dialogue on SQLite at http://127.0.0.1:8000
# Usage: bash scripts/demo.sh [--reset] [--port N]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e . > .venv/pip-install.log 2>&1; then
  grep -v "^WARNING: Location" .venv/pip-install.log >&2
  echo "Installing Python dependencies failed (log above, also in .venv/pip-install.log)." >&2
  exit 1
fi
exec .venv/bin/track2 demo "$@"
