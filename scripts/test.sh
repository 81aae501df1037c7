#!/usr/bin/env bash
# Set everything up and run the test suite (slow tests excluded; add `-m slow` for those).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Browser tests drive Debian's chromium through Playwright (never `playwright install`); the store
# and worker tests start a throwaway PostgreSQL server. Installed with apt where we can (as root),
# in the background while pip installs; skipped with a reason where they are missing.
NEED=()
command -v chromium >/dev/null 2>&1 || NEED+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || NEED+=(postgresql)
APT_PID=""
if [ ${#NEED[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian's ${NEED[*]} for the browser and PostgreSQL tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${NEED[@]}" >/dev/null) \
    >/tmp/newsdesk-apt.log 2>&1 &
  APT_PID=$!
fi
bash scripts/setup.sh dev
# The accessibility test runs axe-core (pinned in tests/a11y/package-lock.json) in Chromium.
if [ ! -d tests/a11y/node_modules/axe-core ] && command -v npm >/dev/null 2>&1; then
  npm ci --silent --no-audit --no-fund --prefix tests/a11y >/dev/null 2>&1 \
    || echo "warning: could not install axe-core with npm; the accessibility test will be skipped" >&2
fi
if [ -n "$APT_PID" ] && ! wait "$APT_PID"; then
  echo "warning: could not install ${NEED[*]} (see /tmp/newsdesk-apt.log); those tests will be skipped" >&2
fi
# Lint, format and types first: quick, and what CI holds the code to (pyproject.toml configures them).
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
# Both cores: tests run in parallel processes, one test file per process at a time (module
# fixtures such as a published demo newsroom are built once). NEWSDESK_TEST_WORKERS=0 runs serially.
exec .venv/bin/python -m pytest -n "${NEWSDESK_TEST_WORKERS:-auto}" --dist loadfile "$@"
