#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target (clang-14, preset "fuzz": ASan + UBSan) for a while, seeded from
# fuzz/corpus/<name>/. New inputs go to a scratch directory, never into the repository; a crash
# leaves its input in $DNIE_FUZZ_OUT/<name>/ and fails the run.
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# CI runs a short smoke pass (.ci/run: 15 s each); a campaign is the same command with a larger
# number (e.g. tools/fuzz.sh 3600 sm_unwrap tlv), run by hand.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
secs=${1:-15}
shift || true
jobs=${DNIE_JOBS:-$(nproc 2>/dev/null || echo 2)}
out=${DNIE_FUZZ_OUT:-build/fuzz-out}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*.cpp; do
    n=$(basename "$f" .cpp)
    [ "$n" = driver_main ] || targets+=("$n")
  done
fi

rm -rf "$out"
mkdir -p "$out"
run_one() {
  local name=$1 secs=$2 out=$3
  local dir="$out/$name"
  mkdir -p "$dir/new"
  if ./build/fuzz/fuzz/"fuzz_$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$dir/" -print_final_stats=1 "$dir/new" "fuzz/corpus/$name" >"$dir/log" 2>&1; then
    echo "fuzz $name: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$') runs)"
  else
    echo "fuzz $name: FAILED (input and log in $dir)"
    tail -n 30 "$dir/log"
    return 1
  fi
}
export -f run_one
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$secs" "$out"
echo "fuzz: ${#targets[@]} targets, ${secs} s each: no crash"
