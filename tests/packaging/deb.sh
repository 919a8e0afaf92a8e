#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: deb.sh <build-dir> <source-dir> <tests/packaging dir> <work-dir>
# The Debian package, as a user gets it: cpack -G DEB in this build tree, then the package's
# metadata (shlibdeps dependencies) and contents, then `dpkg-deb -x` into a scratch directory
# outside the build tree and, in a mount namespace where the build and source trees are hidden
# (an empty tmpfs over each), the unpacked `dnie read --reader virtual`, `pkcs11-tool -L` with the
# virtual slot turned on (and not without it), and a C program built with the unpacked pkg-config
# file. Nothing touches the machine's readers: PCSCLITE_CSOCK_NAME points at no pcscd.
# Exit 77 (ctest SKIP) when a tool it needs is missing or mount namespaces are not allowed.
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2") here=$(realpath "$3") work=$4
fail() { echo "deb: FAIL: $*" >&2; exit 1; }
for t in cpack dpkg-deb dpkg-shlibdeps unshare pkg-config cc pkcs11-tool readelf; do
  command -v "$t" >/dev/null || { echo "deb: SKIP: $t is not installed"; exit 77; }
done
if unshare -rm true 2>/dev/null; then ns=(unshare -rm)
elif unshare -m true 2>/dev/null; then ns=(unshare -m)
else echo "deb: SKIP: no mount namespace (unshare -m) to hide the build tree"; exit 77; fi

rm -rf "$work" && mkdir -p "$work"
# 1. The package.
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/cpack" >"$work/cpack.log" 2>&1; then
  tail -40 "$work/cpack.log" >&2; fail "cpack -G DEB"
fi
deb=$(ls "$work"/cpack/*.deb)
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libstdc++6 libpcsclite1 libssl3 libmbedcrypto; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib (dpkg-shlibdeps)"
done

# 2. What it contains, and what it must not.
dpkg-deb -c "$deb" | awk '{print $NF}' >"$work/contents.txt"
has() { grep -Eq "$1" "$work/contents.txt" || fail "the package lacks $1"; }
lacks() { if grep -E "$1" "$work/contents.txt"; then fail "the package contains $1"; fi; }
has '^\./usr/bin/dnie$'
has '^\./usr/bin/dnie-verify$'
has '/libdnie\.so\.[0-9]+\.[0-9]+\.[0-9]+$'
has '/libdnie-pkcs11\.so'
has '^\./usr/share/p11-kit/modules/dnie\.module$'
has '^\./usr/share/dnie/vcard/genuine\.dvc$'
has '^\./usr/share/dnie/vcard/revoked\.dvc$'
has '^\./usr/share/dnie/trust/.+\.pem$'
has '^\./usr/share/dnie/holder-trust/.+\.pem$'
has '^\./usr/include/dnie/c/dnie\.h$'
has '^\./usr/include/dnie/card/session\.hpp$'
has '/pkgconfig/dnie\.pc$'
has '/cmake/dnie/dnieConfig\.cmake$'
lacks '/vcard/(clone-|weak-|impostor-|hostile-)'  # the attacks of the test suite are never shipped
lacks '/include/dnie/crypto/(bigint|cipher)\.hpp$'

root=$(mktemp -d /tmp/dnie-deb.XXXXXX)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
if grep -rIl -e 'NEVER set' -e 'Test hooks' -e 'Tests only' "$root/usr/include"; then
  fail "an installed header carries a test hook"
fi
if readelf -S "$root/usr/bin/dnie" | grep -q '\.debug_info'; then fail "usr/bin/dnie carries debug info"; fi
echo "usr/bin/dnie: $(du -h "$root/usr/bin/dnie" | cut -f1), stripped"
module=$(find "$root/usr" -name 'libdnie-pkcs11.so' | head -1)
[ -n "$module" ] || fail "no libdnie-pkcs11.so"
grep -q "^module: /usr/lib/.*libdnie-pkcs11\.so" "$root/usr/share/p11-kit/modules/dnie.module" ||
  fail "dnie.module: $(cat "$root/usr/share/p11-kit/modules/dnie.module")"
cp "$here/deb_consumer/main.c" "$root/consumer.c"
if [ -f "$here/cmake_consumer/main.cpp" ]; then cp "$here/cmake_consumer/main.cpp" "$root/consumer.cpp"; fi

# 3. Run it with the build and source trees hidden.
cat >"$root/inner.sh" <<'INNER'
set -euo pipefail
root=$1 build=$2 src=$3 module=$4
cd "$root"
mount -t tmpfs -o size=1m dnie-hidden "$build"
mount -t tmpfs -o size=1m dnie-hidden "$src"
if [ -e "$build/CMakeCache.txt" ] || [ -e "$src/CMakeLists.txt" ]; then echo "deb: the build tree is still visible" >&2; exit 1; fi
mkdir -p "$root/home"
run() { env -i PATH=/usr/bin:/bin HOME="$root/home" PCSCLITE_CSOCK_NAME=/nonexistent/dnie-no-pcscd "$@"; }
out=$(run "$root/usr/bin/dnie" read --reader virtual --can 123456 2>&1) || { echo "$out" >&2; exit 1; }
echo "$out" | head -4
grep -Eq '99999999R|ESP' <<<"$out" || { echo "deb: dnie read printed no identity" >&2; exit 1; }
rc=0; run "$root/usr/bin/dnie" certs --reader virtual:revoked --can 123456 --validate --trust-virtual -q >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 12 ] || { echo "deb: virtual:revoked gave exit $rc, not 12 (REVOKED by the image's CRL)" >&2; exit 1; }
slots=$(run DNIE_PKCS11_READERS=none pkcs11-tool --module "$module" -L 2>&1) || true
if grep -q 'Virtual DNIe' <<<"$slots"; then echo "deb: the virtual slot is listed while off" >&2; exit 1; fi
slots=$(run DNIE_PKCS11_VIRTUAL=on DNIE_PKCS11_READERS=none DNIE_CAN=123456 pkcs11-tool --module "$module" -L 2>&1) ||
  { echo "$slots" >&2; exit 1; }
grep -q 'Virtual DNIe' <<<"$slots" || { echo "$slots" >&2; echo "deb: no virtual slot" >&2; exit 1; }
grep -q 'token label' <<<"$slots" || { echo "$slots" >&2; echo "deb: the virtual slot has no token" >&2; exit 1; }
echo "pkcs11-tool -L: $(grep -c '^Slot' <<<"$slots") slot(s), virtual token present"
libdir=$(dirname "$module")
export PKG_CONFIG_LIBDIR="$libdir/pkgconfig"  # only the unpacked package's .pc files
cc -std=c99 -Wall -Werror consumer.c $(pkg-config --cflags --libs dnie) -Wl,-rpath,"$libdir" -o consumer-c
run ./consumer-c
if [ -f "$libdir/pkgconfig/dnie++.pc" ] && [ -f consumer.cpp ]; then
  c++ -Wall -Werror consumer.cpp $(pkg-config --cflags --libs dnie++) -Wl,-rpath,"$libdir" -o consumer-cpp
  run ./consumer-cpp
fi
INNER
"${ns[@]}" bash "$root/inner.sh" "$root" "$build" "$src" "$module"
echo "deb: the unpacked package runs without the build tree"
