#!/usr/bin/env bash
# Set everything up and run the test suite (slow tests excluded; add `-m slow` for those).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh dev
# The sanitisation test drives Debian's chromium through Playwright (never `playwright install`).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian's chromium for the browser test…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: could not install chromium; the browser test will be skipped" >&2
fi
# Lint, format and types first: quick, and what CI holds the code to (pyproject.toml configures them).
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
# Both cores: tests run in parallel processes, one test file per process at a time (module
# fixtures such as a published demo newsroom are built once). NEWSDESK_TEST_WORKERS=0 runs serially.
exec .venv/bin/python -m pytest -n "${NEWSDESK_TEST_WORKERS:-auto}" --dist loadfile "$@"
