#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: run.sh <build-dir> <this-dir> <work-dir>
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
echo "installed into $prefix"

# 1. CMake consumer through find_package(dnie)
cmake -S "$src/cmake_consumer" -B "$work/cmake_consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >"$work/consumer.log"
cmake --build "$work/cmake_consumer" >>"$work/consumer.log"
"$work/cmake_consumer/consumer"

# 2. C consumer through pkg-config dnie
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/$(gcc -print-multiarch 2>/dev/null || echo)/pkgconfig"
cc -std=c99 -Wall -Werror "$src/c_consumer/main.c" $(pkg-config --cflags --libs dnie) -o "$work/c_consumer"
LD_LIBRARY_PATH="$(pkg-config --variable=libdir dnie)" "$work/c_consumer"
echo "packaging: find_package(dnie) and pkg-config dnie both work"

# 3. The virtual card images: the ten non-hostile profiles (no attack of the test suite), and the
# revoked card's CRL travels inside its image: from a moved prefix, `dnie certs --validate
# --trust-virtual` finds it and says REVOKED (exit 12).
n=$(find "$prefix/share/dnie/vcard" -name '*.dvc' | wc -l)
[ "$n" -eq 10 ] || { echo "packaging: $n virtual card images installed, expected 10" >&2; exit 1; }
[ -f "$prefix/share/dnie/vcard/revoked.dvc" ] || { echo "packaging: revoked.dvc not installed" >&2; exit 1; }
if [ -x "$prefix/bin/dnie" ]; then
  mv "$prefix" "$work/moved"
  rc=0
  env -u DNIE_VCARD_IMAGES -u DNIE_DATA_DIR "$work/moved/bin/dnie" certs --reader virtual:revoked --can 123456 \
    --validate --trust-virtual --quiet >"$work/revoked.log" 2>&1 || rc=$?
  mv "$work/moved" "$prefix"
  [ "$rc" -eq 12 ] || { cat "$work/revoked.log" >&2; echo "packaging: virtual:revoked gave exit $rc, not 12" >&2; exit 1; }
  echo "packaging: 10 card images; virtual:revoked REVOKED from a moved prefix"
fi
