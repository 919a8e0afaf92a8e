#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenSC's pkcs11-tool against libdnie-pkcs11.so (the virtual card): list slots, mechanisms and
# objects, run --test, export both certificates, sign with both keys (SHA256-RSA-PKCS, SHA512-RSA-PKCS,
# RSA-PKCS over a DigestInfo) and verify every signature with openssl against the exported
# certificate. Usage: pkcs11_tool.sh <module> <workdir>
set -euo pipefail
module=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"
# The virtual card is off by default (a test token whose PIN is public): turned on here.
export DNIE_PKCS11_VIRTUAL=on DNIE_PKCS11_READERS=${DNIE_PKCS11_READERS:-none} DNIE_CAN=${DNIE_CAN:-123456}
p11() { pkcs11-tool --module "$module" "$@"; }

step() { echo; echo "== $*"; }

step "slots"
p11 -L | tee slots.txt
grep -q "Virtual DNIe 3.0" slots.txt
grep -q "DGP-FNMT" slots.txt
grep -q "DNI electr" slots.txt

step "mechanisms"
p11 -M | tee mechs.txt
for m in RSA-PKCS SHA1-RSA-PKCS SHA256-RSA-PKCS SHA384-RSA-PKCS SHA512-RSA-PKCS; do
  grep -q "^ *$m" mechs.txt || { echo "missing mechanism $m"; exit 1; }
done

step "public objects"
p11 -O | tee objects.txt
[ "$(grep -c 'Certificate Object' objects.txt)" = 3 ]
[ "$(grep -c 'Private Key Object' objects.txt || true)" = 0 ]   # private until login
[ "$(grep -c 'Public Key Object' objects.txt)" = 2 ]
for l in CertAutenticacion CertFirmaDigital CertCAIntermediaDGP; do grep -q "label: *$l" objects.txt; done

step "objects after login"
p11 -O --login --pin 12345678 | tee objects-login.txt
[ "$(grep -c 'Private Key Object' objects-login.txt)" = 2 ]
grep -q "KprivFirmaDigital" objects-login.txt
grep -q "KprivAutenticacion" objects-login.txt

id_of() { awk -v l="$1" '$1=="label:" && $2==l {f=1} f && $1=="ID:" {print $2; exit}' objects.txt; }
printf 'Documento firmado con el DNIe virtual\n' > data

for cert in CertFirmaDigital CertAutenticacion; do
  id=$(id_of "$cert")
  [ -n "$id" ] || { echo "no ID for $cert"; exit 1; }
  step "$cert (ID $id): export and sign"
  p11 --read-object --type cert --id "$id" -o "$cert.der"
  openssl x509 -inform DER -in "$cert.der" -pubkey -noout > "$cert.pub.pem"
  openssl x509 -inform DER -in "$cert.der" -subject -noout

  p11 --login --pin 12345678 --sign -m SHA256-RSA-PKCS --id "$id" -i data -o "$cert.sha256.sig"
  openssl dgst -sha256 -verify "$cert.pub.pem" -signature "$cert.sha256.sig" data

  p11 --login --pin 12345678 --sign -m SHA512-RSA-PKCS --id "$id" -i data -o "$cert.sha512.sig"
  openssl dgst -sha512 -verify "$cert.pub.pem" -signature "$cert.sha512.sig" data

  # CKM_RSA_PKCS over a DigestInfo made by openssl (SHA-256 prefix ‖ hash).
  { printf '\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20'; openssl dgst -sha256 -binary data; } > data.di
  p11 --login --pin 12345678 --sign -m RSA-PKCS --id "$id" -i data.di -o "$cert.raw.sig"
  openssl dgst -sha256 -verify "$cert.pub.pem" -signature "$cert.raw.sig" data
done

step "pkcs11-tool --test (signatures verified with the token's public-key objects)"
p11 --test --login --pin 12345678 | tee test.txt
grep -q "No errors" test.txt

step "wrong PIN is refused"
if p11 --login --pin 00000000 -O > wrong.txt 2>&1; then
  cat wrong.txt; echo "login with a wrong PIN succeeded"; exit 1
fi
grep -q "CKR_PIN_INCORRECT" wrong.txt
echo; echo "pkcs11-tool: all checks passed"
