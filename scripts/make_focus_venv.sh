#!/usr/bin/env bash
# Creates the FOCUS validator's own virtual environment (it needs Python >= 3.12).
# FOCUS_PYTHON names the interpreter; otherwise python3.12, python3.13, then pyenv's 3.12.
set -euo pipefail
target=${1:-.venv-focus}
candidates=()
[ -n "${FOCUS_PYTHON:-}" ] && candidates+=("$FOCUS_PYTHON")
candidates+=(python3.12 python3.13)
py=""
for c in "${candidates[@]}"; do
  if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then py=$c; break; fi
done
if [ -z "$py" ] && command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[2-9]' || true); do
    p=$(PYENV_VERSION=$v pyenv which python3 2>/dev/null || true)
    if [ -n "$p" ] && "$p" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then py=$p; break; fi
  done
fi
if [ -z "$py" ]; then
  echo "error: the FOCUS validator needs Python 3.12 or newer; none found." >&2
  echo "       install one, or set FOCUS_PYTHON=/path/to/python3.12" >&2
  exit 1
fi
echo "creating $target with $py"
[ -x "$target/bin/python" ] || "$py" -m venv "$target"
"$target/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-focus.lock
