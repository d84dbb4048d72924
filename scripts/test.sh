#!/usr/bin/env bash
# The README's test command: set up what the tests need (scripts/setup.sh: apt packages when absent,
# the virtual environment .venv with the [test] extras), then run the whole suite in that environment.
# Extra arguments go to pytest, e.g.  bash scripts/test.sh -k workbook
# Once set up, `. .venv/bin/activate && python -m pytest` runs the tests alone (no apt-get, no pip).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${VIRTUAL_ENV:-}" ]; then
  # shellcheck disable=SC1091
  . .venv/bin/activate  # the tests also run the costmodel command, which must be on PATH
fi
exec python -m pytest "$@"
