// SPDX-License-Identifier: Apache-2.0
// CAdES-BES with the DNIe, the pre-PIN summary and signature verification
// (dnie/holder/signing.hpp). The CMS structure is the crypto façade's (crypto/cades.hpp, OpenSSL
// CMS); the card signs DER(signedAttrs) through EsignCard::sign_hash.
#include "dnie/holder/signing.hpp"

#include <ctime>
#include <fstream>

#include "dnie/bytes/asn1.hpp"

namespace dnie::holder {

namespace {

using esign::KeyKind;

std::string day(std::int64_t t) { return asn1::format_time(t).substr(0, 10); }

// The certificates to carry: the card's CA certificate and, when the trust set knows it, the
// root that signed it (a verifier then has the whole path; trust still comes from its anchors).
Result<std::vector<crypto::Certificate>> chain_for(esign::EsignCard& card, const CadesOptions& o) {
  std::vector<crypto::Certificate> chain;
  if (o.include_chain) {
    DNIE_ASSIGN_OR_RETURN(auto all, card.certificates());
    const HolderTrust& trust = o.trust ? *o.trust : HolderTrust::builtin();
    for (const auto& c : all) {
      if (c.key) continue;
      chain.push_back(c.certificate);
      for (const auto* up : trust.issuers_of(c.certificate))
        if (up->anchor && c.certificate.verify_signed_by(up->certificate.public_key()).ok()) {
          chain.push_back(up->certificate);
          break;
        }
    }
  }
  for (const auto& c : o.extra_chain) {
    bool dup = false;
    for (const auto& have : chain) dup = dup || have.der() == c.der();
    if (!dup) chain.push_back(c);
  }
  return chain;
}

}  // namespace

ContentDigest digest_data(ByteView data, crypto::HashAlg hash) {
  return {hash, crypto::hash(hash, data), static_cast<std::uint64_t>(data.size())};
}

Result<ContentDigest> digest_file(const std::string& path, crypto::HashAlg hash) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error(ErrorCode::NotFound, "cannot open " + path);
  crypto::Hasher h(hash);
  ContentDigest out;
  out.hash = hash;
  std::vector<char> buf(1 << 16);
  while (f) {
    f.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(f.gcount());
    if (n == 0) break;
    h.update(ByteView(reinterpret_cast<const std::uint8_t*>(buf.data()), n));
    out.size += n;
  }
  if (f.bad()) return Error(ErrorCode::TransportError, "error reading " + path);
  out.digest = h.finish();
  return out;
}

std::vector<std::string> SignaturePreview::lines() const {
  std::vector<std::string> o;
  o.push_back(std::string("Key: ") + (key == KeyKind::Signing ? "signing (qualified signature, FIRMA)"
                                                              : "authentication (AUTENTICACIÓN)"));
  o.push_back("Content: " + std::to_string(content.size) + " bytes, " +
              std::string(crypto::hash_name(content.hash)) + " " + to_hex(content.digest));
  o.push_back("Holder: " + holder + (dni.empty() ? "" : " (DNI " + dni + ")"));
  o.push_back("Issuer: " + issuer);
  o.push_back("Valid: " + day(not_before) + " to " + day(not_after) + (valid_now ? "" : " — NOT VALID NOW"));
  o.push_back("Certificate SHA-256: " + fingerprint_sha256);
  o.push_back("Revocation: " + (revocation == "not_checked" ? std::string("not checked") : revocation) +
              (revocation_detail.empty() ? "" : " (" + revocation_detail + ")"));
  if (verdict) o.push_back("Certificate: " + std::string(verdict_name(*verdict)));
  return o;
}

Result<SignaturePreview> preview_signature(esign::EsignCard& card, KeyKind key, const ContentDigest& content,
                                           const CertificateValidation* known, std::int64_t now) {
  DNIE_ASSIGN_OR_RETURN(auto cert, card.certificate(key));
  const auto& c = cert.certificate;
  SignaturePreview p;
  p.key = key;
  p.content = content;
  p.holder = c.subject().get("CN");
  p.dni = certificate_dni(c);
  p.issuer = c.issuer().to_string();
  p.not_before = c.not_before();
  p.not_after = c.not_after();
  p.valid_now = c.valid_at(now != 0 ? now : static_cast<std::int64_t>(std::time(nullptr)));
  p.fingerprint_sha256 = c.fingerprint_sha256();
  if (known != nullptr && known->certificate.der() == c.der()) {
    p.revocation = known->revocation_label();
    p.revocation_detail = known->revocation.detail;
    p.verdict = known->verdict;
  }
  return p;
}

Result<Bytes> sign_cades(esign::EsignCard& card, KeyKind key, const ContentDigest& content,
                         const SecureBuffer& pin, const CadesOptions& o) {
  DNIE_ASSIGN_OR_RETURN(auto cert, card.certificate(key));
  crypto::CadesRequest req;
  req.signer = cert.certificate;
  DNIE_ASSIGN_OR_RETURN(req.chain, chain_for(card, o));
  req.hash = content.hash;
  req.content_digest = content.digest;
  req.signing_time = o.signing_time;
  // Everything is prepared (and refused: bad digest, hash) before the PIN is used.
  DNIE_ASSIGN_OR_RETURN(auto builder, crypto::CadesBuilder::prepare(req));
  DNIE_ASSIGN_OR_RETURN(Bytes sig, card.sign_hash(key, content.hash, builder.signed_attributes_digest(), pin,
                                                  o.allow_last_try));
  return builder.finish(sig);
}

Result<std::size_t> cades_size_bound(esign::EsignCard& card, KeyKind key, const CadesOptions& o) {
  DNIE_ASSIGN_OR_RETURN(auto cert, card.certificate(key));
  DNIE_ASSIGN_OR_RETURN(auto chain, chain_for(card, o));
  std::size_t n = cert.der().size() + 2048 + 2 * cert.certificate.issuer().der.size();
  if (const auto* rsa = cert.certificate.public_key().rsa()) n += rsa->size();
  for (const auto& c : chain) n += c.der().size();
  return n;
}

SignatureValidation verify_cades(ByteView cms, const ContentDigest* content, const std::string& content_file,
                                 const ValidationOptions& o) {
  SignatureValidation out;
  auto& rep = out.report;
  std::vector<crypto::Certificate> extra;
  for (const auto& e : o.extra) extra.push_back(e.certificate);
  const char* parse_what = "The signature is a CMS SignedData with one signer whose certificate it carries";
  auto sig = crypto::CmsSignature::parse(cms, extra);
  if (!sig) {
    rep.fail("cms.parse", parse_what, sig.error().message);
    out.verdict = CertificateVerdict::Invalid;
    out.reasons = {"cms.parse: " + sig.error().message};
    return out;
  }
  out.signing_time = sig->signing_time();
  rep.pass(
      "cms.parse", parse_what,
      sig->signer().subject().get("CN") + ", " + std::string(crypto::hash_name(sig->digest_algorithm())) +
          (sig->detached() ? ", detached" : ", content attached") +
          (out.signing_time ? ", signingTime " + asn1::format_time(*out.signing_time) : ", no signingTime"));

  const char* md_what = "messageDigest is the digest of the signed content";
  Bytes digest;
  std::string no_digest;
  if (content != nullptr) {
    if (content->hash != sig->digest_algorithm())
      no_digest = "the content digest given is " + std::string(crypto::hash_name(content->hash)) +
                  "; the signature uses " + std::string(crypto::hash_name(sig->digest_algorithm()));
    else
      digest = content->digest;
  } else if (!content_file.empty()) {
    auto d = digest_file(content_file, sig->digest_algorithm());
    if (d)
      digest = std::move(d->digest);
    else
      no_digest = d.error().message;
  } else if (sig->detached()) {
    no_digest = "detached signature and no content given";
  }
  const auto c = sig->verify(digest);
  if (!no_digest.empty())
    rep.not_performed("cms.message_digest", md_what, no_digest);
  else if (c.message_digest)
    rep.pass("cms.message_digest", md_what,
             std::string(crypto::hash_name(sig->digest_algorithm())) + " matches");
  else
    rep.fail("cms.message_digest", md_what, "the content is not what was signed");
  const char* sig_what = "The signature over the signed attributes verifies with the signer's certificate";
  if (c.signature)
    rep.pass("cms.signature", sig_what, sig->signer().subject().get("CN"));
  else
    rep.fail("cms.signature", sig_what, "the signature does not verify");
  const char* ess_what =
      "The ESS signing-certificate(-v2) attribute names the signer's certificate (CAdES-BES)";
  if (!c.signing_certificate)
    rep.not_performed("cms.signing_certificate", ess_what, "absent: a CMS signature, not CAdES-BES");
  else if (*c.signing_certificate)
    rep.pass("cms.signing_certificate", ess_what, "matches");
  else
    rep.fail("cms.signing_certificate", ess_what, "names another certificate");

  // The signer's certificate at the signing time: the signer's own claim without a timestamp
  // (CAdES-T), so revocation is judged as it stands now.
  ValidationOptions vo = o;
  if (vo.at == 0 && out.signing_time) vo.at = *out.signing_time;
  for (const auto& cert : sig->certificates())
    if (cert.der() != sig->signer().der())
      vo.extra.push_back({cert, "certificate carried by the signature", false, false});
  out.signer = validate_certificate(sig->signer(), role_of(sig->signer()), vo);

  std::vector<std::string> failed;
  for (const auto& ch : rep.checks)
    if (ch.status == icao::CheckStatus::Fail) failed.push_back(ch.id + ": " + ch.reason);
  if (!failed.empty()) {
    out.verdict = CertificateVerdict::Invalid;
    out.reasons = std::move(failed);
  } else if (!no_digest.empty()) {
    out.verdict = CertificateVerdict::CannotVerify;
    out.reasons = {"cms.message_digest: " + no_digest};
  } else {
    out.verdict = out.signer->verdict;
    out.reasons = out.signer->reasons;
  }
  return out;
}

}  // namespace dnie::holder
