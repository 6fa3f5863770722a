#!/usr/bin/env sh
# bench/bench_http.py drives the servers with wrk, from Debian (a C load generator: one process
# keeps thousands of connections busy on little CPU, so on a 2-core machine it takes less of the
# machine from the servers it measures than a Python generator would). Install it when we can
# (root with apt, as on CI); otherwise stop at once and say the one command to run.
set -eu
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian's wrk for the HTTP benchmarks"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  exit 0
fi
echo "The HTTP benchmarks need wrk. Install it with:" >&2
echo "    sudo apt-get install -y wrk" >&2
exit 1
