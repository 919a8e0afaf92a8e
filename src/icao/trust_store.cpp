// SPDX-License-Identifier: Apache-2.0
// CSCA trust store: ICAO 9303-12 §5.2 master lists (CscaMasterList in CMS SignedData), RFC 5280
// §5 CRLs, PEM/DER certificate directories, audit listing.
#include "dnie/icao/trust_store.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
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
    tlv::Reader ar(alg.value);
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv aoid, ar.expect(asn1::kOid));
    DNIE_ASSIGN_OR_RETURN(crl.signature_algorithm.oid, asn1::oid_to_string(aoid.value));
    if (!ar.empty()) crl.signature_algorithm.params = ar.rest().to_bytes();
    if (sig.value.empty() || sig.value[0] != 0) return malformed("bad signature BIT STRING");
    crl.signature = sig.value.subview(1).to_bytes();
    tlv::Reader t(tbs.value);
    if (t.peek_tag() == asn1::kInteger) DNIE_TRY(t.next());
    DNIE_TRY(t.expect(asn1::kSequence));
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv issuer, t.expect(asn1::kSequence));
    DNIE_ASSIGN_OR_RETURN(crl.issuer, crypto::parse_name(issuer.raw));
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv tu, t.next());
    DNIE_ASSIGN_OR_RETURN(crl.this_update, asn1::parse_time(tu.tag, tu.value));
    if (t.peek_tag() == asn1::kUtcTime || t.peek_tag() == asn1::kGeneralizedTime) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv nu, t.next());
      DNIE_ASSIGN_OR_RETURN(std::int64_t n, asn1::parse_time(nu.tag, nu.value));
      crl.next_update = n;
    }
    if (t.peek_tag() == asn1::kSequence) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv revoked, t.next());
      tlv::Reader rr(revoked.value);
      while (!rr.empty()) {
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv entry, rr.expect(asn1::kSequence));
        tlv::Reader er(entry.value);
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv serial, er.expect(asn1::kInteger));
        crl.revoked_serials.push_back(serial.value.to_bytes());
      }
    }
    if (t.peek_tag() == 0xA0) {
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv ext0, t.next());
      DNIE_ASSIGN_OR_RETURN(tlv::Tlv exts, tlv::parse_single(ext0.value));
      tlv::Reader xr(exts.value);
      while (!xr.empty()) {
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv ext, xr.expect(asn1::kSequence));
        tlv::Reader e(ext.value);
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv eo, e.expect(asn1::kOid));
        DNIE_ASSIGN_OR_RETURN(std::string eoid, asn1::oid_to_string(eo.value));
        if (e.peek_tag() == asn1::kBoolean) DNIE_TRY(e.next());
        DNIE_ASSIGN_OR_RETURN(tlv::Tlv ev, e.expect(asn1::kOctetString));
        if (eoid == "2.5.29.35") {  // AuthorityKeyIdentifier { [0] keyIdentifier }
          DNIE_ASSIGN_OR_RETURN(tlv::Tlv aki, tlv::parse_single(ev.value));
          auto kid = tlv::find(aki.value, 0x80);
          if (kid) crl.authority_key_id = kid->value.to_bytes();
        }
      }
    }
    return ok_status();
  };
  Status st = body();
  if (!st) return malformed("CRL: " + st.error().message);
  return crl;
}

struct TrustStore::Impl {
  std::vector<crypto::Certificate> certs;
  std::vector<std::string> sources;
  std::set<std::string> fingerprints;
  std::vector<Crl> crls;  // verified ones only
  std::vector<MasterListReport> master_lists;
};

TrustStore::TrustStore() : m_impl(std::make_unique<Impl>()) {}
TrustStore::~TrustStore() = default;
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;

bool TrustStore::add(crypto::Certificate cert, std::string source) {
  if (!m_impl->fingerprints.insert(cert.fingerprint_sha256()).second) return false;
  m_impl->certs.push_back(std::move(cert));
  m_impl->sources.push_back(std::move(source));
  return true;
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

Result<MasterListReport> TrustStore::add_master_list(ByteView der, std::string source,
                                                     bool require_verified) {
  DNIE_ASSIGN_OR_RETURN(MasterList ml, parse_master_list(der));
  MasterListReport rep;
  rep.source = source;
  rep.certificates = ml.certificates.size();
  const SignerInfo& signer = ml.signed_data.signers.front();
  rep.signing_time = signer.signing_time;
  const crypto::Certificate* sc = find_signer_certificate(ml.signed_data, signer);
  if (!sc) {
    rep.reason = "master list signer certificate not embedded";
  } else {
    rep.signer = sc->subject().to_string();
    Status sig = verify_signer(ml.signed_data, signer, sc->public_key());
    rep.signature_verified = sig.ok();
    if (!sig) rep.reason = sig.error().message;
    // Self-consistency: the signer certificate is issued by a CSCA carried in the list itself
    // (or in the CMS certificate set, e.g. a link certificate).
    auto try_issuers = [&](const std::vector<crypto::Certificate>& pool) {
      for (const auto& c : pool)
        if (c.subject() == sc->issuer() && &c != sc && sc->verify_signed_by(c.public_key()).ok()) return true;
      return false;
    };
    rep.signer_chain_verified = try_issuers(ml.certificates) || try_issuers(ml.signed_data.certificates);
    if (!rep.signer_chain_verified && rep.reason.empty())
      rep.reason = "master list signer not issued by a CSCA of the list";
  }
  if (require_verified && !(rep.signature_verified && rep.signer_chain_verified))
    return detail::verify_failed("master list not verified: " + rep.reason);
  for (auto& c : ml.certificates)
    rep.added += add(std::move(c), source.empty() ? "master list" : source) ? 1 : 0;
  m_impl->master_lists.push_back(rep);
  return rep;
}

Status TrustStore::add_crl(ByteView der) {
  DNIE_ASSIGN_OR_RETURN(Crl crl, parse_crl(der));
  bool known = false;
  for (const auto& c : m_impl->certs) {
    if (!(c.subject() == crl.issuer)) continue;
    known = true;
    if (crl.authority_key_id) {
      auto ski = c.subject_key_id();
      if (ski && *ski != *crl.authority_key_id) continue;
    }
    if (c.public_key().verify(crl.signature_algorithm, crl.tbs, crl.signature).ok()) {
      m_impl->crls.push_back(std::move(crl));
      return ok_status();
    }
  }
  if (!known) return make_error(ErrorCode::UntrustedDocument, "CRL issuer is not in the trust store");
  return detail::verify_failed("CRL signature does not verify with its CSCA");
}

Result<TrustStore::DirectoryReport> TrustStore::load_directory(const std::string& path) {
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
  // Certificates and master lists first, so that CRLs find their issuers.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& p : files) {
      const std::string e = ext_of(p);
      const bool crl = e == ".crl";
      const bool cert = e == ".pem" || e == ".crt" || e == ".cer" || e == ".der";
      if ((pass == 0 && !(cert || e == ".ml")) || (pass == 1 && !crl)) continue;
      ++rep.files;
      auto data = read(p);
      if (!data) {
        rep.errors.push_back(p.filename().string() + ": cannot read");
        continue;
      }
      const std::string name = p.filename().string();
      if (e == ".ml") {
        auto r = add_master_list(*data, name);
        if (r) {
          rep.certificates_added += r->added;
          rep.master_lists.push_back(*r);
        } else {
          rep.errors.push_back(name + ": " + r.error().message);
        }
      } else if (crl) {
        auto r = add_crl(*data);
        if (r)
          ++rep.crls;
        else
          rep.errors.push_back(name + ": " + r.error().message);
      } else {
        auto r = add_certificates(*data, name);
        if (r) {
          rep.certificates_added += *r;
        } else if (auto ml = add_master_list(*data, name)) {  // .der master lists exist too
          rep.certificates_added += ml->added;
          rep.master_lists.push_back(*ml);
        } else {
          rep.errors.push_back(name + ": " + r.error().message);
        }
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

Revocation TrustStore::revocation(const crypto::Certificate& cert, const crypto::Certificate& issuer) const {
  bool have = false;
  for (const auto& crl : m_impl->crls) {
    if (!(crl.issuer == issuer.subject())) continue;
    if (!issuer.public_key().verify(crl.signature_algorithm, crl.tbs, crl.signature).ok()) continue;
    have = true;
    for (const auto& s : crl.revoked_serials)
      if (s == cert.serial()) return Revocation::Revoked;
  }
  return have ? Revocation::Good : Revocation::Unknown;
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
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const CscaAudit& x, const CscaAudit& y) {
    return std::tie(x.country, x.subject, x.not_before) < std::tie(y.country, y.subject, y.not_before);
  });
  return out;
}

}  // namespace dnie::icao
