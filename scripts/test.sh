#!/usr/bin/env bash
# Set up everything the test suite needs, then run it. Safe to run again: it installs only what is missing.
#   Python: a virtual environment .venv (unless one is already active) with costmodel and its [test] extras.
#   Debian: LibreOffice Calc (workbook recalculation) and Chromium (report rendering), via apt-get when absent.
# Extra arguments go to pytest, e.g.  bash scripts/test.sh -k workbook
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui python3-uno)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${need[*]}" >&2
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
fi

if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q -e ".[test]"

python -m pytest "$@"
