#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The p11-kit module file: installed by CMake (component pkcs11) as
# share/p11-kit/modules/dnie.module naming the installed library; and, registered as a user
# module, p11-kit lists the token and GnuTLS's p11tool finds and signs with it without being told
# the module path. Usage: p11kit.sh <module> <workdir> <build dir>
source "$(dirname "$0")/common.sh"
build=$3
need cmake p11-kit p11tool

step "cmake --install --component pkcs11"
cmake --install "$build" --component pkcs11 --prefix "$work/prefix"
file=$work/prefix/share/p11-kit/modules/dnie.module
cat "$file"
line=$(grep '^module:' "$file")
path=${line#module: }
case "$path" in
  "$work/prefix/"*/libdnie-pkcs11.so*) ;;
  *) fail "dnie.module names $path, not the library under the prefix" ;;
esac
[ "$(basename "$path")" = "$(basename "$(readlink -f "$module")" | sed 's/\(\.so\.[0-9]*\).*/\1/')" ] ||
  [ "$(basename "$path")" = "$(basename "$module")" ] || fail "dnie.module names $(basename "$path")"

step "p11-kit with dnie.module as a user module (pointing at the build's library)"
# p11-kit ignores user configuration when running as root: run as nobody then.
home=$work/home
mkdir -p "$home/.config/pkcs11/modules" "$work/logs"
sed "s|^module:.*|module: $module|" "$file" > "$home/.config/pkcs11/modules/dnie.module"
as_user=()
if [ "$(id -u)" = 0 ]; then
  need setpriv
  chown -R 65534:65534 "$home" "$work/logs"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  "${as_user[@]}" test -r "$module" || skip "nobody cannot read $module (p11-kit skips user modules for root)"
fi
# p11-kit reads ~/.config/pkcs11 (XDG_CONFIG_HOME when set).
export HOME=$home XDG_CONFIG_HOME=$home/.config DNIE_PKCS11_LOG_FILE=$work/logs/module.log GNUTLS_PIN=$PIN
"${as_user[@]}" p11-kit list-modules | tee modules.txt
grep -q "^dnie: $module" modules.txt
grep -q "token: $TOKEN" modules.txt

step "GnuTLS finds the token through p11-kit (no --provider)"
"${as_user[@]}" p11tool --list-tokens | tee tokens.txt
grep -q "Label: $TOKEN" tokens.txt
"${as_user[@]}" p11tool --login --test-sign \
  "pkcs11:token=DNI%20electr%C3%B3nico%20%28CARMEN%29;object=KprivAutenticacion;type=private" 2>&1 | tee sign.txt
grep -q "Verifying against public key in the token... ok" sign.txt
echo; echo "p11-kit: all checks passed"
