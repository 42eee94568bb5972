#!/usr/bin/env bash
# Set up exactly as the run command does, then lint and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/browser.sh
.venv/bin/ruff check .
export FASHION_TEST_OUTPUT=${FASHION_TEST_OUTPUT:-$PWD/test-output}
.venv/bin/python -m pytest "$@"
