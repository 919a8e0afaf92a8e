// SPDX-License-Identifier: Apache-2.0
// C API sessions (dnie/c/dnie.h): a dnie::Session behind an opaque, magic-checked handle. Every
// entry point is noexcept at the boundary (capi::guarded) and records its error.
#include "c_session.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <sys/stat.h>

#include "dnie/card/session.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/icao/biometrics.hpp"
#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/identity.hpp"
#include "dnie/icao/mrz.hpp"
#include "dnie/icao/trust_store.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "c_internal.hpp"

using namespace dnie;
using capi::ensure;
using capi::fail;
using capi::guarded;

namespace {

int finish(const Status& st) { return st ? capi::ok() : fail(st.error()); }

int open_with(SessionOptions o, dnie_session** out) {
  if (!out) return fail(DNIE_ERR_INVALID_ARGUMENT, "null output handle");
  *out = nullptr;
  // The virtual card only when the spec names it ("virtual..."): libdnie.so carries it as an
  // explicit opt-in (docs/c-api.md); other specs go to Session::open unchanged.
  auto r = vcard_session::open(std::move(o));
  if (!r) return fail(r.error());
  auto h = std::make_unique<dnie_session>();
  h->session = std::move(r).value();
  *out = h.release();
  return capi::ok();
}

// Copies UTF-8 `v` into a fixed array, truncating at a character boundary.
template <std::size_t N>
void put(char (&dst)[N], std::string_view v) {
  std::size_t n = std::min(v.size(), N - 1);
  while (n > 0 && n < v.size() && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80) --n;
  std::memcpy(dst, v.data(), n);
  dst[n] = '\0';
}

crypto::HashAlg hash_alg(int a, bool& okay) {
  okay = true;
  switch (a) {
    case DNIE_HASH_SHA1:
      return crypto::HashAlg::Sha1;
    case DNIE_HASH_SHA224:
      return crypto::HashAlg::Sha224;
    case DNIE_HASH_SHA256:
      return crypto::HashAlg::Sha256;
    case DNIE_HASH_SHA384:
      return crypto::HashAlg::Sha384;
    case DNIE_HASH_SHA512:
      return crypto::HashAlg::Sha512;
    default:
      okay = false;
      return crypto::HashAlg::Sha256;
  }
}

const char* status_name(icao::CheckStatus st) {
  switch (st) {
    case icao::CheckStatus::Pass:
      return "pass";
    case icao::CheckStatus::Fail:
      return "fail";
    default:
      return "not_performed";
  }
}

}  // namespace

namespace dnie::capi {

// Reads the files of `dgs` (0x1D SOD, 0x1E COM are always read) not yet cached.
Status ensure(dnie_session& s, std::vector<int> dgs) {
  std::vector<int> missing;
  for (int dg : dgs)
    if (!s.cache.has(dg) && !s.cache.unreadable.count(dg)) missing.push_back(dg);
  if (!missing.empty() || (s.cache.sod.empty() && s.cache.com.empty() && dgs.empty())) {
    icao::FileProgressFn progress;
    if (s.progress) {
      progress = [&s](std::uint16_t fid, std::size_t done, std::size_t total) {
        s.progress(s.progress_user, icao::file_name(fid).c_str(), done, total);
      };
    }
    DNIE_ASSIGN_OR_RETURN(icao::LdsContent doc, s.session->read_document(missing, progress));
    if (!doc.com.empty()) s.cache.com = std::move(doc.com);
    if (!doc.sod.empty()) s.cache.sod = std::move(doc.sod);
    for (auto& [n, b] : doc.dgs) s.cache.dgs[n] = std::move(b);
    for (auto& [n, e] : doc.unreadable) s.cache.unreadable[n] = std::move(e);
    for (int dg : missing)
      if (!s.cache.has(dg) && !s.cache.unreadable.count(dg))
        s.cache.unreadable[dg] = Error(ErrorCode::NotFound, "DG" + std::to_string(dg) + " absent");
  }
  return ok_status();
}

}  // namespace dnie::capi

extern "C" {

int dnie_session_open(const char* reader_spec, dnie_session** out) {
  return guarded([&] {
    SessionOptions o;
    if (reader_spec) o.reader = reader_spec;  // NULL or "": the first PC/SC reader with a card
    return open_with(std::move(o), out);
  });
}

int dnie_session_open_transport(const dnie_transport_callbacks* cb, void* user, dnie_session** out) {
  return guarded([&] {
    if (!cb || !cb->transmit) return fail(DNIE_ERR_INVALID_ARGUMENT, "transport callbacks without transmit");
    SessionOptions o;
    o.reader = "application transport";
    dnie_transport_callbacks copy = *cb;
    o.custom_transport = [copy, user]() -> Result<std::unique_ptr<transport::Transport>> {
      return capi::make_callback_transport(copy, user);
    };
    return open_with(std::move(o), out);
  });
}

void dnie_session_close(dnie_session* s) {
  if (!s || s->magic != dnie_session::kMagic) return;
  try {
    s->magic = 0;
    delete s;
  } catch (...) {
  }
}

int dnie_pace_can(dnie_session* s, const char* can) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!can) return fail(DNIE_ERR_INVALID_ARGUMENT, "null CAN");
    s->cache = {};
    return finish(s->session->pace_can(can));
  });
}

int dnie_pace_mrz(dnie_session* s, const char* docno, const char* dob, const char* doe) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!docno || !dob || !doe) return fail(DNIE_ERR_INVALID_ARGUMENT, "null MRZ field");
    auto pw = auth::PacePassword::mrz(docno, dob, doe);
    if (!pw) return fail(pw.error());
    s->cache = {};
    return finish(s->session->pace(*pw));
  });
}

int dnie_read_identity(dnie_session* s, dnie_identity* out) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!out) return fail(DNIE_ERR_INVALID_ARGUMENT, "null identity");
    std::memset(out, 0, sizeof *out);
    if (Status st = ensure(*s, {1, 11, 13}); !st) return fail(st.error());
    if (!s->cache.dg(1)) return fail(DNIE_ERR_NOT_FOUND, "DG1 could not be read");
    auto id = icao::holder_identity(s->cache);  // the library's merge of DG1, DG11 and DG13
    if (!id) return fail(id.error());
    put(out->document_number, id->document_number);
    put(out->nationality, id->nationality);
    put(out->sex, id->sex);
    put(out->names, id->names);
    put(out->surnames, id->surnames);
    put(out->birth_date, id->birth_date);
    put(out->expiry_date, id->expiry_date);
    put(out->dni_number, id->dni_number);
    put(out->birth_place, id->birth_place);
    put(out->address, id->address);
    return capi::ok();
  });
}

int dnie_read_file(dnie_session* s, uint16_t dg, uint8_t* buf, size_t* len) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!len) return fail(DNIE_ERR_INVALID_ARGUMENT, "null length");
    if (dg == DNIE_FILE_SOD || dg == DNIE_FILE_COM) {
      if (s->cache.sod.empty() && s->cache.com.empty()) {
        if (Status st = ensure(*s, {1}); !st) return fail(st.error());
      }
      const Bytes& f = dg == DNIE_FILE_SOD ? s->cache.sod : s->cache.com;
      if (f.empty()) return fail(DNIE_ERR_NOT_FOUND, dg == DNIE_FILE_SOD ? "EF.SOD absent" : "EF.COM absent");
      return capi::copy_out(f, buf, len);
    }
    if (dg < 1 || dg > 16)
      return fail(DNIE_ERR_INVALID_ARGUMENT, "data group must be 1..16, DNIE_FILE_SOD or DNIE_FILE_COM");
    if (Status st = ensure(*s, {dg}); !st) return fail(st.error());
    if (const Bytes* b = s->cache.dg(dg)) return capi::copy_out(*b, buf, len);
    auto it = s->cache.unreadable.find(dg);
    if (it != s->cache.unreadable.end()) return fail(it->second);
    return fail(DNIE_ERR_NOT_FOUND, "DG" + std::to_string(dg) + " absent");
  });
}

int dnie_read_photo_png(dnie_session* s, uint8_t* buf, size_t* len) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!len) return fail(DNIE_ERR_INVALID_ARGUMENT, "null length");
    if (Status st = ensure(*s, {2}); !st) return fail(st.error());
    const Bytes* dg2 = s->cache.dg(2);
    if (!dg2) return fail(DNIE_ERR_NOT_FOUND, "DG2 could not be read");
    auto imgs = icao::parse_dg2(*dg2);
    if (!imgs) return fail(imgs.error());
    if (imgs->empty()) return fail(DNIE_ERR_NOT_FOUND, "DG2 holds no face image");
    auto png = icao::convert_image(imgs->front().data, icao::ImageFormat::Png);
    if (!png) return fail(png.error());
    return capi::copy_out(*png, buf, len);
  });
}

int dnie_verify(dnie_session* s, const char* trust, int* verdict, char* json_report, size_t* len) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!verdict) return fail(DNIE_ERR_INVALID_ARGUMENT, "null verdict");
    icao::TrustStore ts;
    icao::PassiveAuthOptions pa;
    if (trust && *trust) {
      struct stat st {};
      if (::stat(trust, &st) != 0)
        return fail(DNIE_ERR_NOT_FOUND, std::string("no such trust file or directory: ") + trust);
      if (S_ISDIR(st.st_mode)) {
        auto r = ts.load_directory(trust);
        if (!r) return fail(r.error());
      } else {
        std::ifstream f(trust, std::ios::binary);
        Bytes data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        if (!f && !f.eof()) return fail(DNIE_ERR_NOT_FOUND, std::string("cannot read ") + trust);
        auto r = ts.add_certificates(data, trust);
        if (!r) return fail(r.error());
      }
      pa.trust_store = &ts;
    }
    if (!s->full_read) {
      auto doc = s->session->read_document();
      if (!doc) return fail(doc.error());
      s->cache = std::move(doc).value();
      s->full_read = true;
    }
    icao::VerificationReport rep = s->session->verify(s->cache, pa);
    const icao::Assessment a = rep.assessment();
    switch (a.authenticity) {
      case icao::Authenticity::Genuine:
        *verdict = a.expired ? DNIE_GENUINE_EXPIRED : DNIE_GENUINE;
        break;
      case icao::Authenticity::NotGenuine:
        *verdict = DNIE_NOT_GENUINE;
        break;
      case icao::Authenticity::CannotVerify:
        *verdict = DNIE_CANNOT_VERIFY;
        break;
    }
    std::string json = "{\"verdict\":\"" + std::string(icao::authenticity_name(a.authenticity)) +
                       "\",\"label\":\"" + json_escape(a.label()) +
                       "\",\"expired\":" + (a.expired ? "true" : "false") + ",\"reasons\":[";
    for (std::size_t i = 0; i < a.reasons.size(); ++i)
      json += (i ? ",\"" : "\"") + json_escape(a.reasons[i]) + "\"";
    json += "],\"checks\":[";
    for (std::size_t i = 0; i < rep.checks.size(); ++i) {
      const auto& c = rep.checks[i];
      if (i) json += ",";
      json += "{\"id\":\"" + json_escape(c.id) + "\",\"status\":\"" + status_name(c.status) +
              "\",\"reason\":\"" + json_escape(c.reason) + "\"}";
    }
    json += "]}";
    return capi::copy_report(std::move(json), json_report, len);
  });
}

int dnie_certificate(dnie_session* s, int key, uint8_t* der, size_t* len) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!len) return fail(DNIE_ERR_INVALID_ARGUMENT, "null length");
    if (key < DNIE_KEY_AUTH || key > DNIE_KEY_CA)
      return fail(DNIE_ERR_INVALID_ARGUMENT, "key must be DNIE_KEY_AUTH, _SIGN or _CA");
    auto e = s->session->esign();
    if (!e) return fail(e.error());
    if (key != DNIE_KEY_CA) {
      auto c = (*e)->certificate(static_cast<esign::KeyKind>(key));
      if (!c) return fail(c.error());
      return capi::copy_out(c->der(), der, len);
    }
    auto all = (*e)->certificates();
    if (!all) return fail(all.error());
    for (const auto& c : *all)
      if (!c.key) return capi::copy_out(c.der(), der, len);
    return fail(DNIE_ERR_NOT_FOUND, "no CA certificate on the card");
  });
}

int dnie_trust_component_root(dnie_session* s, const uint8_t* der, size_t len, int test_root) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!der || len == 0) return fail(DNIE_ERR_INVALID_ARGUMENT, "null certificate");
    auto cert = crypto::Certificate::parse(ByteView(der, len));
    if (!cert) return fail(cert.error());
    const crypto::RsaPublicKey* k = cert->public_key().rsa();
    if (k == nullptr) return fail(DNIE_ERR_UNSUPPORTED, "the component root key is not RSA");
    esign::IccRoot r;
    r.id = "caller-root";
    // The generation of the key sets to use with it: "AC RAIZ COMPONENTES 2" names r2 (docs/keysets.md).
    r.generation = cert->subject().to_string().find("COMPONENTES 2") != std::string::npos ? "r2" : "r1";
    r.test_only = test_root != 0;
    r.modulus = k->modulus();
    r.exponent = k->exponent();
    r.provenance = "trusted by the application: " + cert->subject().to_string();
    s->session->trust_icc_root(std::move(r));
    return capi::ok();
  });
}

int dnie_list_readers(int include_nfc, char* json, size_t* len) {
  return guarded([&] {
    std::string j = "[";
    bool first = true;
    for (const auto& r : list_readers(include_nfc != 0)) {
      if (r.kind == ReaderKind::Virtual) continue;  // only real readers are "readers"
      if (!first) j += ",";
      first = false;
      j += "{\"spec\":\"" + json_escape(r.spec) + "\",\"name\":\"" + json_escape(r.name) + "\",\"kind\":\"" +
           std::string(reader_kind_name(r.kind)) +
           "\",\"card_present\":" + (r.card_present ? "true" : "false") + ",\"atr\":\"" + to_hex(r.atr) +
           "\"}";
    }
    j += "]";
    return capi::copy_report(std::move(j), json, len);
  });
}

int dnie_card_info(dnie_session* s, int pin_tries, char* json, size_t* len) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    auto ci = s->session->info(pin_tries != 0);
    if (!ci) return fail(ci.error());
    std::string notes;
    for (const auto& n : ci->notes) notes += (notes.empty() ? "\"" : ",\"") + json_escape(n) + "\"";
    std::string j =
        "{\"reader\":\"" + json_escape(ci->reader) + "\",\"interface\":\"" +
        (ci->interface_type == transport::Interface::Contactless ? "contactless"
         : ci->interface_type == transport::Interface::Contact   ? "contact"
                                                                 : "unknown") +
        "\",\"atr\":\"" + to_hex(ci->atr) + "\",\"card\":\"" + json_escape(ci->atr_info.description) +
        "\",\"chip_serial\":\"" + to_hex(ci->chip_serial) + "\",\"idesp\":\"" + json_escape(ci->idesp) +
        "\",\"version\":\"" + json_escape(ci->version) +
        "\",\"dnie_confirmed\":" + (ci->dnie_confirmed ? (*ci->dnie_confirmed ? "true" : "false") : "null") +
        ",\"generation\":\"" + json_escape(ci->generation) +
        "\",\"pin_tries_left\":" + (ci->pin_tries_left ? std::to_string(*ci->pin_tries_left) : "null") +
        ",\"notes\":[" + notes + "]}";
    return capi::copy_report(std::move(j), json, len);
  });
}

int dnie_set_progress(dnie_session* s, dnie_progress_fn fn, void* user) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    s->progress = fn;
    s->progress_user = user;
    return capi::ok();
  });
}

int dnie_cancel(dnie_session* s) {
  // No guarded()/last-error here beyond the handle check: it may run on another thread while
  // the session's own thread is inside an operation.
  if (!capi::valid(s)) return DNIE_ERR_INVALID_ARGUMENT;
  s->session->cancel();
  return DNIE_OK;
}

int dnie_pin_tries(dnie_session* s, int* tries) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!tries) return fail(DNIE_ERR_INVALID_ARGUMENT, "null tries");
    auto e = s->session->esign();
    if (!e) return fail(e.error());
    auto n = (*e)->tries_left();
    if (!n) return fail(n.error());
    *tries = *n;
    return capi::ok();
  });
}

int dnie_pin_verify(dnie_session* s, const char* pin, int allow_last_try) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!pin) return fail(DNIE_ERR_INVALID_ARGUMENT, "null PIN");
    auto e = s->session->esign();
    if (!e) return fail(e.error());
    return finish((*e)->verify_pin(SecureBuffer::from_string(pin), allow_last_try != 0));
  });
}

int dnie_pin_change(dnie_session* s, const char* old_pin, const char* new_pin, int allow_last_try) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!old_pin || !new_pin) return fail(DNIE_ERR_INVALID_ARGUMENT, "null PIN");
    auto e = s->session->esign();
    if (!e) return fail(e.error());
    return finish((*e)->change_pin(SecureBuffer::from_string(old_pin), SecureBuffer::from_string(new_pin),
                                   allow_last_try != 0));
  });
}

int dnie_sign_hash(dnie_session* s, int key, int hash, const uint8_t* digest, size_t digest_len,
                   const char* pin, uint8_t* sig, size_t* sig_len) {
  return guarded([&] {
    DNIE_CHECK_SESSION(s);
    if (!sig_len) return fail(DNIE_ERR_INVALID_ARGUMENT, "null signature length");
    if (key != DNIE_KEY_AUTH && key != DNIE_KEY_SIGN)
      return fail(DNIE_ERR_INVALID_ARGUMENT, "key must be DNIE_KEY_AUTH or DNIE_KEY_SIGN");
    bool known = false;
    crypto::HashAlg alg = hash_alg(hash, known);
    if (!known) return fail(DNIE_ERR_INVALID_ARGUMENT, "unknown hash algorithm");
    auto e = s->session->esign();
    if (!e) return fail(e.error());
    auto cert = (*e)->certificate(static_cast<esign::KeyKind>(key));
    if (!cert) return fail(cert.error());
    const crypto::RsaPublicKey* rsa = cert->certificate.public_key().rsa();
    if (!rsa) return fail(DNIE_ERR_UNSUPPORTED, "the certificate key is not RSA");
    const std::size_t k = rsa->size();
    if (!sig || *sig_len < k) {
      const bool query = sig == nullptr;
      *sig_len = k;
      return query ? capi::ok() : fail(DNIE_ERR_INVALID_ARGUMENT, "signature buffer too small");
    }
    if (!digest || !pin) return fail(DNIE_ERR_INVALID_ARGUMENT, "null digest or PIN");
    if (digest_len != crypto::hash_size(alg))
      return fail(DNIE_ERR_INVALID_ARGUMENT, "digest length does not match the hash algorithm");
    auto r = (*e)->sign_hash(static_cast<esign::KeyKind>(key), alg, ByteView(digest, digest_len),
                             SecureBuffer::from_string(pin), false);
    if (!r) return fail(r.error());
    return capi::copy_out(*r, sig, sig_len);
  });
}

}  // extern "C"
