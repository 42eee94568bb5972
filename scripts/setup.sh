#!/usr/bin/env bash
# Create .venv and install the pinned requirements (skipped when nothing changed since the last install).
# Nothing is trained here: the garment parser, the category model and the compatibility model are shipped under
# models/ (`fashion-core models list`; `fashion-core models rebuild` retrains them from ../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 is required (found {sys.version.split()[0]}); set PYTHON=python3.11"'
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.requirements.sha256
want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "[setup] installing pinned requirements into .venv (first run: several minutes)" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --progress-bar on -r requirements.txt
  .venv/bin/python -m pip install --quiet --no-deps -e .
  echo "$want" > "$stamp"
fi
