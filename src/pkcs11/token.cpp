// SPDX-License-Identifier: Apache-2.0
// Slots (PC/SC readers, optional libnfc device, the virtual card) and tokens: a token is opened
// lazily (PACE with the CAN on contactless links), then its PKCS#15 certificates and keys become
// PKCS#11 objects.
#include <cstdlib>
#include <iterator>

#include "dnie/bytes/log.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "p11_prompt.hpp"
#include "p11_token.hpp"

namespace dnie::p11 {
namespace {
constexpr const char* kComponent = "pkcs11";

Bytes ulong_bytes(CK_ULONG v) {
  Bytes b(sizeof v);
  std::memcpy(b.data(), &v, sizeof v);
  return b;
}
Bytes bool_bytes(bool v) { return Bytes{static_cast<std::uint8_t>(v ? CK_TRUE : CK_FALSE)}; }
Bytes str_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes der_integer(const Bytes& content) {
  Bytes out{0x02};
  std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n < 0x100) {
    out.push_back(0x81);
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n & 0xFF));
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

std::string holder_of(const crypto::Certificate& c) {
  std::string gn = c.subject().get("GN"), sn = c.subject().get("SN");
  if (!gn.empty() && !sn.empty()) return gn + " " + sn;
  std::string cn = c.subject().get("CN");
  auto p = cn.find(" (");
  return p == std::string::npos ? cn : cn.substr(0, p);
}

}  // namespace

void pad(CK_UTF8CHAR* dst, std::size_t n, std::string_view v) {
  std::size_t len = std::min(v.size(), n);
  // Never cut a UTF-8 sequence.
  while (len > 0 && len < v.size() && (static_cast<unsigned char>(v[len]) & 0xC0) == 0x80) --len;
  std::memset(dst, ' ', n);
  std::memcpy(dst, v.data(), len);
}

namespace {

// Case-insensitive substring test for the `readers` filter.
bool contains_ci(std::string_view hay, std::string_view needle) {
  auto lc = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  if (needle.empty()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && lc(hay[i + j]) == lc(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

struct ReaderFilter {
  bool none = false;
  std::vector<std::string> words;  // empty = every reader
  explicit ReaderFilter(std::string_view spec) {
    std::string s;
    for (char c : spec) s.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    if (s == "none" || s == "virtual") {  // "virtual": the name of "none" before the virtual switch
      none = true;
      return;
    }
    if (s.empty() || s == "all" || s == "pcsc") return;
    std::size_t b = 0;
    while (b <= spec.size()) {
      std::size_t e = spec.find(',', b);
      if (e == std::string_view::npos) e = spec.size();
      std::string_view w = spec.substr(b, e - b);
      while (!w.empty() && w.front() == ' ') w.remove_prefix(1);
      while (!w.empty() && w.back() == ' ') w.remove_suffix(1);
      if (!w.empty()) words.emplace_back(w);
      b = e + 1;
    }
  }
  bool admits(std::string_view name) const {
    if (none) return false;
    if (words.empty()) return true;
    for (const auto& w : words)
      if (contains_ci(name, w)) return true;
    return false;
  }
};

bool file_exists(const std::string& path) {
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
    return true;
  }
  return false;
}

bool six_digits(const SecureBuffer& can) {
  if (can.size() != 6) return false;
  for (std::size_t i = 0; i < can.size(); ++i)
    if (can[i] < '0' || can[i] > '9') return false;
  return true;
}

}  // namespace

std::vector<Slot> discover_slots(const Config& cfg) {
  std::vector<Slot> slots;
  const ReaderFilter filter(cfg.readers);
  if (!filter.none) {
    std::vector<std::string> notes;
    for (const ReaderInfo& r : list_readers(false, &notes)) {
      if (r.kind != ReaderKind::Pcsc) continue;
      if (!filter.admits(r.name)) {
        log(LogLevel::Debug, kComponent, "reader '" + r.name + "' left out by readers = " + cfg.readers);
        continue;
      }
      Slot s;
      s.spec = r.spec;
      s.description = r.name;
      slots.push_back(std::move(s));
    }
    for (const auto& n : notes) log(LogLevel::Debug, kComponent, n);
    if (const char* nfc = std::getenv("DNIE_NFC")) {
      Slot s;
      std::string conn = nfc;
      s.spec = conn.empty() || conn == "1" ? "nfc" : "nfc:" + conn;
      s.description = "NFC " + (conn.empty() || conn == "1" ? std::string("(first libnfc device)") : conn);
      if (filter.admits(s.description)) slots.push_back(std::move(s));
    }
  }
  if (cfg.virtual_card) {
    // A test token whose PIN is public: listed only when turned on, and only if its image exists.
    const std::string image = vcard_session::default_image_dir() + "/" + cfg.virtual_profile + ".dvc";
    if (file_exists(image)) {
      Slot s;
      s.spec = "virtual:" + cfg.virtual_profile;
      s.description = "Virtual DNIe 3.0";
      s.is_virtual = true;
      s.removable = false;
      slots.push_back(std::move(s));
    } else {
      log(LogLevel::Warning, kComponent,
          "the virtual card is turned on but its image " + image +
              " is missing (set DNIE_VCARD_IMAGES to the directory of the .dvc images): slot not listed");
    }
  } else {
    log(LogLevel::Debug, kComponent,
        "virtual card off (a test token whose PIN is public; turn it on with virtual = on)");
  }
  for (std::size_t i = 0; i < slots.size(); ++i) slots[i].id = static_cast<CK_SLOT_ID>(i);
  log(LogLevel::Info, kComponent, std::to_string(slots.size()) + " slot(s)");
  return slots;
}

bool token_present(Slot& slot) {
  if (slot.is_virtual) return true;
  if (slot.spec.rfind("nfc", 0) == 0) return true;  // unknown until opened
  bool present = false;
  for (const ReaderInfo& r : list_readers(false))
    if (r.kind == ReaderKind::Pcsc && r.spec == slot.spec) present = r.card_present;
  if (!present) {
    // A card presented again may have another CAN: refusals are forgotten.
    slot.can_block = CanBlock::None;
    slot.can_was_wrong = false;
    slot.can_hint_logged = false;
  }
  // The card left the reader: forget it and close its sessions (PKCS#11 §5.6).
  if (!present && slot.token) {
    auto& sessions = module().sessions;
    for (auto it = sessions.begin(); it != sessions.end();)
      it = it->second.slot == slot.id ? sessions.erase(it) : std::next(it);
    slot.sessions = 0;
    slot.rw_sessions = 0;
    slot.token.reset();
  }
  return present;
}

namespace {

// PACE with the CAN (ICAO 9303-11 §4.4) on a contactless link; CKR_OK or the code of the
// "The CAN" table in docs/pkcs11.md, with a log line that says what to do.
CK_RV establish_pace(Slot& slot, Session& session, const Config& cfg) {
  const std::string where = "the contactless card in '" + slot.description + "'";
  if (slot.can_block == CanBlock::WrongConfiguredCan) {
    log(LogLevel::Debug, kComponent, where + ": the configured CAN was refused before; not tried again");
    return CKR_DEVICE_ERROR;
  }
  if (slot.can_block == CanBlock::PromptDeclined) return CKR_TOKEN_NOT_RECOGNIZED;
  SecureBuffer can;
  std::string source;
  bool from_prompt = false;
  if (!cfg.can.empty()) {
    can = cfg.can.clone();
    source = cfg.can_source;
  } else if (!cfg.prompt.empty()) {
    auto answer =
        run_prompt(cfg.prompt, {"can", slot.description, slot.can_was_wrong ? "wrong-can" : "first"},
                   cfg.prompt_timeout_s * 1000);
    if (!answer) {
      slot.can_block = CanBlock::PromptDeclined;
      log(LogLevel::Warning, kComponent,
          where + ": no CAN from the prompt program (" + answer.error().message +
              "); not asked again until the card is presented again");
      return CKR_TOKEN_NOT_RECOGNIZED;
    }
    can = std::move(answer).value();
    source = "the prompt program";
    from_prompt = true;
  } else {
    const std::string path = config_path();
    // Once per card: applications poll C_GetTokenInfo.
    const LogLevel level = slot.can_hint_logged ? LogLevel::Debug : LogLevel::Warning;
    slot.can_hint_logged = true;
    log(level, kComponent,
        where +
            " needs its CAN (the 6 digits printed on the front): set DNIE_CAN, write 'can = <6 digits>' in " +
            (path.empty() ? std::string("~/.config/dnie/pkcs11.conf") : path) +
            " (mode 0600), or configure a prompt program (docs/pkcs11.md)");
    return CKR_TOKEN_NOT_RECOGNIZED;
  }
  if (!six_digits(can)) {
    log(LogLevel::Warning, kComponent,
        where + ": the CAN from " + source + " is not 6 digits; nothing was sent to the card");
    return CKR_FUNCTION_FAILED;
  }
  Status st = session.pace_can(std::string_view(reinterpret_cast<const char*>(can.data()), can.size()));
  if (st) {
    slot.can_was_wrong = false;
    return CKR_OK;
  }
  if (st.error().code != ErrorCode::WrongCan) return log_error(st.error(), "PACE with the CAN");
  if (from_prompt) {
    slot.can_was_wrong = true;
  } else {
    slot.can_block = CanBlock::WrongConfiguredCan;
  }
  log(LogLevel::Warning, kComponent,
      where + " refused the CAN from " + source + ": check the 6 digits printed on the front of the card" +
          (from_prompt ? std::string(" (the prompt program is asked again next time)")
                       : std::string("; it is not tried again until the card is presented again or the "
                                     "application restarts")));
  return CKR_DEVICE_ERROR;
}

}  // namespace

CK_RV open_token(Slot& slot, const Config& cfg) {
  if (slot.token) return CKR_OK;
  log(LogLevel::Debug, kComponent,
      "opening the card in slot " + std::to_string(slot.id) + " (" + slot.spec + ")");
  SessionOptions opts;
  opts.reader = slot.spec;
  // The test token, listed only with virtual = on (discover_slots), is attached explicitly: the
  // session itself never opens a simulated card.
  if (slot.is_virtual)
    if (Status st = vcard_session::attach(opts, slot.spec); !st)
      return log_error(st.error(), "opening the card");
  auto opened = Session::open(opts);
  if (!opened) {
    if (opened.error().code == ErrorCode::NoCard) slot.can_block = CanBlock::None;
    return log_error(opened.error(), "opening the card");
  }
  std::unique_ptr<Session> session = std::move(opened).value();
  if (session->interface_type() == transport::Interface::Contactless)
    if (CK_RV rv = establish_pace(slot, *session, cfg); rv != CKR_OK) return rv;
  auto esign = session->esign();
  if (!esign) return log_error(esign.error(), "opening the card's eSign application");
  esign::EsignCard* card = *esign;
  auto certs_r = card->certificates();
  if (!certs_r) return log_error(certs_r.error(), "reading the card's certificates");
  const auto& certs = *certs_r;
  auto token = std::make_unique<Token>();
  token->serial = card->chip().idesp;
  std::string holder;
  CK_OBJECT_HANDLE next = static_cast<CK_OBJECT_HANDLE>(slot.id + 1) << 8;
  for (const auto& c : certs) {
    Object o;
    o.handle = ++next;
    o.cls = CKO_CERTIFICATE;
    o.attrs[CKA_CLASS] = ulong_bytes(CKO_CERTIFICATE);
    o.attrs[CKA_TOKEN] = bool_bytes(true);
    o.attrs[CKA_PRIVATE] = bool_bytes(false);
    o.attrs[CKA_MODIFIABLE] = bool_bytes(false);
    o.label = c.object.label;
    o.attrs[CKA_LABEL] = str_bytes(c.object.label);
    o.attrs[CKA_ID] = c.object.id;
    o.attrs[CKA_CERTIFICATE_TYPE] = ulong_bytes(CKC_X_509);
    o.attrs[CKA_CERTIFICATE_CATEGORY] = ulong_bytes(c.key ? 1 : 2);  // token user / authority
    o.attrs[CKA_TRUSTED] = bool_bytes(false);
    o.attrs[CKA_VALUE] = c.der();
    o.attrs[CKA_SUBJECT] = c.certificate.subject().der;
    o.attrs[CKA_ISSUER] = c.certificate.issuer().der;
    o.attrs[CKA_SERIAL_NUMBER] = der_integer(c.certificate.serial());
    token->objects.push_back(std::move(o));
    if (!c.key) continue;
    const crypto::RsaPublicKey* rsa = c.certificate.public_key().rsa();
    if (!rsa) continue;
    const bool signing = c.key->key_reference == 2;
    if (!signing && holder.empty()) holder = holder_of(c.certificate);
    Object k;
    k.handle = ++next;
    k.cls = CKO_PRIVATE_KEY;
    k.is_private = true;
    k.key_kind = signing ? 2 : 1;
    k.modulus_bytes = rsa->size();
    k.attrs[CKA_CLASS] = ulong_bytes(CKO_PRIVATE_KEY);
    k.attrs[CKA_KEY_TYPE] = ulong_bytes(CKK_RSA);
    k.attrs[CKA_TOKEN] = bool_bytes(true);
    k.attrs[CKA_PRIVATE] = bool_bytes(true);
    k.attrs[CKA_MODIFIABLE] = bool_bytes(false);
    k.attrs[CKA_LABEL] = str_bytes(c.key->label);
    k.attrs[CKA_ID] = c.key->id;
    k.attrs[CKA_SUBJECT] = c.certificate.subject().der;
    k.attrs[CKA_MODULUS] = rsa->modulus();
    k.attrs[CKA_PUBLIC_EXPONENT] = rsa->exponent();
    k.attrs[CKA_MODULUS_BITS] = ulong_bytes(static_cast<CK_ULONG>(rsa->bits()));
    k.attrs[CKA_SIGN] = bool_bytes(true);
    k.attrs[CKA_SIGN_RECOVER] = bool_bytes(false);
    k.attrs[CKA_DECRYPT] = bool_bytes(false);
    k.attrs[CKA_UNWRAP] = bool_bytes(false);
    k.attrs[CKA_DERIVE] = bool_bytes(false);
    k.attrs[CKA_SENSITIVE] = bool_bytes(true);
    k.attrs[CKA_ALWAYS_SENSITIVE] = bool_bytes(true);
    k.attrs[CKA_EXTRACTABLE] = bool_bytes(false);
    k.attrs[CKA_NEVER_EXTRACTABLE] = bool_bytes(true);
    k.attrs[CKA_LOCAL] = bool_bytes(true);
    k.attrs[CKA_ALWAYS_AUTHENTICATE] = bool_bytes(signing);
    k.attrs[CKA_PUBLIC_KEY_INFO] = c.certificate.spki().to_bytes();
    k.label = c.key->label;
    // The public key (PKCS#11 v2.40 §4.8): same CKA_ID and CKA_LABEL as the private key, so that
    // applications find it from the private key's URL or ID (pkcs11-tool --test, p11tool
    // --test-sign) and verify what the private key signs.
    Object p;
    p.handle = ++next;
    p.cls = CKO_PUBLIC_KEY;
    p.label = c.key->label;
    p.attrs[CKA_CLASS] = ulong_bytes(CKO_PUBLIC_KEY);
    p.attrs[CKA_KEY_TYPE] = ulong_bytes(CKK_RSA);
    p.attrs[CKA_TOKEN] = bool_bytes(true);
    p.attrs[CKA_PRIVATE] = bool_bytes(false);
    p.attrs[CKA_MODIFIABLE] = bool_bytes(false);
    p.attrs[CKA_LABEL] = str_bytes(p.label);
    p.attrs[CKA_ID] = c.key->id;
    p.attrs[CKA_SUBJECT] = c.certificate.subject().der;
    p.attrs[CKA_MODULUS] = rsa->modulus();
    p.attrs[CKA_PUBLIC_EXPONENT] = rsa->exponent();
    p.attrs[CKA_MODULUS_BITS] = ulong_bytes(static_cast<CK_ULONG>(rsa->bits()));
    p.attrs[CKA_PUBLIC_KEY_INFO] = c.certificate.spki().to_bytes();
    p.attrs[CKA_VERIFY] = bool_bytes(true);
    p.attrs[CKA_VERIFY_RECOVER] = bool_bytes(false);
    p.attrs[CKA_ENCRYPT] = bool_bytes(false);
    p.attrs[CKA_WRAP] = bool_bytes(false);
    p.attrs[CKA_DERIVE] = bool_bytes(false);
    p.attrs[CKA_LOCAL] = bool_bytes(true);
    p.attrs[CKA_TRUSTED] = bool_bytes(false);
    token->objects.push_back(std::move(k));
    token->objects.push_back(std::move(p));
  }
  if (holder.empty() && !certs.empty()) holder = holder_of(certs.front().certificate);
  // CK_TOKEN_INFO.label has 32 bytes: the holder is shortened (to whole words, else on a
  // character boundary) so that the closing parenthesis stays.
  const std::string prefix = "DNI electrónico (";
  const std::size_t room = 32 - prefix.size() - 1;
  if (holder.size() > room) {
    std::size_t n = room;
    while (n > 0 && (static_cast<unsigned char>(holder[n]) & 0xC0) == 0x80) --n;
    const std::size_t space = holder.rfind(' ', n);  // whole words when possible
    holder = holder.substr(0, space != std::string::npos && space > 0 ? space : n);
  }
  token->label = holder.empty() ? "DNI electrónico" : prefix + holder + ")";
  token->session = std::move(session);
  slot.token = std::move(token);
  log(LogLevel::Info, kComponent,
      "token opened in slot " + std::to_string(slot.id) + " (" + slot.description + ")");
  return CKR_OK;
}

CK_RV to_rv(const Error& e) {
  switch (e.code) {
    case ErrorCode::InvalidArgument:
      return CKR_ARGUMENTS_BAD;
    case ErrorCode::WrongPin:
      return CKR_PIN_INCORRECT;
    case ErrorCode::LastTryRefused:
      // PKCS#11 v2.40 §5.1.6 CKR_PIN_LOCKED: "the token is unwilling to permit further attempts"
      // — the module will not spend the last try without consent. Not CKR_PIN_INCORRECT: the
      // PIN may well be right, and applications would tell the user it is wrong.
      return CKR_PIN_LOCKED;
    case ErrorCode::PinSuspended:
    case ErrorCode::PinBlocked:
      return CKR_PIN_LOCKED;
    case ErrorCode::NoCard:
      return CKR_TOKEN_NOT_PRESENT;
    case ErrorCode::CardRemoved:
      return CKR_DEVICE_REMOVED;
    case ErrorCode::ReaderNotFound:
      return CKR_SLOT_ID_INVALID;
    case ErrorCode::WrongCan:
      return CKR_DEVICE_ERROR;  // see establish_pace; never CKR_PIN_INCORRECT (not the user PIN)
    case ErrorCode::Unsupported:
    case ErrorCode::CardTerminated:
      return CKR_TOKEN_NOT_RECOGNIZED;
    case ErrorCode::AccessDenied:
      return CKR_USER_NOT_LOGGED_IN;
    case ErrorCode::NoService:
    case ErrorCode::SharingViolation:
    case ErrorCode::Timeout:
    case ErrorCode::TransportError:
    case ErrorCode::CardReset:
    case ErrorCode::SecureMessagingError:
      return CKR_DEVICE_ERROR;
    case ErrorCode::InternalError:
      return CKR_GENERAL_ERROR;
    case ErrorCode::UntrustedDocument:  // the chip's component chain is not trusted: no PIN sent
    case ErrorCode::VerificationFailed:
    default:
      return CKR_DEVICE_ERROR;
  }
}

CK_RV log_error(const Error& e, std::string_view what) {
  log(LogLevel::Warning, kComponent, std::string(what) + ": " + e.to_string());
  return to_rv(e);
}

}  // namespace dnie::p11
