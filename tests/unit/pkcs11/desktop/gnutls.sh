#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# GnuTLS: p11tool lists the token and its objects and runs --test-sign with both keys (signed on
# the card, verified against the token's public-key objects); certtool makes a PKCS#7 signature
# with each key, verified by openssl against the card's chain. The PIN comes from GNUTLS_PIN
# (also for the signing key's context-specific login).
source "$(dirname "$0")/common.sh"
need p11tool certtool openssl
export GNUTLS_PIN=$PIN
p11() { p11tool --provider "$module" "$@"; }

step "tokens"
p11 --list-tokens | tee tokens.txt
grep -q "Label: $TOKEN" tokens.txt
grep -q "Manufacturer: DGP-FNMT" tokens.txt

step "objects (public)"
p11 --list-all "pkcs11:token=DNI%20electr%C3%B3nico%20%28CARMEN%29" | tee objects.txt
[ "$(grep -c 'Type: X.509 Certificate' objects.txt)" = 3 ]
[ "$(grep -c 'Type: Public key' objects.txt)" = 2 ]

step "private keys after login"
p11 --login --list-privkeys | tee privkeys.txt
[ "$(grep -c 'Type: Private key' privkeys.txt)" = 2 ]

p11 --export 'pkcs11:object=CertCAIntermediaDGP;type=cert' > intermediate.pem
for key in Autenticacion FirmaDigital; do
  step "Kpriv$key: p11tool --test-sign"
  p11 --login --test-sign "pkcs11:object=Kpriv$key;type=private" 2>&1 | tee "test-sign-$key.txt"
  grep -q "Verifying against public key in the token... ok" "test-sign-$key.txt"

  step "Kpriv$key: certtool --p7-sign, verified by openssl"
  p11 --export "pkcs11:object=Cert$key;type=cert" > "Cert$key.pem"
  certtool --provider "$module" --p7-sign --load-privkey "pkcs11:object=Kpriv$key;type=private" \
    --load-certificate "Cert$key.pem" --infile data --outfile "$key.p7"
  openssl cms -verify -inform PEM -in "$key.p7" -CAfile intermediate.pem -partial_chain -out "$key.out"
  cmp data "$key.out"
done
echo; echo "GnuTLS: all checks passed"
