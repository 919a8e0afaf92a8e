// SPDX-License-Identifier: Apache-2.0
// The DNIe holder trust set (dnie/holder/trust.hpp) and the embedded CA certificates.
#include "dnie/holder/trust.hpp"

#include <string_view>

#include "dnie/bytes/log.hpp"

namespace dnie::holder {

namespace detail {
struct EmbeddedFile {
  const char* name;
  const unsigned char* data;
  std::size_t size;
};
extern const EmbeddedFile kEmbeddedTrust[];
extern const std::size_t kEmbeddedTrustCount;
}  // namespace detail

namespace {

// The anchors among the embedded files (self-signed roots); the others are intermediates.
bool is_anchor_file(std::string_view name) { return name.rfind("AC_RAIZ_", 0) == 0; }

HolderTrust make_builtin() {
  HolderTrust t;
  for (const auto& f : embedded_trust_files()) {
    auto r = t.add_certificates(ByteView::of(f.pem), f.name + " (built-in)", is_anchor_file(f.name));
    // The files are checked by tests/unit/holder (fingerprints); a broken one is a build defect.
    if (!r) log(LogLevel::Error, "holder", "built-in trust file " + f.name + ": " + r.error().message);
  }
  return t;
}

}  // namespace

std::vector<EmbeddedTrustFile> embedded_trust_files() {
  std::vector<EmbeddedTrustFile> out;
  for (std::size_t i = 0; i < detail::kEmbeddedTrustCount; ++i) {
    const auto& f = detail::kEmbeddedTrust[i];
    out.push_back({f.name, std::string(reinterpret_cast<const char*>(f.data), f.size)});
  }
  return out;
}

const HolderTrust& HolderTrust::builtin() {
  static const HolderTrust t = make_builtin();
  return t;
}

bool HolderTrust::add(TrustedCertificate cert) {
  const std::string fp = cert.certificate.fingerprint_sha256();
  for (auto& c : m_certs) {
    if (c.certificate.fingerprint_sha256() != fp) continue;
    if (cert.anchor && !c.anchor) {
      c.anchor = true;
      c.test_only = cert.test_only;
      c.source = std::move(cert.source);
    }
    return false;
  }
  m_certs.push_back(std::move(cert));
  return true;
}

Result<std::size_t> HolderTrust::add_certificates(ByteView data, const std::string& source, bool anchor,
                                                  bool test_only) {
  std::vector<crypto::Certificate> certs;
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    DNIE_ASSIGN_OR_RETURN(certs, crypto::Certificate::parse_pem_bundle(text));
  } else {
    DNIE_ASSIGN_OR_RETURN(auto c, crypto::Certificate::parse(data));
    certs.push_back(std::move(c));
  }
  if (certs.empty()) return Error(ErrorCode::NotFound, source + ": no certificate");
  std::size_t added = 0;
  for (auto& c : certs)
    if (add({std::move(c), source, anchor, test_only})) ++added;
  return added;
}

std::vector<const TrustedCertificate*> HolderTrust::issuers_of(const crypto::Certificate& cert) const {
  std::vector<const TrustedCertificate*> out;
  const auto aki = cert.authority_key_id();
  for (const auto& c : m_certs) {
    const auto ski = c.certificate.subject_key_id();
    const bool by_key = aki && ski;
    if (by_key ? *aki == *ski : c.certificate.subject() == cert.issuer()) out.push_back(&c);
  }
  return out;
}

}  // namespace dnie::holder
