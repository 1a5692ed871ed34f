#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine (run as root, or with sudo):
# Python test dependencies into .venv, then the system packages and services used by the
# integration tests. Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

"$BIN/pip" install --quiet -e ".[test]"

# System packages (added by each integration harness as it lands).
# CKAN test portal (tests/harness/ckan_portal.py): PostgreSQL, Redis, and what psycopg2 needs to
# build (libpq-dev, gcc).
IAT_APT_PACKAGES="${IAT_APT_PACKAGES:-} postgresql redis-server libpq-dev gcc curl"
# Browser tests (tests/harness/browser.py): Debian's Chromium driven by Playwright (never a
# downloaded browser), and a font so that pages render text.
IAT_APT_PACKAGES="$IAT_APT_PACKAGES chromium fonts-dejavu-core"
need=()
for pkg in ${IAT_APT_PACKAGES:-}; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

# CKAN 2.12 in its own venv + an initialised database template, cached in .cache/ckan/.
bash scripts/ckan-portal.sh install
