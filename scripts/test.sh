#!/usr/bin/env bash
# Set everything up and run the test suite (slow tests excluded; add `-m slow` for those).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh dev
exec .venv/bin/python -m pytest "$@"
