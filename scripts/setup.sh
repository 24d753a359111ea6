#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the project with its test extras,
# then builds the web widget (widget/dist) with npm.
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

# The web widget: socket.io-client and esbuild exactly as widget/package-lock.json
# pins them (installed again only when the lock file changes), then the bundle.
node_major="$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || true)"
if ! command -v npm >/dev/null 2>&1 || [ "${node_major:-0}" -lt 18 ]; then
    echo "Set-up failed: the web widget is built with Node.js 18 or newer and npm, and they are missing" \
         "or too old here (Debian: apt-get install nodejs npm)." >&2
    exit 1
fi
if ! cmp -s widget/package-lock.json widget/node_modules/.installed-lock; then
    # No install scripts: esbuild finds its binary without its postinstall step.
    (cd widget && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
        || { echo "Set-up failed: npm could not install the widget's packages; see its output above." >&2; exit 1; }
    cp widget/package-lock.json widget/node_modules/.installed-lock
fi
(cd widget && npm run --silent build) \
    || { echo "Set-up failed: the web widget did not build; see the output above." >&2; exit 1; }
touch .venv/.installed
echo "Set-up done: .venv uses $(.venv/bin/python --version)."
