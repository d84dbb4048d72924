#!/usr/bin/env bash
# The README's test command: set up what the tests need (scripts/setup.sh: apt packages when absent,
# the virtual environment .venv with the [test] extras), then run the whole suite.
# Extra arguments go to pytest, e.g.  bash scripts/test.sh -k workbook
# Once set up, `.venv/bin/python -m pytest` alone runs the tests (no apt-get, no pip).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${VIRTUAL_ENV:-.venv}/bin/python" -m pytest "$@"
