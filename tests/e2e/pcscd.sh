#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ctest fixture: start (or reuse) pcscd for the end-to-end tests, and stop what we started.
#   pcscd.sh start <state-dir>   starts `pcscd --foreground` with the vpcd reader driver
#   pcscd.sh stop  <state-dir>   stops it by PID (only if this script started it)
set -euo pipefail
cmd=$1 dir=$2
mkdir -p "$dir"
pcscd_bin=$(command -v pcscd || echo /usr/sbin/pcscd)
case "$cmd" in
  start)
    rm -f "$dir/pcscd.pid"
    if [ ! -f /etc/reader.conf.d/vpcd ]; then
      echo "pcscd.sh: vsmartcard-vpcd is not installed (tools/bootstrap.sh deps)" >&2; exit 1
    fi
    "$pcscd_bin" --foreground --info >"$dir/pcscd.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
      grep -q 'daemon ready' "$dir/pcscd.log" 2>/dev/null && break
      if ! kill -0 "$pid" 2>/dev/null; then
        if grep -q 'Another pcscd' "$dir/pcscd.log"; then echo "pcscd.sh: reusing the running pcscd"; exit 0; fi
        cat "$dir/pcscd.log" >&2; exit 1
      fi
      sleep 0.05
    done
    grep -q 'daemon ready' "$dir/pcscd.log" || { cat "$dir/pcscd.log" >&2; kill "$pid"; exit 1; }
    echo "$pid" >"$dir/pcscd.pid"
    echo "pcscd.sh: started pcscd (pid $pid)" ;;
  stop)
    if [ -f "$dir/pcscd.pid" ]; then
      pid=$(cat "$dir/pcscd.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/pcscd.pid"
      echo "pcscd.sh: stopped pcscd (pid $pid)"
    fi ;;
  *) echo "usage: pcscd.sh start|stop <dir>" >&2; exit 2 ;;
esac
