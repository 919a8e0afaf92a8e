#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OpenSSL through the libp11 engine, without a terminal: the token PIN from the engine section of
# an OpenSSL configuration file, or from pin-value in the PKCS#11 URI. The signing key's
# per-signature PIN (CKA_ALWAYS_AUTHENTICATE) is asked by libp11 through OpenSSL's UI, which
# reads standard input when there is no terminal (setsid drops it). Signatures verified by openssl
# with the public keys the engine reads from the token.
source "$(dirname "$0")/common.sh"
need openssl setsid
enginesdir=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')
[ -f "$enginesdir/pkcs11.so" ] || skip "the libp11 engine ($enginesdir/pkcs11.so) is not installed (libengine-pkcs11-openssl; tools/bootstrap.sh installs it)"

cat > openssl.cnf <<CNF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $enginesdir/pkcs11.so
MODULE_PATH = $module
PIN = $PIN
init = 0
CNF
export OPENSSL_CONF=$work/openssl.cnf
# No terminal, ever: setsid (no controlling tty) and stdin from a file.
nt() { setsid -w "$@"; }

step "public keys through the engine"
for key in Autenticacion FirmaDigital; do
  nt openssl pkey -engine pkcs11 -inform engine -pubin -in "pkcs11:object=Kpriv$key;type=public" \
    -pubout -out "$key.pub.pem" < /dev/null
  openssl pkey -pubin -in "$key.pub.pem" -noout -text | head -1
done

step "authentication key: PIN from the configuration file"
nt openssl pkeyutl -engine pkcs11 -keyform engine -inkey "pkcs11:object=KprivAutenticacion;type=private" \
  -sign -in data.sha256 -pkeyopt digest:sha256 -out auth.sig < /dev/null
openssl pkeyutl -verify -pubin -inkey Autenticacion.pub.pem -in data.sha256 -sigfile auth.sig -pkeyopt digest:sha256

step "authentication key: PIN in the URI (pin-value), openssl dgst"
sed '/^PIN = /d' openssl.cnf > openssl-nopin.cnf
OPENSSL_CONF=$work/openssl-nopin.cnf nt openssl dgst -sha512 -engine pkcs11 -keyform engine \
  -sign "pkcs11:object=KprivAutenticacion;type=private;pin-value=$PIN" -out auth512.sig data < /dev/null
openssl dgst -sha512 -verify Autenticacion.pub.pem -signature auth512.sig data

step "signing key: per-signature PIN from standard input (no terminal)"
echo "$PIN" > pin.txt
nt openssl pkeyutl -engine pkcs11 -keyform engine -inkey "pkcs11:object=KprivFirmaDigital;type=private" \
  -sign -in data.sha256 -pkeyopt digest:sha256 -out firma.sig < pin.txt
openssl pkeyutl -verify -pubin -inkey FirmaDigital.pub.pem -in data.sha256 -sigfile firma.sig -pkeyopt digest:sha256

step "signing key without its per-signature PIN: refused"
if nt openssl pkeyutl -engine pkcs11 -keyform engine -inkey "pkcs11:object=KprivFirmaDigital;type=private" \
  -sign -in data.sha256 -pkeyopt digest:sha256 -out none.sig < /dev/null > none.txt 2>&1; then
  cat none.txt; fail "the signing key signed without its PIN"
fi
echo; echo "OpenSSL (libp11 engine): all checks passed"
