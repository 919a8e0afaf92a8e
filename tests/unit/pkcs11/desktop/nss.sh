#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# NSS (Firefox, Thunderbird, LibreOffice): a fresh database, the module added with modutil, the
# card's certificates and keys listed with certutil, and a CMS signature made by cmsutil with
# each key (the signing key needs the context-specific login NSS does for
# CKA_ALWAYS_AUTHENTICATE), verified by openssl cms against the card's chain.
source "$(dirname "$0")/common.sh"
need modutil certutil cmsutil openssl

step "a fresh NSS database, the module added"
mkdir db
certutil -N -d sql:db --empty-password
# FRIENDLY: certificates are public, so NSS may read them without logging in (as Firefox does
# for the module once the user has logged in once).
modutil -dbdir sql:db -add dnie -libfile "$module" -mechanisms FRIENDLY -force
modutil -dbdir sql:db -list dnie | tee modules.txt
grep -q "Virtual DNIe 3.0" modules.txt
grep -q "$TOKEN" modules.txt

step "certificates without login"
certutil -L -d sql:db -h all | tee certs.txt
for l in CertAutenticacion CertFirmaDigital CertCAIntermediaDGP; do grep -q "$TOKEN:$l" certs.txt; done

step "keys after login"
echo "$PIN" > pin.txt
certutil -K -d sql:db -h "$TOKEN" -f pin.txt | tee keys.txt
grep -q KprivAutenticacion keys.txt
grep -q KprivFirmaDigital keys.txt

step "the card's chain"
certutil -L -d sql:db -n "$TOKEN:CertCAIntermediaDGP" -a > intermediate.pem
for cert in CertFirmaDigital CertAutenticacion; do
  certutil -L -d sql:db -n "$TOKEN:$cert" -a > "$cert.pem"
  step "CMS signature with $cert's key (cmsutil), verified by openssl"
  # -Y NONE: no SMIMEEncryptionKeyPreference (these certificates cannot encrypt).
  cmsutil -S -Y NONE -N "$TOKEN:$cert" -d sql:db -p "$PIN" -i data -o "$cert.p7s"
  # Against the card's chain (the intermediate CA on the card as the anchor); the signer is the
  # card's certificate.
  openssl cms -verify -inform DER -in "$cert.p7s" -CAfile intermediate.pem -partial_chain \
    -signer "$cert.signer.pem" -out "$cert.out"
  cmp data "$cert.out"
  cmp <(openssl x509 -in "$cert.pem" -outform DER) <(openssl x509 -in "$cert.signer.pem" -outform DER) ||
    fail "$cert.p7s: the signer is not the card's $cert"
done

step "a wrong PIN is refused"
if cmsutil -S -Y NONE -N "$TOKEN:CertAutenticacion" -d sql:db -p 00000000 -i data -o wrong.p7s 2>wrong.txt; then
  fail "signing with a wrong PIN succeeded"
fi
cat wrong.txt
echo; echo "NSS: all checks passed"
