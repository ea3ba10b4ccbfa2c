#!/usr/bin/env bash
# Install stationbot with its test extras into the active Python, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e '.[test]'
python -m pytest -q -p no:cacheprovider "$@"
