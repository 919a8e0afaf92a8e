// SPDX-License-Identifier: Apache-2.0
// CSCA trust store: ICAO 9303-12 §5.2 master lists (CscaMasterList in CMS SignedData), RFC 5280
// §5 CRLs, PEM/DER certificate directories, audit listing.
#include "dnie/icao/trust_store.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"

#include "icao/internal.hpp"

namespace dnie::icao {

using detail::malformed;

std::int64_t unix_now() noexcept { return static_cast<std::int64_t>(std::time(nullptr)); }

// ICAO 9303-12 §5.2: CscaMasterList ::= SEQUENCE { version CscaMasterListVersion, certList SET OF Certificate
// }.
Result<MasterList> parse_master_list(ByteView der) {
  MasterList ml;
  DNIE_ASSIGN_OR_RETURN(ml.signed_data, parse_signed_data(der));
  if (ml.signed_data.content_type != kOidCscaMasterList)
    return malformed("master list: content is not a CscaMasterList");
  auto top = tlv::parse_single(ml.signed_data.content);
  if (!top || top->tag != asn1::kSequence) return malformed("master list: CscaMasterList is not a SEQUENCE");
  tlv::Reader r(top->value);
  auto ver = r.expect(asn1::kInteger);
  if (!ver) return malformed("master list: no version");
  auto v = asn1::integer_value(ver->value);
  if (!v || *v != 0) return malformed("master list: unknown version");
  ml.version = static_cast<int>(*v);
  auto set = r.expect(asn1::kSet);
  if (!set || !r.empty()) return malformed("master list: no certificate SET");
  tlv::Reader cr(set->value);
  while (!cr.empty()) {
    auto c = cr.next();
    if (!c) return malformed("master list: " + c.error().message);
    auto cert = crypto::Certificate::parse(c->raw);
    if (!cert) return malformed("master list: certificate: " + cert.error().message);
    ml.certificates.push_back(std::move(*cert));
  }
  return ml;
}

namespace {

const char kOidMasterListSigning[] = "2.23.136.1.1.3";  // id-icao-cscaMasterListSigningKey

std::string day(std::int64_t t) { return asn1::format_time(t).substr(0, 10); }

/// Reads Extensions ::= SEQUENCE OF Extension, noting critical ones not in `known`.
Status scan_extensions(ByteView seq_der, std::initializer_list<const char*> known,
                       std::vector<std::string>& critical_unknown, std::optional<Bytes>* aki = nullptr) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv exts, tlv::parse_single(seq_der));
  if (exts.tag != asn1::kSequence) return malformed("extensions are not a SEQUENCE");
  tlv::Reader xr(exts.value);
  while (!xr.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv ext, xr.expect(asn1::kSequence));
    tlv::Reader e(ext.value);
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv eo, e.expect(asn1::kOid));
    DNIE_ASSIGN_OR_RETURN(std::string eoid, asn1::oid_to_string(eo.value));
    bool critical = false;
    if (e.peek_tag() == asn1::kBoolean) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv b, e.next());
      if (b.value.size() != 1) return malformed("bad critical BOOLEAN");
      critical = b.value[0] != 0;
    }
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv ev, e.expect(asn1::kOctetString));
    if (!e.empty()) return malformed("trailing data in an extension");
    bool is_known = false;
    for (const char* k : known) is_known = is_known || eoid == k;
    if (critical && !is_known) critical_unknown.push_back(eoid);
    if (aki && eoid == "2.5.29.35") {  // AuthorityKeyIdentifier { [0] keyIdentifier, ... }
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv t, tlv::parse_single(ev.value));
      if (t.tag != asn1::kSequence) return malformed("bad authorityKeyIdentifier");
      auto kid = tlv::find(t.value, 0x80);
      if (kid) *aki = kid->value.to_bytes();
    }
  }
  return ok_status();
}

/// AlgorithmIdentifier → {oid, raw parameters}.
Result<crypto::AlgorithmIdentifier> algid(const tlv::Tlv& t) {
  tlv::Reader ar(t.value);
  crypto::AlgorithmIdentifier a;
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv aoid, ar.expect(asn1::kOid));
  DNIE_ASSIGN_OR_RETURN(a.oid, asn1::oid_to_string(aoid.value));
  if (!ar.empty()) a.params = ar.rest().to_bytes();
  return a;
}

/// The issuer may sign CRLs: RFC 5280 §6.3.3 (f), keyUsage cRLSign when the extension is present.
bool may_sign_crls(const crypto::Certificate& c) {
  auto ku = c.key_usage();
  return !ku || (*ku & crypto::kCrlSign);
}

}  // namespace

// RFC 5280 §5.1 CertificateList.
Result<Crl> parse_crl(ByteView der) {
  Crl crl;
  auto body = [&]() -> Status {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv top, tlv::parse_single(der));
    if (top.tag != asn1::kSequence) return malformed("not a SEQUENCE");
    tlv::Reader r(top.value);
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv tbs, r.expect(asn1::kSequence));
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv alg, r.expect(asn1::kSequence));
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv sig, r.expect(asn1::kBitString));
    if (!r.empty()) return malformed("trailing data");
    crl.tbs = tbs.raw.to_bytes();
    DNIE_ASSIGN_OR_RETURN(crl.signature_algorithm, algid(alg));
    if (sig.value.empty() || sig.value[0] != 0) return malformed("bad signature BIT STRING");
    crl.signature = sig.value.subview(1).to_bytes();
    tlv::Reader t(tbs.value);
    if (t.peek_tag() == asn1::kInteger) {  // version: v2 (1) when present
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv v, t.next());
      DNIE_ASSIGN_OR_RETURN(std::int64_t ver, asn1::integer_value(v.value));
      if (ver != 0 && ver != 1) return malformed("unknown version");
    }
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv inner_alg, t.expect(asn1::kSequence));
    DNIE_ASSIGN_OR_RETURN(crypto::AlgorithmIdentifier inner, algid(inner_alg));
    // §5.1.1.2: signatureAlgorithm MUST be the same as the signed tbsCertList.signature.
    if (inner.oid != crl.signature_algorithm.oid || inner.params != crl.signature_algorithm.params)
      return malformed("signatureAlgorithm differs from tbsCertList.signature (RFC 5280 §5.1.1.2)");
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv issuer, t.expect(asn1::kSequence));
    DNIE_ASSIGN_OR_RETURN(crl.issuer, crypto::parse_name(issuer.raw));
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv tu, t.next());
    DNIE_ASSIGN_OR_RETURN(crl.this_update, asn1::parse_time(tu.tag, tu.value));
    if (t.peek_tag() == asn1::kUtcTime || t.peek_tag() == asn1::kGeneralizedTime) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv nu, t.next());
      DNIE_ASSIGN_OR_RETURN(std::int64_t n, asn1::parse_time(nu.tag, nu.value));
      crl.next_update = n;
    }
    if (!t.empty() && t.peek_tag() == asn1::kSequence) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv revoked, t.next());
      tlv::Reader rr(revoked.value);
      while (!rr.empty()) {
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv entry, rr.expect(asn1::kSequence));
        tlv::Reader er(entry.value);
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv serial, er.expect(asn1::kInteger));
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv when, er.next());
        DNIE_TRY(asn1::parse_time(when.tag, when.value));
        if (!er.empty()) {  // §5.3 crlEntryExtensions: reasonCode, invalidityDate are understood
          DNIE_ASSIGN_OR_RETURN(tlv::Tlv exts, er.next());
          DNIE_TRY(
              scan_extensions(exts.raw, {"2.5.29.21", "2.5.29.24"}, crl.unrecognised_critical_extensions));
        }
        if (!er.empty()) return malformed("trailing data in a revoked entry");
        if (serial.value.empty()) return malformed("empty serial number");
        crl.revoked_serials.push_back(serial.value.to_bytes());
      }
    }
    if (!t.empty() && t.peek_tag() == 0xA0) {  // §5.2: authorityKeyIdentifier, cRLNumber are understood
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv ext0, t.next());
      DNIE_TRY(scan_extensions(ext0.value, {"2.5.29.35", "2.5.29.20"}, crl.unrecognised_critical_extensions,
                               &crl.authority_key_id));
    }
    if (!t.empty()) return malformed("unexpected field in TBSCertList");
    return ok_status();
  };
  Status st = body();
  if (!st) return malformed("CRL: " + st.error().message);
  return crl;
}

struct TrustStore::Impl {
  std::vector<crypto::Certificate> certs;
  std::vector<std::string> sources;
  std::vector<bool> unanchored;  // only known from a master list taken without an anchored signer
  std::map<std::string, std::size_t> by_fingerprint;
  std::vector<Crl> crls;  // verified ones only
  std::vector<MasterListReport> master_lists;

  bool add(crypto::Certificate cert, std::string source, bool from_unanchored) {
    auto [it, fresh] = by_fingerprint.emplace(cert.fingerprint_sha256(), certs.size());
    if (!fresh) {
      if (unanchored[it->second] && !from_unanchored) {  // now vouched for: an anchor
        unanchored[it->second] = false;
        sources[it->second] = std::move(source);
      }
      return false;
    }
    certs.push_back(std::move(cert));
    sources.push_back(std::move(source));
    unanchored.push_back(from_unanchored);
    return true;
  }

  /// A CA may sign certificates here: basicConstraints cA, keyCertSign if keyUsage is present, no
  /// unrecognised critical extension (RFC 5280 §6.1.4 (k), (n), (o)).
  static bool ca_ok(const crypto::Certificate& c, std::string& why) {
    auto ku = c.key_usage();
    if (!c.is_ca() || (ku && !(*ku & crypto::kKeyCertSign))) {
      why = c.subject().to_string() + " is not a CA allowed to sign certificates";
      return false;
    }
    if (auto st = c.check_critical_extensions(); !st) {
      why = st.error().message;
      return false;
    }
    return true;
  }

  /// Path search for a master-list signer: certificates of the path, the signature checks left
  /// (a hostile list of many same-name CAs that sign each other must not cost N^depth of them),
  /// and the last failure.
  struct PathSearch {
    std::vector<const crypto::Certificate*> pool;  // carried by the list: intermediates only
    std::vector<const crypto::Certificate*> path;
    int budget = 64;
    std::string why;
    bool signed_by(const crypto::Certificate& cert, const crypto::Certificate& issuer) {
      if (budget <= 0) {
        why = "path search stopped after 64 signature checks";
        return false;
      }
      --budget;
      return cert.verify_signed_by(issuer.public_key()).ok();
    }
  };

  /// The anchor (a CA of the store, not from an unanchored list) that signed `cert`, directly or
  /// through at most `depth` CAs of the pool (link certificates carried by the list).
  const crypto::Certificate* anchor_of(const crypto::Certificate& cert, int depth, PathSearch& ps) const {
    for (std::size_t i = 0; i < certs.size(); ++i) {
      const auto& a = certs[i];
      if (unanchored[i] || !(a.subject() == cert.issuer()) || !ca_ok(a, ps.why)) continue;
      if (ps.signed_by(cert, a)) return &a;
      if (ps.budget > 0)
        ps.why = "the signature of " + cert.subject().to_string() + " does not verify with the anchor " +
                 a.subject().to_string();
    }
    if (depth == 0) return nullptr;
    for (const crypto::Certificate* p : ps.pool) {
      if (!(p->subject() == cert.issuer()) || std::find(ps.path.begin(), ps.path.end(), p) != ps.path.end())
        continue;
      if (!ca_ok(*p, ps.why) || !ps.signed_by(cert, *p)) continue;
      ps.path.push_back(p);
      if (const auto* a = anchor_of(*p, depth - 1, ps)) return a;
      ps.path.pop_back();
    }
    return nullptr;
  }
};

TrustStore::TrustStore() : m_impl(std::make_unique<Impl>()) {}
TrustStore::~TrustStore() = default;
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;

bool TrustStore::add(crypto::Certificate cert, std::string source) {
  return m_impl->add(std::move(cert), std::move(source), false);
}

Result<std::size_t> TrustStore::add_certificates(ByteView data, std::string source) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t added = 0;
  if (text.find("-----BEGIN") != std::string_view::npos) {
    DNIE_ASSIGN_OR_RETURN(auto certs, crypto::Certificate::parse_pem_bundle(text));
    for (auto& c : certs) added += add(std::move(c), source) ? 1 : 0;
    return added;
  }
  DNIE_ASSIGN_OR_RETURN(crypto::Certificate c, crypto::Certificate::parse(data));
  return add(std::move(c), std::move(source)) ? 1u : 0u;
}

// ICAO 9303-12 §5.2: the list's CMS signature verifies with its signer certificate, and that
// certificate chains to a CSCA the verifier trusted before reading the list (9303-12 §7.1.1: the
// Master List Signer is issued by a CSCA; its extKeyUsage is id-icao-cscaMasterListSigningKey).
Result<MasterListReport> TrustStore::add_master_list(ByteView der, std::string source,
                                                     const MasterListOptions& o) {
  DNIE_ASSIGN_OR_RETURN(MasterList ml, parse_master_list(der));
  MasterListReport rep;
  rep.source = source.empty() ? "master list" : source;
  rep.certificates = ml.certificates.size();
  const SignerInfo& signer = ml.signed_data.signers.front();
  rep.signing_time = signer.signing_time;
  const crypto::Certificate* sc = find_signer_certificate(ml.signed_data, signer);
  if (!sc)
    return make_error(ErrorCode::UntrustedDocument,
                      "master list " + rep.source + ": signer certificate not embedded; refused");
  rep.signer = sc->subject().to_string();
  rep.signer_issuer = sc->issuer().to_string();
  if (Status sig = verify_signer(ml.signed_data, signer, sc->public_key()); !sig)
    return detail::verify_failed("master list " + rep.source + ": its signature does not verify (" +
                                 sig.error().message + "); refused");
  rep.signature_verified = true;

  const std::int64_t at = signer.signing_time ? *signer.signing_time : (o.now != 0 ? o.now : unix_now());
  const auto eku = sc->extended_key_usage();
  ErrorCode code = ErrorCode::VerificationFailed;
  if (auto st = sc->check_critical_extensions(); !st) {
    rep.reason = st.error().message;
  } else if (!eku.empty() && std::find(eku.begin(), eku.end(), kOidMasterListSigning) == eku.end()) {
    rep.reason = "the signer's extKeyUsage does not allow master-list signing (" +
                 std::string(kOidMasterListSigning) + ")";
  } else if (!sc->valid_at(at)) {
    rep.reason = "the signer certificate (valid " + day(sc->not_before()) + " to " + day(sc->not_after()) +
                 ") was not valid at " + day(at);
  } else {
    Impl::PathSearch ps;
    for (const auto& c : ml.certificates) ps.pool.push_back(&c);
    for (const auto& c : ml.signed_data.certificates)
      if (&c != sc) ps.pool.push_back(&c);
    if (const crypto::Certificate* anchor = m_impl->anchor_of(*sc, 3, ps)) {
      rep.signer_chain_verified = true;
      rep.anchor = anchor->subject().to_string();
    } else {
      bool named = false;
      for (const auto& c : m_impl->certs) named = named || c.subject() == sc->issuer();
      if (ps.why.empty() || !named) code = ErrorCode::UntrustedDocument;
      rep.reason = ps.why.empty() ? "no CSCA loaded before the list issued its signer" : ps.why;
    }
  }
  if (!rep.signer_chain_verified) {
    if (!o.accept_unanchored)
      return make_error(
          code, "master list " + rep.source + " cannot be anchored: " + rep.reason + ". Its signer (" +
                    rep.signer + ") is issued by " + rep.signer_issuer +
                    "; load that CSCA certificate, obtained independently, before the list, or "
                    "accept the list unanchored (MasterListOptions::accept_unanchored); refused");
    rep.accepted_unanchored = true;
    rep.reason = "not anchored: " + rep.reason;
  }
  for (auto& c : ml.certificates)
    rep.added += m_impl->add(std::move(c), rep.source, rep.accepted_unanchored) ? 1 : 0;
  m_impl->master_lists.push_back(rep);
  return rep;
}

Status TrustStore::add_crl(ByteView der) {
  DNIE_ASSIGN_OR_RETURN(Crl crl, parse_crl(der));
  if (!crl.unrecognised_critical_extensions.empty())
    return detail::unsupported("CRL carries the unrecognised critical extension " +
                               crl.unrecognised_critical_extensions.front() + " (RFC 5280 §5.2); not used");
  bool known = false;
  for (const auto& c : m_impl->certs) {
    if (!(c.subject() == crl.issuer)) continue;
    known = true;
    if (crl.authority_key_id) {
      auto ski = c.subject_key_id();
      if (ski && *ski != *crl.authority_key_id) continue;
    }
    if (may_sign_crls(c) && c.public_key().verify(crl.signature_algorithm, crl.tbs, crl.signature).ok()) {
      m_impl->crls.push_back(std::move(crl));
      return ok_status();
    }
  }
  if (!known) return make_error(ErrorCode::UntrustedDocument, "CRL issuer is not in the trust store");
  return detail::verify_failed("CRL signature does not verify with a CSCA of that name allowed to sign CRLs");
}

Result<TrustStore::DirectoryReport> TrustStore::load_directory(const std::string& path,
                                                               const MasterListOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return make_error(ErrorCode::NotFound, "no such directory: " + path);
  std::vector<fs::path> files;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) files.push_back(it->path());
  if (ec) return make_error(ErrorCode::NotFound, "cannot list " + path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  DirectoryReport rep;
  auto read = [](const fs::path& p) -> std::optional<Bytes> {
    std::ifstream f(p, std::ios::binary);
    if (!f) return std::nullopt;
    std::ostringstream ss;
    ss << f.rdbuf();
    const std::string s = ss.str();
    return Bytes(s.begin(), s.end());
  };
  auto ext_of = [](const fs::path& p) {
    std::string e = p.extension().string();
    for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return e;
  };
  // Certificates first (anchors for the master lists), then master lists, then CRLs (which need
  // their issuers).
  struct DerFile {
    std::string name;
    Bytes data;
    Error cert_error;
  };
  std::vector<DerFile> der_lists;  // .der files that are not certificates
  for (int pass = 0; pass < 3; ++pass) {
    for (const auto& p : files) {
      const std::string e = ext_of(p);
      const bool cert = e == ".pem" || e == ".crt" || e == ".cer" || e == ".der";
      if ((pass == 0 && !cert) || (pass == 1 && e != ".ml") || (pass == 2 && e != ".crl")) continue;
      ++rep.files;
      auto data = read(p);
      const std::string name = p.filename().string();
      if (!data) {
        rep.errors.push_back(name + ": cannot read");
        continue;
      }
      if (pass == 1) {
        auto r = add_master_list(*data, name, options);
        if (r) {
          rep.certificates_added += r->added;
          rep.master_lists.push_back(*r);
        } else {
          rep.errors.push_back(name + ": " + r.error().message);
        }
      } else if (pass == 2) {
        auto r = add_crl(*data);
        if (r)
          ++rep.crls;
        else
          rep.errors.push_back(name + ": " + r.error().message);
      } else if (auto r = add_certificates(*data, name)) {
        rep.certificates_added += *r;
      } else if (e == ".der") {  // .der master lists exist too: after every certificate
        der_lists.push_back({name, std::move(*data), std::move(r).error()});
      } else {
        rep.errors.push_back(name + ": " + r.error().message);
      }
    }
    if (pass != 0) continue;
    for (const auto& f : der_lists) {
      auto ml = add_master_list(f.data, f.name, options);
      if (ml) {
        rep.certificates_added += ml->added;
        rep.master_lists.push_back(*ml);
      } else {
        rep.errors.push_back(
            f.name + ": " +
            (ml.error().code == ErrorCode::MalformedData ? f.cert_error : ml.error()).message);
      }
    }
  }
  return rep;
}

std::size_t TrustStore::size() const noexcept { return m_impl->certs.size(); }
const std::vector<crypto::Certificate>& TrustStore::certificates() const noexcept { return m_impl->certs; }
const std::vector<MasterListReport>& TrustStore::master_lists() const noexcept {
  return m_impl->master_lists;
}
std::size_t TrustStore::crl_count() const noexcept { return m_impl->crls.size(); }

std::vector<const crypto::Certificate*> TrustStore::find_by_subject(const crypto::Name& subject) const {
  std::vector<const crypto::Certificate*> out;
  for (const auto& c : m_impl->certs)
    if (c.subject() == subject) out.push_back(&c);
  return out;
}

std::vector<const crypto::Certificate*> TrustStore::find_issuers(const crypto::Certificate& cert) const {
  std::vector<const crypto::Certificate*> out;
  auto aki = cert.authority_key_id();
  if (aki) {
    for (const auto& c : m_impl->certs) {
      auto ski = c.subject_key_id();
      if (ski && *ski == *aki) out.push_back(&c);
    }
  }
  for (const auto& c : m_impl->certs)
    if (c.subject() == cert.issuer() && std::find(out.begin(), out.end(), &c) == out.end()) out.push_back(&c);
  return out;
}

RevocationCheck TrustStore::revocation(const crypto::Certificate& cert, const crypto::Certificate& issuer,
                                       std::int64_t at) const {
  RevocationCheck out{Revocation::Unknown, "no CRL of this CSCA loaded"};
  bool current = false;
  for (const auto& crl : m_impl->crls) {
    if (!(crl.issuer == issuer.subject()) || !may_sign_crls(issuer)) continue;
    if (!issuer.public_key().verify(crl.signature_algorithm, crl.tbs, crl.signature).ok()) continue;
    const std::string which = "the CSCA's CRL of " + day(crl.this_update);
    for (const auto& s : crl.revoked_serials)
      if (s == cert.serial()) return {Revocation::Revoked, "listed in " + which};
    if (current) continue;
    // RFC 5280 §6.3.3 (a): only a CRL current at `at` can say "not revoked".
    if (crl.this_update > at) {
      out.reason = which + " is not yet valid at " + day(at);
    } else if (!crl.next_update) {
      out.reason = which + " has no nextUpdate (RFC 5280 §5.1.2.5): its freshness is unknown";
    } else if (*crl.next_update < at) {
      out.reason = which + " is stale: its nextUpdate " + day(*crl.next_update) + " is before " + day(at);
    } else {
      current = true;
      out = {Revocation::Good, "not listed in " + which + " (next update " + day(*crl.next_update) + ")"};
    }
  }
  return out;
}

bool TrustStore::from_unanchored_list(const crypto::Certificate& cert) const {
  auto it = m_impl->by_fingerprint.find(cert.fingerprint_sha256());
  return it != m_impl->by_fingerprint.end() && m_impl->unanchored[it->second];
}

std::vector<CscaAudit> TrustStore::audit(std::int64_t now) const {
  if (now == 0) now = unix_now();
  std::vector<CscaAudit> out;
  for (std::size_t i = 0; i < m_impl->certs.size(); ++i) {
    const auto& c = m_impl->certs[i];
    CscaAudit a;
    a.country = c.subject().get("C");
    a.subject = c.subject().to_string();
    a.serial_hex = to_hex(c.serial());
    a.not_before = asn1::format_time(c.not_before());
    a.not_after = asn1::format_time(c.not_after());
    a.valid_now = c.valid_at(now);
    a.key = c.public_key().description();
    a.signature_algorithm = c.signature_algorithm().oid;
    a.self_signed = c.subject() == c.issuer();
    if (a.self_signed) {
      a.self_signature_ok = c.verify_signed_by(c.public_key()).ok();
      // ICAO 9303-12 §5.1: a link certificate keeps the CSCA's name but is signed with the
      // previous key; when another CSCA of the store signed it, it is a link, not a bad signature.
      if (!*a.self_signature_ok) {
        for (std::size_t j = 0; j < m_impl->certs.size(); ++j) {
          if (j != i && m_impl->certs[j].subject() == c.issuer() &&
              c.verify_signed_by(m_impl->certs[j].public_key()).ok()) {
            a.self_signed = false;
            a.self_signature_ok.reset();
            break;
          }
        }
      }
    }
    a.is_ca = c.is_ca();
    a.fingerprint = c.fingerprint_sha256();
    a.source = m_impl->sources[i];
    a.from_unanchored_list = m_impl->unanchored[i];
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const CscaAudit& x, const CscaAudit& y) {
    return std::tie(x.country, x.subject, x.not_before) < std::tie(y.country, y.subject, y.not_before);
  });
  return out;
}

}  // namespace dnie::icao
