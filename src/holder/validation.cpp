// SPDX-License-Identifier: Apache-2.0
// Holder certificate validation (dnie/holder/validation.hpp): path building and the RFC 5280 §6.1
// checks that matter for a two-level hierarchy (signatures, validity, basicConstraints, keyUsage,
// pathLen, critical extensions), the DNIe profile (policy, key usage, QC statements), the DNI,
// and revocation (RFC 5280 §6.3 with CRLs; RFC 6960 with OCSP), then the verdict.
#include "dnie/holder/validation.hpp"

#include <algorithm>
#include <ctime>

#include "dnie/bytes/asn1.hpp"

namespace dnie::holder {

namespace {

using crypto::RevocationResult;
using crypto::RevocationStatus;
using esign::KeyKind;

constexpr std::string_view kOidPolicies = "2.5.29.32";
constexpr std::string_view kOidQcStatements = "1.3.6.1.5.5.7.1.3";
constexpr std::string_view kOidAia = "1.3.6.1.5.5.7.1.1";
constexpr std::string_view kOidAdOcsp = "1.3.6.1.5.5.7.48.1";
constexpr std::string_view kQcCompliance = "0.4.0.1862.1.1";  // ETSI EN 319 412-5 §4.2.1
constexpr std::string_view kQcSscd = "0.4.0.1862.1.4";        // §4.2.2

std::string day(std::int64_t t) { return asn1::format_time(t).substr(0, 10); }
std::string cn_or_dn(const crypto::Certificate& c) {
  std::string cn = c.subject().get("CN");
  return cn.empty() ? c.subject().to_string() : cn;
}
std::string role(KeyKind k) { return k == KeyKind::Signing ? "signing" : "authentication"; }
bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
std::string join(const std::vector<std::string>& v, const char* sep = "; ") {
  std::string o;
  for (const auto& s : v) o += (o.empty() ? "" : sep) + s;
  return o;
}

// Extensions the holder profile processes on top of the façade's list (x509.hpp): the policy
// and QC statements are checked here, so they may be critical (RFC 5280 §4.2.1.4, RFC 3739).
std::vector<std::string> unprocessed_critical(const crypto::Certificate& c) {
  std::vector<std::string> out;
  for (const auto& oid : c.unrecognised_critical_extensions())
    if (oid != kOidPolicies && oid != kOidQcStatements) out.push_back(oid);
  return out;
}

// ---- path building ----------------------------------------------------------------------------

struct PathSearch {
  const HolderTrust* pool = nullptr;
  bool allow_test = false;
  std::vector<const TrustedCertificate*> stack, found, refused_test, longest;
  std::vector<std::string> signature_failures;
  bool any_candidate = false;
};

void search(const crypto::Certificate& cur, PathSearch& s, int depth) {
  if (depth > 6 || !s.found.empty()) return;
  for (const TrustedCertificate* cand : s.pool->issuers_of(cur)) {
    if (cand->certificate.der() == cur.der()) continue;  // a root is not its own issuer here
    if (std::find(s.stack.begin(), s.stack.end(), cand) != s.stack.end()) continue;
    s.any_candidate = true;
    if (Status st = cur.verify_signed_by(cand->certificate.public_key()); !st) {
      s.signature_failures.push_back(cn_or_dn(cur) + " is not signed by the key of " +
                                     cn_or_dn(cand->certificate) + " (" + cand->source + ")");
      continue;
    }
    s.stack.push_back(cand);
    if (s.stack.size() > s.longest.size()) s.longest = s.stack;
    if (cand->anchor && (!cand->test_only || s.allow_test)) {
      s.found = s.stack;
      return;
    }
    if (cand->anchor && s.refused_test.empty()) s.refused_test = s.stack;
    if (!cand->anchor) search(cand->certificate, s, depth + 1);
    if (!s.found.empty()) return;
    s.stack.pop_back();
  }
}

std::string path_text(const crypto::Certificate& leaf, const std::vector<const TrustedCertificate*>& p) {
  std::string o = cn_or_dn(leaf);
  for (const auto* t : p) o += " ← " + cn_or_dn(t->certificate);
  if (!p.empty()) o += " (" + p.back()->source + ")";
  return o;
}

// ---- revocation --------------------------------------------------------------------------------

int rank(RevocationStatus s) {
  switch (s) {
    case RevocationStatus::Revoked:
      return 3;
    case RevocationStatus::Good:
      return 2;
    case RevocationStatus::Unknown:
      return 1;
    case RevocationStatus::Unavailable:
      return 0;
  }
  return 0;
}

// Revoked beats good (a verified revocation is final), good beats unknown beats unavailable.
RevocationResult combine(const std::vector<RevocationResult>& v) {
  RevocationResult best;
  best.detail = "no source";
  bool first = true;
  for (const auto& r : v)
    if (first || rank(r.status) > rank(best.status)) {
      best = r;
      first = false;
    }
  return best;
}

icao::CheckStatus check_status(RevocationStatus s) {
  switch (s) {
    case RevocationStatus::Good:
      return icao::CheckStatus::Pass;
    case RevocationStatus::Revoked:
    case RevocationStatus::Unknown:
      return icao::CheckStatus::Fail;
    case RevocationStatus::Unavailable:
      return icao::CheckStatus::NotPerformed;
  }
  return icao::CheckStatus::NotPerformed;
}

std::string source_text(const std::vector<RevocationResult>& v) {
  std::vector<std::string> parts;
  for (const auto& r : v)
    parts.push_back(r.source + ": " + std::string(crypto::revocation_status_name(r.status)) + " — " +
                    r.detail);
  return join(parts);
}

void record_sources(icao::VerificationReport& rep, const std::string& id, const std::string& what,
                    const std::vector<RevocationResult>& v) {
  if (v.empty()) return;
  rep.set(id, what, check_status(combine(v).status), source_text(v));
}

RevocationResult online_ocsp(const crypto::Certificate& cert, const crypto::Certificate& issuer,
                             const ValidationOptions& o, crypto::RevocationCheckOptions ro) {
  RevocationResult r;
  r.source = "OCSP (online)";
  const crypto::Extension* aia = cert.extension(kOidAia);
  if (aia == nullptr) {
    r.detail = "the certificate names no OCSP responder (no Authority Information Access)";
    return r;
  }
  auto uris = parse_aia_uris(aia->value, kOidAdOcsp);
  if (!uris || uris->empty()) {
    r.detail =
        uris ? "the certificate names no OCSP responder" : "the Authority Information Access does not decode";
    return r;
  }
  const std::string url = uris->front();
  r.source = "OCSP " + url;
  auto req = crypto::make_ocsp_request(cert, issuer, o.ocsp_nonce, o.rng);
  if (!req) {
    r.detail = "cannot build the OCSP request: " + req.error().message;
    return r;
  }
  const HttpPost& post = o.http_post ? o.http_post : HttpPost(curl_http_post);
  auto body = post(url, "application/ocsp-request", req->der, o.http);
  if (!body) {
    r.detail = "no answer from " + url + ": " + body.error().message;
    return r;
  }
  if (!req->nonce.empty()) ro.nonce = req->nonce;
  RevocationResult got = crypto::check_ocsp_response(*body, cert, issuer, ro);
  got.source = r.source;
  return got;
}

}  // namespace

std::string_view verdict_name(CertificateVerdict v) noexcept {
  switch (v) {
    case CertificateVerdict::Valid:
      return "VALID";
    case CertificateVerdict::Invalid:
      return "INVALID";
    case CertificateVerdict::Revoked:
      return "REVOKED";
    case CertificateVerdict::Expired:
      return "EXPIRED";
    case CertificateVerdict::CannotVerify:
      return "CANNOT VERIFY";
  }
  return "CANNOT VERIFY";
}

std::string CertificateValidation::revocation_label() const {
  return revocation_checked ? std::string(crypto::revocation_status_name(revocation.status)) : "not_checked";
}

KeyKind role_of(const crypto::Certificate& cert) {
  if (cert.key_usage() && (*cert.key_usage() & crypto::kNonRepudiation) != 0) return KeyKind::Signing;
  if (const auto* e = cert.extension(kOidPolicies))
    if (auto p = parse_certificate_policies(e->value); p && contains(*p, kPolicySigning))
      return KeyKind::Signing;
  return KeyKind::Authentication;
}

CertificateValidation validate_certificate(const crypto::Certificate& cert, KeyKind key,
                                           const ValidationOptions& o) {
  CertificateValidation v;
  v.key = key;
  v.certificate = cert;
  const std::int64_t now = o.now != 0 ? o.now : static_cast<std::int64_t>(std::time(nullptr));
  v.at = o.at != 0 ? o.at : now;
  icao::VerificationReport& rep = v.report;
  const bool signing = key == KeyKind::Signing;

  // ---- chain (RFC 5280 §6.1.3 (a), §6.1.4) ----
  HolderTrust pool = o.trust ? *o.trust : HolderTrust::builtin();
  for (const auto& e : o.extra) pool.add(e);
  PathSearch s;
  s.pool = &pool;
  s.allow_test = o.allow_test_roots;
  search(cert, s, 0);
  const auto& path = !s.found.empty() ? s.found : !s.refused_test.empty() ? s.refused_test : s.longest;
  for (const auto* t : path) v.path.push_back(t->certificate);
  const char* path_what = "The certificate chains to a trusted DNIe root (AC RAIZ DNIE 2 or AC RAIZ DNIE)";
  if (!s.found.empty()) {
    v.anchor = s.found.back()->source;
    v.test_anchor = s.found.back()->test_only;
    rep.pass(
        "chain.path", path_what,
        path_text(cert, s.found) + (v.test_anchor ? " — a TEST root, trusted at the caller's request" : ""));
  } else if (!s.refused_test.empty()) {
    rep.fail("chain.path", path_what,
             path_text(cert, s.refused_test) +
                 ": a TEST root (virtual card), trusted only when the caller opts in (allow_test_roots)");
  } else if (!s.longest.empty()) {
    rep.fail("chain.path", path_what,
             path_text(cert, s.longest) + ": the issuer " +
                 s.longest.back()->certificate.issuer().to_string() +
                 " of the last certificate is not known");
  } else {
    const auto aki = cert.authority_key_id();
    rep.fail("chain.path", path_what,
             "no known CA certificate issued it (issuer " + cert.issuer().to_string() +
                 (aki ? ", authority key id " + to_hex(*aki) : std::string()) + ")");
  }
  const char* sig_what = "Every signature along the chain verifies (certificate, CA, root self-signature)";
  if (!path.empty()) {
    std::vector<std::string> ok{cn_or_dn(cert) + " signed by " + cn_or_dn(path.front()->certificate)};
    for (std::size_t i = 1; i < path.size(); ++i)
      ok.push_back(cn_or_dn(path[i - 1]->certificate) + " signed by " + cn_or_dn(path[i]->certificate));
    const auto& top = path.back()->certificate;
    bool root_ok = true;
    if (top.subject() == top.issuer()) {
      root_ok = top.verify_signed_by(top.public_key()).ok();
      ok.push_back(cn_or_dn(top) + (root_ok ? " self-signed" : " self-signature does NOT verify"));
    }
    if (root_ok)
      rep.pass("chain.signatures", sig_what, join(ok));
    else
      rep.fail("chain.signatures", sig_what, join(ok));
  } else if (!s.signature_failures.empty()) {
    rep.fail("chain.signatures", sig_what, join(s.signature_failures));
  } else {
    rep.not_performed("chain.signatures", sig_what, "no issuer certificate to verify with");
  }

  const char* ca_what =
      "The CA certificates are CAs allowed to sign certificates (basicConstraints, keyUsage, "
      "pathLenConstraint, critical extensions)";
  const char* cval_what = "The CA certificates are valid at the time validated";
  if (!path.empty()) {
    std::vector<std::string> bad, expired;
    for (std::size_t i = 0; i < path.size(); ++i) {
      const auto& c = path[i]->certificate;
      const std::string n = cn_or_dn(c);
      if (!c.is_ca()) bad.push_back(n + " is not a CA (basicConstraints)");
      if (c.key_usage() && (*c.key_usage() & crypto::kKeyCertSign) == 0)
        bad.push_back(n + " lacks keyCertSign");
      // §6.1.4 (l): i intermediate CAs lie between path[i] and the certificate.
      if (c.path_length() && static_cast<std::int64_t>(i) > *c.path_length())
        bad.push_back(n + " allows " + std::to_string(*c.path_length()) + " intermediate CA(s) below it");
      for (const auto& oid : unprocessed_critical(c))
        bad.push_back(n + " has the unrecognised critical extension " + oid);
      if (!c.valid_at(v.at))
        expired.push_back(n + " valid " + day(c.not_before()) + " to " + day(c.not_after()));
    }
    if (bad.empty())
      rep.pass("chain.ca", ca_what, std::to_string(path.size()) + " CA certificate(s) checked");
    else
      rep.fail("chain.ca", ca_what, join(bad));
    if (expired.empty())
      rep.pass("chain.validity", cval_what, "at " + asn1::format_time(v.at));
    else
      rep.fail("chain.validity", cval_what, "at " + asn1::format_time(v.at) + ": " + join(expired));
  } else {
    rep.not_performed("chain.ca", ca_what, "no CA certificate found");
    rep.not_performed("chain.validity", cval_what, "no CA certificate found");
  }

  // ---- the certificate itself ----
  const std::string span = day(cert.not_before()) + " to " + day(cert.not_after());
  const char* val_what = "The certificate is valid at the time validated";
  if (cert.valid_at(v.at))
    rep.pass("validity", val_what, span + ", checked at " + asn1::format_time(v.at));
  else
    rep.fail("validity", val_what,
             std::string(v.at < cert.not_before() ? "not yet valid" : "expired") + ": valid " + span +
                 ", checked at " + asn1::format_time(v.at));

  const char* bc_what = "The certificate is an end-entity certificate (basicConstraints cA false)";
  if (cert.is_ca())
    rep.fail("basic_constraints", bc_what, "it is a CA certificate");
  else
    rep.pass("basic_constraints", bc_what,
             cert.extension("2.5.29.19") ? "cA false" : "no basicConstraints (not a CA)");

  const char* crit_what = "No critical extension the SDK does not process (RFC 5280 §4.2)";
  if (auto unk = unprocessed_critical(cert); unk.empty())
    rep.pass("critical_extensions", crit_what, "none");
  else
    rep.fail("critical_extensions", crit_what, "unrecognised critical extension(s): " + join(unk, ", "));

  const std::string ku_what = signing
                                  ? "keyUsage allows nonRepudiation (contentCommitment) for the signing key"
                                  : "keyUsage allows digitalSignature for the authentication key";
  if (!cert.key_usage()) {
    rep.fail("key_usage", ku_what, "no keyUsage extension (every DNIe holder certificate states it)");
  } else {
    const unsigned need = signing ? crypto::kNonRepudiation : crypto::kDigitalSignature;
    const bool has = (*cert.key_usage() & need) != 0;
    std::string bits;
    static const char* names[] = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                                  "keyAgreement",     "keyCertSign",    "cRLSign"};
    for (unsigned i = 0; i < 7; ++i)
      if ((*cert.key_usage() >> i) & 1u) bits += (bits.empty() ? "" : ", ") + std::string(names[i]);
    if (has)
      rep.pass("key_usage", ku_what, bits);
    else
      rep.fail("key_usage", ku_what, "keyUsage is " + bits + ": not a " + role(key) + " certificate");
  }

  // RFC 5280 §4.2.1.12: absent = no restriction; present, it must allow the role.
  const char* eku_what = "extendedKeyUsage, if present, allows the key's purpose";
  const auto eku = cert.extended_key_usage();
  if (eku.empty()) {
    rep.pass("extended_key_usage", eku_what, "absent (no restriction), as on DNIe certificates");
  } else {
    const std::vector<std::string_view> allowed =
        signing ? std::vector<std::string_view>{"2.5.29.37.0", "1.3.6.1.5.5.7.3.4", "1.3.6.1.4.1.311.10.3.12",
                                                "1.2.840.113583.1.1.5"}
                : std::vector<std::string_view>{"2.5.29.37.0", "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4",
                                                "1.3.6.1.4.1.311.20.2.2"};
    const bool ok = std::any_of(eku.begin(), eku.end(), [&](const std::string& e) {
      return std::find(allowed.begin(), allowed.end(), e) != allowed.end();
    });
    if (ok)
      rep.pass("extended_key_usage", eku_what, join(eku, ", "));
    else
      rep.fail("extended_key_usage", eku_what, join(eku, ", ") + ": no purpose of a " + role(key) + " key");
  }

  const std::string want_policy(signing ? kPolicySigning : kPolicyAuthentication);
  const std::string pol_what = "certificatePolicies holds the DNIe " + role(key) + " policy " + want_policy;
  if (const auto* e = cert.extension(kOidPolicies)) {
    auto p = parse_certificate_policies(e->value);
    if (!p)
      rep.fail("policy", pol_what, "certificatePolicies does not decode: " + p.error().message);
    else if (contains(*p, want_policy))
      rep.pass("policy", pol_what, join(*p, ", "));
    else
      rep.fail(
          "policy", pol_what,
          join(*p, ", ") + (contains(*p, signing ? kPolicyAuthentication : kPolicySigning)
                                ? ": the policy of the other DNIe key — not a " + role(key) + " certificate"
                                : ": no DNIe " + role(key) + " policy"));
  } else {
    rep.fail("policy", pol_what, "no certificatePolicies extension");
  }

  if (signing) {
    const char* qc_what =
        "qcStatements declare a qualified certificate (QcCompliance) with the key in a qualified "
        "device (QcSSCD), ETSI EN 319 412-5";
    if (const auto* e = cert.extension(kOidQcStatements)) {
      auto q = parse_qc_statements(e->value);
      if (!q) {
        rep.fail("qc_statements", qc_what, "qcStatements does not decode: " + q.error().message);
      } else {
        std::vector<std::string> missing;
        if (!contains(*q, kQcCompliance)) missing.push_back("QcCompliance (0.4.0.1862.1.1)");
        if (!contains(*q, kQcSscd)) missing.push_back("QcSSCD (0.4.0.1862.1.4)");
        if (missing.empty())
          rep.pass("qc_statements", qc_what, join(*q, ", "));
        else
          rep.fail("qc_statements", qc_what, "missing " + join(missing, " and "));
      }
    } else {
      rep.fail("qc_statements", qc_what, "no qcStatements extension");
    }
  }

  const char* dni_what =
      "The certificate's serialNumber is the holder's DNI from the document (DG1/DG11/DG13)";
  const std::string dni = certificate_dni(cert);
  if (o.expected_dni.empty()) {
    rep.not_performed("holder.dni", dni_what,
                      "no DNI from the document to compare with (certificate: " +
                          (dni.empty() ? std::string("none") : dni) + ")");
  } else {
    std::vector<std::string> bad, same;
    for (const auto& [src, num] : o.expected_dni) {
      std::string n;
      for (char c : num)
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) n.push_back(c);
      (n == dni && !dni.empty() ? same : bad).push_back(src + " " + num);
    }
    if (dni.empty())
      rep.fail("holder.dni", dni_what, "the certificate has no serialNumber");
    else if (bad.empty())
      rep.pass("holder.dni", dni_what, dni + " = " + join(same, ", "));
    else
      rep.fail("holder.dni", dni_what, "certificate " + dni + " ≠ " + join(bad, ", "));
  }

  // ---- revocation (RFC 5280 §6.3, RFC 6960) ----
  const char* rev_what = "Not revoked: a verified, current CRL or OCSP response says good";
  if (path.empty()) {
    rep.not_performed("revocation", rev_what,
                      "the issuer is not known: revocation evidence cannot be verified");
    v.revocation.detail = "the issuer is not known";
  } else {
    const crypto::Certificate& issuer = path.front()->certificate;
    crypto::RevocationCheckOptions ro = o.revocation;
    ro.now = now;
    ro.nonce.reset();
    std::vector<RevocationResult> crls, files, online;
    for (const auto& f : o.crls) {
      crls.push_back(crypto::check_crl(f.data, cert, issuer, ro));
      crls.back().source = "CRL " + f.name;
    }
    for (const auto& f : o.ocsp_responses) {
      files.push_back(crypto::check_ocsp_response(f.data, cert, issuer, ro));
      files.back().source = "OCSP response " + f.name;
    }
    if (o.online) online.push_back(online_ocsp(cert, issuer, o, ro));
    record_sources(rep, "revocation.crl", "Revocation according to the CRL(s) given", crls);
    record_sources(rep, "revocation.ocsp_response", "Revocation according to the OCSP response file(s) given",
                   files);
    record_sources(rep, "revocation.ocsp_online", "Revocation according to the certificate's OCSP responder",
                   online);
    for (auto* g : {&crls, &files, &online})
      v.revocation_sources.insert(v.revocation_sources.end(), g->begin(), g->end());
    v.revocation_checked = !v.revocation_sources.empty();
    if (!v.revocation_checked) {
      v.revocation.detail = "not checked: no CRL, OCSP response or online check requested";
      rep.not_performed("revocation", rev_what, v.revocation.detail);
    } else {
      v.revocation = combine(v.revocation_sources);
      rep.set("revocation", rev_what, check_status(v.revocation.status),
              std::string(crypto::revocation_status_name(v.revocation.status)) + " (" + v.revocation.source +
                  "): " + v.revocation.detail);
    }
  }

  // ---- verdict ----
  auto failed = [&rep](std::initializer_list<const char*> ids) {
    std::vector<std::string> out;
    for (const char* id : ids)
      if (const auto* c = rep.find(id); c && c->status == icao::CheckStatus::Fail)
        out.push_back(c->id + ": " + c->reason);
    return out;
  };
  auto integrity = failed({"chain.signatures", "chain.ca", "basic_constraints", "critical_extensions",
                           "key_usage", "extended_key_usage", "policy", "qc_statements", "holder.dni"});
  auto trust = failed({"chain.path"});
  auto dates = failed({"validity", "chain.validity"});
  if (!integrity.empty()) {
    v.verdict = CertificateVerdict::Invalid;
    v.reasons = std::move(integrity);
  } else if (!trust.empty()) {
    v.verdict = CertificateVerdict::CannotVerify;
    v.reasons = std::move(trust);
  } else if (v.revocation_checked && v.revocation.status == RevocationStatus::Revoked) {
    v.verdict = CertificateVerdict::Revoked;
    v.reasons = {"revocation: " + v.revocation.detail};
  } else if (!dates.empty()) {
    v.verdict = CertificateVerdict::Expired;
    v.reasons = std::move(dates);
  } else if (!v.revocation_checked || v.revocation.status != RevocationStatus::Good) {
    v.verdict = CertificateVerdict::CannotVerify;
    v.reasons = {"revocation: " +
                 std::string(v.revocation_checked ? crypto::revocation_status_name(v.revocation.status)
                                                  : "not checked") +
                 " — " + v.revocation.detail};
  } else {
    v.verdict = CertificateVerdict::Valid;
  }
  return v;
}

Result<std::vector<CertificateValidation>> validate_card_certificates(esign::EsignCard& card,
                                                                      const ValidationOptions& options,
                                                                      std::vector<KeyKind> keys) {
  if (keys.empty()) keys = {KeyKind::Authentication, KeyKind::Signing};
  ValidationOptions o = options;
  DNIE_ASSIGN_OR_RETURN(auto all, card.certificates());
  for (const auto& c : all)
    if (!c.key)
      o.extra.push_back({c.certificate, "the card's CA certificate (" + c.object.label + ")", false, false});
  std::vector<CertificateValidation> out;
  for (KeyKind k : keys) {
    DNIE_ASSIGN_OR_RETURN(auto c, card.certificate(k));
    out.push_back(validate_certificate(c.certificate, k, o));
  }
  return out;
}

CertificateVerdict overall_verdict(const std::vector<CertificateValidation>& v) noexcept {
  auto severity = [](CertificateVerdict x) {
    switch (x) {
      case CertificateVerdict::Invalid:
        return 4;
      case CertificateVerdict::Revoked:
        return 3;
      case CertificateVerdict::CannotVerify:
        return 2;
      case CertificateVerdict::Expired:
        return 1;
      case CertificateVerdict::Valid:
        return 0;
    }
    return 2;
  };
  CertificateVerdict worst = CertificateVerdict::Valid;
  for (const auto& x : v)
    if (severity(x.verdict) > severity(worst)) worst = x.verdict;
  return worst;
}

}  // namespace dnie::holder
