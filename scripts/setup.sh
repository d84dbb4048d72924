#!/usr/bin/env bash
# Set up a machine to develop and test costmodel. Safe to run again: it installs only what is missing.
#
#   Debian/Ubuntu packages, through apt-get (with sudo when not root; never asks a question):
#     libreoffice-calc-nogui + python3-uno   recalculating workbooks, the LibreOffice benchmark
#     chromium                               printing the report to PDF, the browser tests
#     poppler-utils                          rendering PDF pages to PNG in the browser tests
#     fonts-dejavu-core                      a font for the PDF and LibreOffice
#     python3-venv                           when python3 cannot make a virtual environment
#   Python: the virtual environment .venv (or the one already active) with costmodel installed
#   editable, with its [test] extras.
#
# Afterwards `. .venv/bin/activate && python -m pytest` runs the
# tests without touching apt. Without apt-get (not Debian) the packages are listed for you to install;
# the tests that need them are skipped until then.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

python=${PYTHON:-python3}
need=()
command -v soffice >/dev/null 2>&1 || [ -n "${COSTMODEL_SOFFICE:-}" ] || need+=(libreoffice-calc-nogui)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need+=(python3-uno)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || [ -n "${COSTMODEL_CHROMIUM:-}" ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ -z "${VIRTUAL_ENV:-}" ] && [ ! -x .venv/bin/python ] && ! "$python" -c "import ensurepip" >/dev/null 2>&1; then
  need+=(python3-venv)
fi

if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
    echo "setup: installing ${need[*]} with apt-get" >&2
    "${sudo[@]}" apt-get update -qq </dev/null
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null >/dev/null
  else
    echo "setup: no apt-get here; install these yourself (the tests that need them are skipped): ${need[*]}" >&2
  fi
fi

if [ -n "${VIRTUAL_ENV:-}" ]; then
  venv=$VIRTUAL_ENV
else
  venv=.venv
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q -e ".[test]" </dev/null
echo "setup: ready; run the tests with: . $venv/bin/activate && python -m pytest" >&2
