#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it.
# Python packages go into .venv; Chromium, Java, and a C compiler with Python's headers (for the search
# index's extension) come from Debian; vnu and axe-core from npm.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_debian=()
[ -x /usr/bin/chromium ] || need_debian+=(chromium)
command -v java >/dev/null || need_debian+=(default-jre-headless)
# the search index's C extension, which a test requires to be built (pip builds it, given these)
command -v gcc >/dev/null || need_debian+=(gcc)
python3 -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
  || need_debian+=(python3-dev)
if [ ${#need_debian[@]} -gt 0 ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_debian[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
