#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine, then run it.
# Python packages go into .venv; Chromium and Java come from Debian; vnu and axe-core from npm.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_debian=()
[ -x /usr/bin/chromium ] || need_debian+=(chromium)
command -v java >/dev/null || need_debian+=(default-jre-headless)
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
