// SPDX-License-Identifier: Apache-2.0
// File: dnie/icao/trust_store.hpp
// CSCA trust store (ICAO 9303-12 §4, §5): certificates from a directory of PEM/DER files and
// from ICAO/BSI CSCA master lists (9303-12 §5.2: CMS SignedData, eContent 2.23.136.1.1.2
// CscaMasterList ::= SEQUENCE { version, SET OF Certificate }, whose signer must chain to a CSCA
// trusted before the list), CRLs (RFC 5280 §5, checked against their CSCA, current only between
// thisUpdate and nextUpdate), deduplicated by SHA-256 fingerprint and
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

/// How add_master_list() decides whether to take a list's CSCAs.
struct MasterListOptions {
  /// ICAO 9303-12 §5.2: a master list is only as trustworthy as the anchor its signer chains to,
  /// and that anchor must be trusted before the list is read (a CSCA certificate obtained
  /// independently, e.g. from the issuing state): a list vouching for itself proves nothing. By
  /// default a list whose signer does not chain to such an anchor is refused (UntrustedDocument).
  /// `accept_unanchored` takes its CSCAs anyway (the CMS signature must still verify with the
  /// embedded signer) and marks them as coming from an unanchored list: audit() and the `ds.chain`
  /// reason say so. Use it only for a list obtained over a channel you trust.
  bool accept_unanchored = false;
  /// Clock for the signer's validity when the list has no signingTime (0 = the system clock).
  std::int64_t now = 0;
};

/// Outcome of loading one master list.
struct MasterListReport {
  std::string source;
  std::size_t certificates = 0;     ///< in the list
  std::size_t added = 0;            ///< new in the store
  bool signature_verified = false;  ///< CMS signature over the content verifies with the signer certificate
  /// The signer certificate chains (possibly through link certificates carried by the list) to a
  /// CA that was in the store, not from an unanchored list, before this list was loaded; never to
  /// a certificate carried by the list itself. Every certificate of that path is a CA allowed to
  /// sign certificates with no unrecognised critical extension, the signer's extKeyUsage (if
  /// any) allows master-list signing (2.23.136.1.1.3) and it was valid when the list was signed.
  bool signer_chain_verified = false;
  bool accepted_unanchored =
      false;                  ///< taken without an anchored signer (MasterListOptions::accept_unanchored)
  std::string signer;         ///< signer certificate subject
  std::string signer_issuer;  ///< signer certificate issuer (the CSCA to load to anchor the list)
  std::string anchor;         ///< subject of the anchor when signer_chain_verified
  std::optional<std::int64_t> signing_time;
  std::string reason;  ///< why a verification failed ("" if both passed)
  bool verified() const noexcept { return signature_verified && signer_chain_verified; }
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
  /// Critical CRL or CRL-entry extensions the SDK does not process (RFC 5280 §5.2, §5.3: such a
  /// CRL must not be used, e.g. a delta CRL 2.5.29.27 or an indirect CRL's certificateIssuer).
  std::vector<std::string> unrecognised_critical_extensions;
};
/// MalformedData also when tbsCertList.signature differs from signatureAlgorithm (§5.1.1.2).
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
  std::string fingerprint;            ///< SHA-256 hex
  std::string source;                 ///< file or master list it came from
  bool from_unanchored_list = false;  ///< only from a master list taken without an anchored signer
};

/// Revocation state of a certificate against the loaded CRLs.
enum class Revocation {
  Good,     ///< a verified CRL of the issuer, current at the time asked, does not list it
  Revoked,  ///< a verified CRL of the issuer lists it (revocation is permanent, RFC 5280 §3.3)
  Unknown   ///< no verified CRL of the issuer that is current at the time asked
};
struct RevocationCheck {
  Revocation state = Revocation::Unknown;
  std::string reason;  ///< which CRL decided, or why none could (stale, not yet valid, absent)
};

class TrustStore {
 public:
  TrustStore();
  ~TrustStore();
  TrustStore(TrustStore&&) noexcept;
  TrustStore& operator=(TrustStore&&) noexcept;

  /// Adds a certificate the caller trusts (an anchor); false when it was already present (same
  /// fingerprint). A certificate that was only known from an unanchored list becomes an anchor.
  bool add(crypto::Certificate cert, std::string source = {});
  /// PEM (bundle) or DER certificate(s), trusted like add(); returns how many were new.
  Result<std::size_t> add_certificates(ByteView pem_or_der, std::string source = {});
  /// Adds the CSCAs of a master list (see MasterListOptions). Refused, with nothing added:
  /// VerificationFailed when the CMS signature does not verify; UntrustedDocument when the signer
  /// does not chain to an anchor loaded before the list, unless `accept_unanchored` (the error
  /// names the signer's issuer: load that CSCA certificate first to anchor the list).
  Result<MasterListReport> add_master_list(ByteView der, std::string source = {},
                                           const MasterListOptions& options = {});
  /// Adds a CRL; its signature is checked against a CSCA in the store whose keyUsage (if any)
  /// allows cRLSign (VerificationFailed / UntrustedDocument if that fails or no issuer is known).
  /// Unsupported when it carries an unrecognised critical extension (RFC 5280 §5.2).
  Status add_crl(ByteView der);
  /// Loads from a directory (not recursive) *.pem *.crt *.cer *.der certificates first (they are
  /// anchors), then *.ml master lists (and .der files that are master lists), then *.crl CRLs.
  /// Unreadable, malformed or refused files are skipped and counted in `errors`. NotFound when
  /// the directory does not exist.
  struct DirectoryReport {
    std::size_t files = 0, certificates_added = 0, crls = 0;
    std::vector<MasterListReport> master_lists;
    std::vector<std::string> errors;
  };
  Result<DirectoryReport> load_directory(const std::string& path, const MasterListOptions& options = {});

  std::size_t size() const noexcept;
  const std::vector<crypto::Certificate>& certificates() const noexcept;
  /// Candidate issuers of `cert`: by authority key id = subject key id, else by issuer DN.
  std::vector<const crypto::Certificate*> find_issuers(const crypto::Certificate& cert) const;
  std::vector<const crypto::Certificate*> find_by_subject(const crypto::Name& subject) const;
  /// Revocation of `cert` at Unix time `at` by the CRLs of `issuer` (RFC 5280 §6.3): only a CRL
  /// with thisUpdate <= at <= nextUpdate can prove "not revoked"; a stale, not yet valid or
  /// nextUpdate-less CRL gives Unknown with the reason (still Revoked if it lists the serial).
  RevocationCheck revocation(const crypto::Certificate& cert, const crypto::Certificate& issuer,
                             std::int64_t at) const;
  /// True when `cert` is in the store only because of a master list taken unanchored.
  bool from_unanchored_list(const crypto::Certificate& cert) const;
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
