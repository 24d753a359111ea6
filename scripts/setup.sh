#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the project with its test extras.
set -euo pipefail
cd "$(dirname "$0")/.."

python="$(bash scripts/find_python310.sh)"
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "Replacing .venv: it was not made with Python 3.10."
    rm -rf .venv
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet -e '.[test]' 2>&1 | grep -v -iE "warning|deprecation|setup.py install|pip 23.1|discussion can be found" || true
.venv/bin/python -c 'import rasa, rasa_sdk, spacy, sqlalchemy, bot' 2>/dev/null \
    || { echo "Set-up failed: the project's packages do not import; see the pip output above." >&2; exit 1; }
touch .venv/.installed
echo "Set-up done: .venv uses $(.venv/bin/python --version)."
