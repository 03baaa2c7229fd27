# Shared by bin/demo and bin/test: a .venv with Python 3.11 and the pinned requirements.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  PY=""
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      PY=$candidate; break
    fi
  done
  if [ -z "$PY" ]; then
    echo "error: Python 3.11 is needed (set PYTHON=/path/to/python3.11)." >&2
    exit 1
  fi
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "$want" > "$stamp"
fi
.venv/bin/python manage.py compile_translations >/dev/null
# The browser tests drive Debian's Chromium (never a downloaded browser); the compose test runs
# Debian's docker-compose (it validates docker-compose.yml offline, no Docker engine needed).
if [ "${NEED_BROWSER:-}" = "1" ] && { ! command -v chromium >/dev/null 2>&1 || ! command -v docker-compose >/dev/null 2>&1; }; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium and docker-compose for the tests…"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei docker-compose >/dev/null
  fi
fi
