# SPDX-License-Identifier: Apache-2.0
# Sourced by the desktop-stack tests (usage: <test>.sh <module> <workdir>): a scratch directory,
# the virtual card turned on explicitly (it is off by default), no real reader, no personal
# configuration, the module's log in the work directory, and small helpers. A missing tool makes
# the test exit 77, which ctest reports as skipped (tools/bootstrap.sh installs them all).
set -euo pipefail
module=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"

export DNIE_PKCS11_VIRTUAL=on DNIE_PKCS11_READERS=none DNIE_CAN=${DNIE_CAN:-123456}
export XDG_CONFIG_HOME="$work/config" DNIE_PKCS11_LOG_FILE="$work/module.log"
unset DNIE_PKCS11_CONFIG DNIE_PKCS11_PROMPT DNIE_PKCS11_CONFIRM_SIGN DNIE_ALLOW_LAST_TRY
PIN=12345678  # the virtual card's PIN (docs/virtual-card.md)
TOKEN='DNI electrónico (CARMEN)'

skip() { echo "SKIP: $*"; exit 77; }
need() {
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (tools/bootstrap.sh installs it)"
  done
}
step() { echo; echo "== $*"; }
fail() { echo "FAIL: $*"; exit 1; }
# At exit: cleanup (tests may redefine it), and on failure the end of the module's log.
cleanup() { :; }
trap 'rc=$?; cleanup; if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -s "$work/module.log" ]; then
  echo "--- module log (last lines)"; tail -n 20 "$work/module.log"; fi' EXIT

printf 'Documento firmado con el DNIe virtual\n' > data
openssl dgst -sha256 -binary data > data.sha256
