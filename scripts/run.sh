#!/usr/bin/env bash
# Set up, build the embedded demo's index on first run (or CATALOG's index), and serve the app on
# http://localhost:8501. Indexes are rebuilt when stale (another encoder or compatibility model than the shipped
# ones); nothing is trained here: the models are shipped under models/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -n "${CATALOG:-}" ]; then
  export FASHION_INDEX=${INDEX:-data/indexes/$(basename "$(dirname "$(realpath "$CATALOG")")")}
  .venv/bin/fashion-core setup --catalog "$CATALOG" --index "$FASHION_INDEX"
elif [ -n "${INDEX:-}" ]; then
  export FASHION_INDEX=$INDEX
else
  .venv/bin/fashion-core setup   # the demo world and its index, with the shipped models: once
fi
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" --server.headless true
