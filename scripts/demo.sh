#!/usr/bin/env bash
# Install Track2 into .venv and serve the demo dialogue on SQLite at http://127.0.0.1:8000
# Usage: bash scripts/demo.sh [--reset] [--port N]
set -euo pipefail
cd "$(dirname "$0")/.."
# Noto fonts for outcome PDFs (Latin, Cyrillic, Arabic, Hebrew, CJK), from Debian when missing.
need_apt=()
[ -d /usr/share/fonts/truetype/noto ] || need_apt+=(fonts-noto-core)
[ -d /usr/share/fonts/opentype/noto ] || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "scripts/demo.sh: PDFs need ${need_apt[*]}: sudo apt-get install ${need_apt[*]}" >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e . > .venv/pip-install.log 2>&1; then
  grep -v "^WARNING: Location" .venv/pip-install.log >&2
  echo "Installing Python dependencies failed (log above, also in .venv/pip-install.log)." >&2
  exit 1
fi
exec .venv/bin/track2 demo "$@"
