// SPDX-License-Identifier: Apache-2.0
// Slots (PC/SC readers, optional libnfc device, the virtual card) and tokens: a token is opened
// lazily (PACE with the CAN on contactless links), then its PKCS#15 certificates and keys become
// PKCS#11 objects.
#include <cstdlib>
#include <iterator>

#include "dnie/bytes/log.hpp"
#include "dnie/vcard/card_image.hpp"

#include "p11_token.hpp"

namespace dnie::p11 {
namespace {
constexpr const char* kComponent = "pkcs11";

std::string env(const char* name, const char* def = "") {
  const char* v = std::getenv(name);
  return v ? v : def;
}

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

std::vector<Slot> discover_slots() {
  std::vector<Slot> slots;
  const std::string which = env("DNIE_PKCS11_READERS", "all");  // all | pcsc | virtual
  if (which != "virtual") {
    std::vector<std::string> notes;
    for (const ReaderInfo& r : list_readers(false, &notes)) {
      if (r.kind != ReaderKind::Pcsc) continue;
      Slot s;
      s.spec = r.spec;
      s.description = r.name;
      slots.push_back(std::move(s));
    }
    if (const char* nfc = std::getenv("DNIE_NFC")) {
      Slot s;
      std::string conn = nfc;
      s.spec = conn.empty() || conn == "1" ? "nfc" : "nfc:" + conn;
      s.description = "NFC " + (conn.empty() || conn == "1" ? std::string("(first libnfc device)") : conn);
      slots.push_back(std::move(s));
    }
  }
  if (which != "pcsc") {
    Slot s;
    s.spec = "virtual:" + env("DNIE_VCARD_PROFILE", "genuine");
    s.description = "Virtual DNIe 3.0";
    s.is_virtual = true;
    s.removable = false;
    slots.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < slots.size(); ++i) slots[i].id = static_cast<CK_SLOT_ID>(i);
  return slots;
}

bool token_present(Slot& slot) {
  if (slot.is_virtual) return true;
  if (slot.spec.rfind("nfc", 0) == 0) return true;  // unknown until opened
  bool present = false;
  for (const ReaderInfo& r : list_readers(false))
    if (r.kind == ReaderKind::Pcsc && r.spec == slot.spec) present = r.card_present;
  // The card left the reader: forget it and close its sessions (PKCS#11 §5.6).
  if (!present && slot.token) {
    auto& sessions = module().sessions;
    for (auto it = sessions.begin(); it != sessions.end();)
      it = it->second.slot == slot.id ? sessions.erase(it) : std::next(it);
    slot.sessions = 0;
    slot.token.reset();
  }
  return present;
}

Status open_token(Slot& slot) {
  if (slot.token) return ok_status();
  SessionOptions opts;
  opts.reader = slot.spec;
  DNIE_ASSIGN_OR_RETURN(auto session, Session::open(opts));
  if (session->interface_type() == transport::Interface::Contactless) {
    std::string can = env("DNIE_CAN");
    if (can.empty() && slot.is_virtual) {
      std::string profile = slot.spec.substr(slot.spec.find(':') + 1);
      auto img = vcard::CardImage::load(default_vcard_image_dir() + "/" + profile + ".dvc");
      if (img) can = img->can;
    }
    if (can.empty())
      return Error(ErrorCode::InvalidState,
                   "contactless card: set DNIE_CAN to the 6-digit CAN printed on it");
    DNIE_TRY(session->pace_can(can));
  }
  DNIE_ASSIGN_OR_RETURN(esign::EsignCard * card, session->esign());
  DNIE_ASSIGN_OR_RETURN(auto certs, card->certificates());
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
    token->objects.push_back(std::move(k));
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
  return ok_status();
}

CK_RV to_rv(const Error& e) {
  switch (e.code) {
    case ErrorCode::InvalidArgument:
      return CKR_ARGUMENTS_BAD;
    case ErrorCode::WrongPin:
      return CKR_PIN_INCORRECT;
    case ErrorCode::LastTryRefused:
      return CKR_PIN_INCORRECT;
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
    default:
      return CKR_DEVICE_ERROR;
  }
}

CK_RV log_error(const Error& e, std::string_view what) {
  log(LogLevel::Warning, kComponent, std::string(what) + ": " + e.to_string());
  return to_rv(e);
}

}  // namespace dnie::p11
