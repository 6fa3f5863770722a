#!/usr/bin/env sh
# The browser tests drive Debian's Chromium (Playwright never downloads a browser). Install it
# when we can (root with apt, as on CI); otherwise stop at once and say the one command to run.
set -eu
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Debian's Chromium. Install it with:" >&2
echo "    sudo apt-get install -y chromium" >&2
echo "(or skip them: make test PYTEST_ARGS='-m \"not browser\"')" >&2
exit 1
