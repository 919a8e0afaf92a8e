// SPDX-License-Identifier: Apache-2.0
// OpenSSL helpers of the façade (src/crypto/ossl.hpp).
#include "crypto/ossl.hpp"

#include <ctime>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "dnie/bytes/asn1.hpp"

namespace dnie::crypto::ossl {

X509Ptr to_x509(const Certificate& cert) {
  const Bytes& der = cert.der();
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (x && p != der.data() + der.size()) x.reset();
  return x;
}

std::optional<std::int64_t> unix_time(const ASN1_TIME* t) {
  if (t == nullptr) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  const std::int64_t days = asn1::days_from_civil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                                                  static_cast<unsigned>(tm.tm_mday));
  return days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

const EVP_MD* md_of(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::Sha1:
      return EVP_sha1();
    case HashAlg::Sha224:
      return EVP_sha224();
    case HashAlg::Sha256:
      return EVP_sha256();
    case HashAlg::Sha384:
      return EVP_sha384();
    case HashAlg::Sha512:
      return EVP_sha512();
  }
  return nullptr;
}

std::optional<HashAlg> hash_of(const ASN1_OBJECT* obj) {
  if (obj == nullptr) return std::nullopt;
  char buf[80];
  if (OBJ_obj2txt(buf, sizeof buf, obj, 1) <= 0) return std::nullopt;
  auto h = hash_from_oid(buf);
  if (!h) return std::nullopt;
  return *h;
}

Bytes pem_or_der(ByteView data, std::string_view label) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (text.find("-----BEGIN") == std::string_view::npos) return data.to_bytes();
  auto der = pem_decode(text, label);
  return der ? std::move(der).value() : Bytes{};
}

}  // namespace dnie::crypto::ossl
