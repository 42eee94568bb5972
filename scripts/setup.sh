#!/usr/bin/env bash
# Create .venv and install the pinned requirements (skipped when nothing changed since the last install).
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
# The pose detector's garment parser, fitted once on the ccp street photos' garment masks when ../shared has them
# (about 1.5 minutes; without it the detector uses its rule regions). FASHION_GARMENT_PARSER=none skips it.
ccp=${FASHION_SHARED_DATA:-../shared/data}/ccp/annotations.json
parser=${FASHION_MODELS_DIR:-models}/garment-parser
if [ "${FASHION_GARMENT_PARSER:-}" != "none" ] && [ -f "$ccp" ] && [ ! -f "$parser/config.json" ]; then
  echo "[setup] fitting the garment parser on $ccp (once)" >&2
  .venv/bin/fashion-core detector parser-train --data "$ccp" --out "$parser" --no-progress
fi
