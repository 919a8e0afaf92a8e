// SPDX-License-Identifier: Apache-2.0
// C API of the holder layer (dnie/c/dnie.h): certificate validation, revocation, CAdES signing
// and signature verification. Reports are the holder layer's JSON (holder::to_json).
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "dnie/holder/signing.hpp"
#include "dnie/holder/validation.hpp"
#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/mrz.hpp"

#include "c_internal.hpp"
#include "c_session.hpp"

using namespace dnie;
using capi::fail;
using capi::guarded;

namespace {

Result<Bytes> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error(ErrorCode::NotFound, "cannot open " + path);
  Bytes data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) return Error(ErrorCode::TransportError, "error reading " + path);
  return data;
}

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

int verdict_code(holder::CertificateVerdict v) {
  switch (v) {
    case holder::CertificateVerdict::Valid:
      return DNIE_CERT_VALID;
    case holder::CertificateVerdict::Invalid:
      return DNIE_CERT_INVALID;
    case holder::CertificateVerdict::Expired:
      return DNIE_CERT_EXPIRED;
    case holder::CertificateVerdict::Revoked:
      return DNIE_CERT_REVOKED;
    case holder::CertificateVerdict::CannotVerify:
      return DNIE_CERT_CANNOT_VERIFY;
  }
  return DNIE_CERT_CANNOT_VERIFY;
}

// The fields of `o` this version knows, from a caller's struct of any (declared) size.
dnie_validate_options effective(const dnie_validate_options* o) {
  dnie_validate_options e;
  dnie_validate_options_init(&e);
  if (o != nullptr && o->struct_size >= sizeof(std::size_t))
    std::memcpy(&e, o, std::min(o->struct_size, sizeof e));
  e.struct_size = sizeof e;
  return e;
}

// Options common to every entry point: files, anchors, times, network limits.
Result<holder::ValidationOptions> to_options(const dnie_validate_options& o) {
  holder::ValidationOptions v;
  v.at = o.at;
  v.now = o.now;
  v.online = (o.flags & DNIE_VALIDATE_ONLINE) != 0;
  if (o.timeout_ms > 0) v.http.timeout_ms = o.timeout_ms;
  v.http.connect_timeout_ms = std::min(v.http.connect_timeout_ms, v.http.timeout_ms);
  if (o.crl_file && *o.crl_file) {
    DNIE_ASSIGN_OR_RETURN(Bytes d, read_file(o.crl_file));
    v.crls.push_back({file_name(o.crl_file), std::move(d)});
  }
  if (o.ocsp_response_file && *o.ocsp_response_file) {
    DNIE_ASSIGN_OR_RETURN(Bytes d, read_file(o.ocsp_response_file));
    v.ocsp_responses.push_back({file_name(o.ocsp_response_file), std::move(d)});
  }
  if (o.trust && *o.trust) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(o.trust, ec)) {
      for (const auto& e : fs::directory_iterator(o.trust, ec)) {
        const std::string ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".pem" || ext == ".crt" || ext == ".cer" || ext == ".der"))
          files.push_back(e.path().string());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(o.trust);
    }
    holder::HolderTrust extra;
    for (const auto& f : files) {
      DNIE_ASSIGN_OR_RETURN(Bytes d, read_file(f));
      DNIE_TRY(extra.add_certificates(d, file_name(f) + " (given)", true));
    }
    // A self-signed certificate given here is an anchor; others are intermediates (links).
    for (auto c : extra.certificates()) {
      c.anchor = c.certificate.subject() == c.certificate.issuer();
      v.extra.push_back(std::move(c));
    }
  }
  if (o.dni && *o.dni) v.expected_dni.emplace_back("given", o.dni);
  return v;
}

// DG1, DG11, DG13 personal numbers (the DNI) as read by the session.
std::vector<std::pair<std::string, std::string>> document_dni(dnie_session& s) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!capi::ensure(s, {1, 11, 13})) return out;
  if (const Bytes* b = s.cache.dg(1))
    if (auto m = icao::parse_dg1(*b); m && !m->personal_number().empty())
      out.emplace_back("DG1", m->personal_number());
  if (const Bytes* b = s.cache.dg(11))
    if (auto d = icao::parse_dg11(*b); d && d->personal_number) out.emplace_back("DG11", *d->personal_number);
  if (const Bytes* b = s.cache.dg(13))
    if (auto d = icao::parse_dg13_spain(*b); d && !d->dni_number.empty())
      out.emplace_back("DG13", d->dni_number);
  return out;
}

bool hash_of(int a, crypto::HashAlg& out) {
  switch (a) {
    case DNIE_HASH_SHA1:
      out = crypto::HashAlg::Sha1;
      return true;
    case DNIE_HASH_SHA224:
      out = crypto::HashAlg::Sha224;
      return true;
    case DNIE_HASH_SHA256:
      out = crypto::HashAlg::Sha256;
      return true;
    case DNIE_HASH_SHA384:
      out = crypto::HashAlg::Sha384;
      return true;
    case DNIE_HASH_SHA512:
      out = crypto::HashAlg::Sha512;
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" {

void dnie_validate_options_init(dnie_validate_options* o) {
  if (o == nullptr) return;
  std::memset(o, 0, sizeof *o);
  o->struct_size = sizeof *o;
}

int dnie_validate_certificates(dnie_session* s, int key, const dnie_validate_options* opts, int* verdict,
                               char* json_report, size_t* len) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!verdict) return fail(DNIE_ERR_INVALID_ARGUMENT, "null verdict");
    if (key != 0 && key != DNIE_KEY_AUTH && key != DNIE_KEY_SIGN)
      return fail(DNIE_ERR_INVALID_ARGUMENT, "key must be DNIE_KEY_AUTH, DNIE_KEY_SIGN or 0 (both)");
    const dnie_validate_options o = effective(opts);
    auto vo = to_options(o);
    if (!vo) return fail(vo.error());
    if ((o.flags & DNIE_VALIDATE_TRUST_VIRTUAL) != 0) {
      const auto& t = s->session->options().offered_holder_trust;
      if (t.empty())
        return fail(DNIE_ERR_INVALID_ARGUMENT, "DNIE_VALIDATE_TRUST_VIRTUAL: not a virtual card");
      vo->extra.insert(vo->extra.end(), t.begin(), t.end());
      vo->allow_test_roots = true;
      // The CRL of the virtual card's TEST CA, next to the caller's CRLs.
      const auto& crls = s->session->options().offered_holder_crls;
      vo->crls.insert(vo->crls.end(), crls.begin(), crls.end());
    }
    if ((o.flags & DNIE_VALIDATE_COMPARE_DNI) != 0) {
      auto dni = document_dni(*s);
      if (dni.empty()) return fail(DNIE_ERR_NOT_FOUND, "no DNI could be read from DG1, DG11 or DG13");
      vo->expected_dni.insert(vo->expected_dni.end(), dni.begin(), dni.end());
    }
    auto e = s->session->esign();
    if (!e) return fail(e.error());
    std::vector<esign::KeyKind> keys;
    if (key != 0) keys.push_back(static_cast<esign::KeyKind>(key));
    auto r = holder::validate_card_certificates(**e, *vo, keys);
    if (!r) return fail(r.error());
    for (const auto& v : *r) s->validated[static_cast<int>(v.key)] = v;
    *verdict = verdict_code(holder::overall_verdict(*r));
    return capi::copy_report(holder::to_json(*r), json_report, len);
  });
}

int dnie_validate_certificate_data(const uint8_t* cert, size_t cert_len, int key,
                                   const dnie_validate_options* opts, int* verdict, char* json_report,
                                   size_t* len) {
  return guarded([&] {
    if (!verdict || !cert || cert_len == 0)
      return fail(DNIE_ERR_INVALID_ARGUMENT, "null certificate or verdict");
    if (key != 0 && key != DNIE_KEY_AUTH && key != DNIE_KEY_SIGN)
      return fail(DNIE_ERR_INVALID_ARGUMENT, "key must be DNIE_KEY_AUTH, DNIE_KEY_SIGN or 0");
    auto c = crypto::Certificate::parse_any(ByteView(cert, cert_len));
    if (!c) return fail(c.error());
    const dnie_validate_options o = effective(opts);
    auto vo = to_options(o);
    if (!vo) return fail(vo.error());
    const esign::KeyKind k = key != 0 ? static_cast<esign::KeyKind>(key) : holder::role_of(*c);
    std::vector<holder::CertificateValidation> r{holder::validate_certificate(*c, k, *vo)};
    *verdict = verdict_code(r.front().verdict);
    return capi::copy_report(holder::to_json(r), json_report, len);
  });
}

int dnie_signature_preview(dnie_session* s, int key, int hash_alg, const uint8_t* digest, size_t digest_len,
                           uint64_t content_size, char* json, size_t* len) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (key != DNIE_KEY_AUTH && key != DNIE_KEY_SIGN)
      return fail(DNIE_ERR_INVALID_ARGUMENT, "key must be DNIE_KEY_AUTH or DNIE_KEY_SIGN");
    holder::ContentDigest content;
    if (!hash_of(hash_alg, content.hash)) return fail(DNIE_ERR_INVALID_ARGUMENT, "unknown hash algorithm");
    if (!digest || digest_len != crypto::hash_size(content.hash))
      return fail(DNIE_ERR_INVALID_ARGUMENT, "digest length does not match the hash algorithm");
    content.digest.assign(digest, digest + digest_len);
    content.size = content_size;
    auto e = s->session->esign();
    if (!e) return fail(e.error());
    auto it = s->validated.find(key);
    auto p = holder::preview_signature(**e, static_cast<esign::KeyKind>(key), content,
                                       it == s->validated.end() ? nullptr : &it->second);
    if (!p) return fail(p.error());
    return capi::copy_report(p->to_json(), json, len);
  });
}

int dnie_sign_cms(dnie_session* s, int key, int hash_alg, const uint8_t* digest, size_t digest_len,
                  const char* pin, int64_t signing_time, uint8_t* cms, size_t* cms_len) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!cms_len) return fail(DNIE_ERR_INVALID_ARGUMENT, "null length");
    if (key != DNIE_KEY_AUTH && key != DNIE_KEY_SIGN)
      return fail(DNIE_ERR_INVALID_ARGUMENT, "key must be DNIE_KEY_AUTH or DNIE_KEY_SIGN");
    holder::ContentDigest content;
    if (!hash_of(hash_alg, content.hash)) return fail(DNIE_ERR_INVALID_ARGUMENT, "unknown hash algorithm");
    auto e = s->session->esign();
    if (!e) return fail(e.error());
    holder::CadesOptions co;
    co.signing_time = signing_time;
    for (const auto& t : s->session->options().offered_holder_trust)
      if (t.anchor) co.extra_chain.push_back(t.certificate);  // the virtual card's TEST root
    auto bound = holder::cades_size_bound(**e, static_cast<esign::KeyKind>(key), co);
    if (!bound) return fail(bound.error());
    if (!cms || *cms_len < *bound) {
      const bool query = cms == nullptr;
      *cms_len = *bound;
      return query ? capi::ok() : fail(DNIE_ERR_INVALID_ARGUMENT, "CMS buffer smaller than the bound");
    }
    if (!digest || !pin) return fail(DNIE_ERR_INVALID_ARGUMENT, "null digest or PIN");
    if (digest_len != crypto::hash_size(content.hash))
      return fail(DNIE_ERR_INVALID_ARGUMENT, "digest length does not match the hash algorithm");
    content.digest.assign(digest, digest + digest_len);
    auto r = holder::sign_cades(**e, static_cast<esign::KeyKind>(key), content,
                                SecureBuffer::from_string(pin), co);
    if (!r) return fail(r.error());
    return capi::copy_out(*r, cms, cms_len);
  });
}

int dnie_verify_cms(const uint8_t* cms, size_t cms_len, const uint8_t* content, size_t content_len,
                    const char* content_file, const dnie_validate_options* opts, int* verdict,
                    char* json_report, size_t* len) {
  return guarded([&] {
    if (!verdict || !cms || cms_len == 0) return fail(DNIE_ERR_INVALID_ARGUMENT, "null signature or verdict");
    const dnie_validate_options o = effective(opts);
    auto vo = to_options(o);
    if (!vo) return fail(vo.error());
    holder::SignatureValidation r;
    if (content != nullptr) {
      // The digest algorithm is the signature's: hash with each candidate the verifier may meet.
      auto sig = crypto::CmsSignature::parse(ByteView(cms, cms_len));
      const crypto::HashAlg h = sig ? sig->digest_algorithm() : crypto::HashAlg::Sha256;
      const holder::ContentDigest d = holder::digest_data(ByteView(content, content_len), h);
      r = holder::verify_cades(ByteView(cms, cms_len), &d, {}, *vo);
    } else {
      r = holder::verify_cades(ByteView(cms, cms_len), nullptr, content_file ? content_file : "", *vo);
    }
    *verdict = verdict_code(r.verdict);
    return capi::copy_report(r.to_json(), json_report, len);
  });
}

}  // extern "C"
