// SPDX-License-Identifier: Apache-2.0
// File: dnie/icao/trust_store.hpp
// CSCA trust store (ICAO 9303-12 §4, §5): certificates from a directory of PEM/DER files and
// from ICAO/BSI CSCA master lists (9303-12 §5.2: CMS SignedData, eContent 2.23.136.1.1.2
// CscaMasterList ::= SEQUENCE { version, SET OF Certificate }, whose own signature is checked),
// CRLs (RFC 5280 §5, checked against their CSCA), deduplicated by SHA-256 fingerprint and
// indexed by subject DN and subject key identifier; and an audit listing for the CLI.
// Thread safety: const methods may be called from several threads once loading is done.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dnie/crypto/x509.hpp"
#include "dnie/icao/sod.hpp"

namespace dnie::icao {

/// A parsed master list (no trust decisions).
struct MasterList {
  SignedData signed_data;
  int version = 0;
  std::vector<crypto::Certificate> certificates;
};
Result<MasterList> parse_master_list(ByteView der);

/// Outcome of loading one master list.
struct MasterListReport {
  std::string source;
  std::size_t certificates = 0;        ///< in the list
  std::size_t added = 0;               ///< new in the store
  bool signature_verified = false;     ///< signer's signature over the content verified
  bool signer_chain_verified = false;  ///< signer certificate signed by a CSCA of the list itself
  std::string signer;                  ///< signer certificate subject
  std::optional<std::int64_t> signing_time;
  std::string reason;  ///< why a verification failed ("" if both passed)
};

/// A CRL (RFC 5280 §5.1) with its revoked serials.
struct Crl {
  crypto::Name issuer;
  std::int64_t this_update = 0;
  std::optional<std::int64_t> next_update;
  std::vector<Bytes> revoked_serials;  ///< raw INTEGER contents
  Bytes tbs;
  crypto::AlgorithmIdentifier signature_algorithm;
  Bytes signature;
  std::optional<Bytes> authority_key_id;
};
Result<Crl> parse_crl(ByteView der);

/// Audit line of one CSCA.
struct CscaAudit {
  std::string country;  ///< C of the subject
  std::string subject;
  std::string serial_hex;
  std::string not_before, not_after;  ///< ISO 8601
  bool valid_now = false;
  std::string key;  ///< "RSA-4096", "EC brainpoolP384r1"
  std::string signature_algorithm;
  bool self_signed = false;               ///< subject == issuer
  std::optional<bool> self_signature_ok;  ///< for self-signed ones; link certificates: nullopt
  bool is_ca = false;
  std::string fingerprint;  ///< SHA-256 hex
  std::string source;       ///< file or master list it came from
};

/// Revocation state of a certificate against the loaded CRLs.
enum class Revocation { Good, Revoked, Unknown /* no verified CRL from its issuer */ };

class TrustStore {
 public:
  TrustStore();
  ~TrustStore();
  TrustStore(TrustStore&&) noexcept;
  TrustStore& operator=(TrustStore&&) noexcept;

  /// Adds a certificate; false when it was already present (same fingerprint).
  bool add(crypto::Certificate cert, std::string source = {});
  /// PEM (bundle) or DER certificate(s); returns how many were new.
  Result<std::size_t> add_certificates(ByteView pem_or_der, std::string source = {});
  /// Adds the certificates of a master list and reports whether its signature verified.
  /// The certificates are added even when it did not (the report says so); pass
  /// `require_verified` to refuse them (VerificationFailed) instead.
  Result<MasterListReport> add_master_list(ByteView der, std::string source = {},
                                           bool require_verified = false);
  /// Adds a CRL; its signature is checked against a CSCA in the store (VerificationFailed /
  /// UntrustedDocument if that fails or no issuer is known).
  Status add_crl(ByteView der);
  /// Loads *.pem *.crt *.cer *.der (certificates), *.ml (master lists) and *.crl (CRLs) from a
  /// directory (not recursive). Unreadable or malformed files are skipped and counted in
  /// `errors`. NotFound when the directory does not exist.
  struct DirectoryReport {
    std::size_t files = 0, certificates_added = 0, crls = 0;
    std::vector<MasterListReport> master_lists;
    std::vector<std::string> errors;
  };
  Result<DirectoryReport> load_directory(const std::string& path);

  std::size_t size() const noexcept;
  const std::vector<crypto::Certificate>& certificates() const noexcept;
  /// Candidate issuers of `cert`: by authority key id = subject key id, else by issuer DN.
  std::vector<const crypto::Certificate*> find_issuers(const crypto::Certificate& cert) const;
  std::vector<const crypto::Certificate*> find_by_subject(const crypto::Name& subject) const;
  Revocation revocation(const crypto::Certificate& cert, const crypto::Certificate& issuer) const;
  const std::vector<MasterListReport>& master_lists() const noexcept;
  std::size_t crl_count() const noexcept;

  /// One line per certificate, sorted by country then subject; `now` in Unix seconds (0 = now).
  std::vector<CscaAudit> audit(std::int64_t now = 0) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// The current time in Unix seconds (the library's single clock read).
std::int64_t unix_now() noexcept;

}  // namespace dnie::icao
