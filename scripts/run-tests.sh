#!/usr/bin/env bash
# The whole test suite: static checks, then every test (unit, integration with real services).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
"$BIN/ruff" check .
"$BIN/mypy"
"$BIN/pytest" "$@"
