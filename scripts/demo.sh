#!/usr/bin/env bash
# Set everything up and run the main job on the bundled demo outlets.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec .venv/bin/newsdesk demo --dir demo-newsroom "$@"
