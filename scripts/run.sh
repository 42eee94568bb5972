#!/usr/bin/env bash
# Set up, build the embedded demo on first run (or index CATALOG), and serve the app on http://localhost:8501.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -n "${CATALOG:-}" ]; then
  export FASHION_INDEX=${INDEX:-data/indexes/$(basename "$(dirname "$(realpath "$CATALOG")")")}
  [ -f "$FASHION_INDEX/CURRENT" ] || .venv/bin/fashion-core index build --catalog "$CATALOG" --out "$FASHION_INDEX"
elif [ -n "${INDEX:-}" ]; then
  export FASHION_INDEX=$INDEX
else
  .venv/bin/fashion-core setup   # builds the demo world, trains its compatibility model, builds its index: once
fi
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" --server.headless true
