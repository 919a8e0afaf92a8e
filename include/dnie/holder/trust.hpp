// SPDX-License-Identifier: Apache-2.0
// File: dnie/holder/trust.hpp
// Trust anchors and intermediates of the DNIe holder PKI (the authentication and signing
// certificates on the card): AC RAIZ DNIE 2 → AC DNIE 004/005/006, and the old hierarchy
// AC RAIZ DNIE → AC DNIE 001/002/003. The public certificates ship with the SDK, embedded at
// build time from src/holder/trust/*.pem; docs/relying-parties.md lists each file's source and
// SHA-256, and tests/unit/holder checks them.
// A HolderTrust is a plain value: build it once, then share it read-only between threads.
#pragma once

#include <string>
#include <vector>

#include "dnie/crypto/x509.hpp"

namespace dnie::holder {

struct TrustedCertificate {
  crypto::Certificate certificate;
  std::string source;      ///< "AC_RAIZ_DNIE_2.pem (built-in)", a file name, "virtual card TEST root"
  bool anchor = false;     ///< a root the chain may end at; false: an intermediate (a link only)
  bool test_only = false;  ///< a TEST anchor (virtual card): used only with allow_test_roots
};

class HolderTrust {
 public:
  /// The production hierarchy shipped with the SDK: anchors AC RAIZ DNIE 2 and AC RAIZ DNIE
  /// (its SHA-256-signed copy), intermediates AC DNIE 001–003 (SHA-1- and SHA-256-signed copies)
  /// and AC DNIE 004–006. Parsed once, on first use.
  static const HolderTrust& builtin();

  /// Adds a certificate; false when one with the same SHA-256 fingerprint is already there (an
  /// anchor stays an anchor).
  bool add(TrustedCertificate cert);
  /// PEM bundle or DER: every certificate with the same flags. Returns how many were new.
  Result<std::size_t> add_certificates(ByteView pem_or_der, const std::string& source, bool anchor,
                                       bool test_only = false);
  const std::vector<TrustedCertificate>& certificates() const noexcept { return m_certs; }
  /// Candidate issuers of `cert`: subject key id = its authority key id when both exist, else
  /// subject = its issuer name. The caller still verifies the signature.
  std::vector<const TrustedCertificate*> issuers_of(const crypto::Certificate& cert) const;

 private:
  std::vector<TrustedCertificate> m_certs;
};

/// The embedded trust files (name, PEM text), in name order: for tests and audits.
struct EmbeddedTrustFile {
  std::string name;
  std::string pem;
};
std::vector<EmbeddedTrustFile> embedded_trust_files();

}  // namespace dnie::holder
