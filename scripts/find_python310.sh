#!/usr/bin/env bash
# Prints the path of a working Python 3.10 interpreter: PATH first, then pyenv's
# versions, then uv. Exits 1 with one sentence on stderr when there is none.
set -u

is_310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

if command -v python3.10 >/dev/null 2>&1 && is_310 python3.10; then
    command -v python3.10
    exit 0
fi

pyenv_root="${PYENV_ROOT:-}"
if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
    pyenv_root="$(pyenv root 2>/dev/null)"
fi
pyenv_root="${pyenv_root:-$HOME/.pyenv}"
for candidate in $(ls -d "$pyenv_root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -rV); do
    if is_310 "$candidate"; then
        echo "$candidate"
        exit 0
    fi
done

if command -v uv >/dev/null 2>&1; then
    candidate="$(uv python find 3.10 2>/dev/null || true)"
    if [ -n "$candidate" ] && is_310 "$candidate"; then
        echo "$candidate"
        exit 0
    fi
fi

echo "No Python 3.10 found (Rasa 3.6 needs it): install one with 'pyenv install 3.10' or 'uv python install 3.10', then run 'make setup' again." >&2
exit 1
