#!/usr/bin/env bash
# The CKAN 2.12 test portal (tests/harness/ckan_portal.py):
#   scripts/ckan-portal.sh install   build CKAN's venv and database template in .cache/ckan/ (idempotent)
#   scripts/ckan-portal.sh run       start a portal on 127.0.0.1, print its URL and API token, wait for Ctrl-C
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m tests.harness.ckan_portal "${1:-install}"
