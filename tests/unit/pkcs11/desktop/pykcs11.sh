#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# PyKCS11: pykcs11_sign.py signs with both keys (the signing key after a context-specific login),
# writes the certificates; openssl verifies the signatures against them.
source "$(dirname "$0")/common.sh"
need openssl
python=""
for p in ${DNIE_PYTHON:-} /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import PyKCS11' 2>/dev/null; then python=$p; break; fi
done
[ -n "$python" ] || skip "no python3 with PyKCS11 (python3-pykcs11; tools/bootstrap.sh installs it)"

step "sign with PyKCS11 ($python)"
"$python" "$(dirname "$0")/pykcs11_sign.py" "$module" "$PIN" data "$work"
for key in Autenticacion FirmaDigital; do
  step "verify Kpriv$key's signature with openssl"
  openssl x509 -inform DER -in "Cert$key.der" -pubkey -noout > "$key.pub.pem"
  openssl dgst -sha256 -verify "$key.pub.pem" -signature "$key.sig" data
done
echo; echo "PyKCS11: all checks passed"
