// SPDX-License-Identifier: Apache-2.0
// C_Login and the signature functions of libdnie-pkcs11.so (docs/pkcs11.md "PIN and
// signatures"): the last-try guard, the cached login PIN of the authentication key, the
// context-specific PIN of the signing key (CKA_ALWAYS_AUTHENTICATE), and the prompt program's
// consents.
#include "dnie/bytes/log.hpp"
#include "dnie/crypto/rsa.hpp"

#include "p11_prompt.hpp"
#include "p11_token.hpp"

namespace dnie::p11 {
namespace {
constexpr const char* kComponent = "pkcs11";

bool pin_refusal(ErrorCode c) {
  return c == ErrorCode::LastTryRefused || c == ErrorCode::WrongPin || c == ErrorCode::PinBlocked ||
         c == ErrorCode::PinSuspended;
}

// Asks the prompt program; true only for a "yes".
bool consent(const Config& cfg, const std::vector<std::string>& args) {
  auto answer = run_prompt(cfg.prompt, args, cfg.prompt_timeout_s * 1000);
  if (!answer) {
    log(LogLevel::Info, kComponent, "prompt program, " + args.front() + ": " + answer.error().message);
    return false;
  }
  return is_yes(*answer);
}

// VERIFY for C_Login (CKU_USER or CKU_CONTEXT_SPECIFIC). With one try left the library refuses
// (LastTryRefused, nothing sent) unless allow_last_try is configured or the prompt program says
// "yes": CKR_PIN_LOCKED (see to_rv).
CK_RV verify_login(const Config& cfg, Token& t, const SecureBuffer& pin, const std::string& what) {
  auto e = t.session->esign();
  if (!e) return log_error(e.error(), "C_Login");
  Status st = (*e)->verify_pin(pin, cfg.allow_last_try);
  if (!st && st.error().code == ErrorCode::LastTryRefused && !cfg.prompt.empty()) {
    if (consent(cfg, {"last-try", t.label, what})) {
      log(LogLevel::Info, kComponent, "one PIN try left: spent with the prompt program's consent");
      st = (*e)->verify_pin(pin, true);
    } else {
      log(LogLevel::Warning, kComponent, "one PIN try left: the prompt program did not consent to spend it");
      return CKR_PIN_LOCKED;
    }
  }
  if (st) return CKR_OK;
  if (st.error().code == ErrorCode::LastTryRefused) {
    log(LogLevel::Warning, kComponent,
        "one PIN try left: not spent without consent, so C_Login returns CKR_PIN_LOCKED (the PIN may be "
        "right). To spend it: allow_last_try = on in the configuration, DNIE_ALLOW_LAST_TRY=1, or a "
        "prompt program");
    return CKR_PIN_LOCKED;
  }
  if (st.error().code == ErrorCode::InvalidArgument) return CKR_PIN_LEN_RANGE;
  return log_error(st.error(), "C_Login");
}

// The DigestInfo to sign for the operation. CKM_RSA_PKCS takes a DER DigestInfo (RFC 8017 §9.2
// step 2) of SHA-1/224/256/384/512 and nothing else: the module does not guess an algorithm
// from a length.
Result<Bytes> digest_info_for(SignOp& op, ByteView data, bool one_shot) {
  if (op.mech == CKM_RSA_PKCS) {
    Bytes in = one_shot ? Bytes(data.begin(), data.end()) : op.data;
    if (crypto::parse_digest_info(in)) return in;
    return Error(ErrorCode::InvalidArgument,
                 "CKM_RSA_PKCS signs a DER DigestInfo (RFC 8017 §9.2) of SHA-1/224/256/384/512; the " +
                     std::to_string(in.size()) + "-byte input is not one (a bare hash is refused)");
  }
  if (one_shot) op.hasher->update(data);
  Bytes h = op.hasher->finish();
  return crypto::digest_info(op.hasher->alg(), h);
}

CK_RV do_sign(Module& m, Slot& slot, P11Session& s, ByteView data, bool one_shot, CK_BYTE_PTR sig,
              CK_ULONG_PTR sig_len) {
  SignOp& op = *s.sign;
  if (!sig_len) return CKR_ARGUMENTS_BAD;
  if (!sig) {
    *sig_len = op.key->modulus_bytes;
    return CKR_OK;
  }
  if (*sig_len < op.key->modulus_bytes) {
    *sig_len = op.key->modulus_bytes;
    return CKR_BUFFER_TOO_SMALL;
  }
  Token& t = *slot.token;
  const Config& cfg = m.config;
  const bool signing = op.key->key_kind == static_cast<int>(esign::KeyKind::Signing);
  // From here on the operation ends, whatever happens (PKCS#11 v2.40 §5.11, C_Sign).
  std::optional<SignOp> done = std::move(s.sign);
  s.sign.reset();
  if ((signing && !done->context_login) || !t.logged_in) return CKR_USER_NOT_LOGGED_IN;
  auto di = digest_info_for(*done, data, one_shot);
  if (!di) {
    log(LogLevel::Warning, kComponent, "C_Sign: " + di.error().message);
    return CKR_DATA_INVALID;
  }
  if (signing && cfg.confirm_sign) {
    if (cfg.prompt.empty()) {
      log(LogLevel::Warning, kComponent,
          "confirm_sign is on but no prompt program is configured: signature refused");
      return CKR_FUNCTION_REJECTED;
    }
    if (!consent(cfg, {"sign", t.label, done->key->label})) {
      log(LogLevel::Info, kComponent,
          "signature with " + done->key->label + " refused by the prompt program");
      return CKR_FUNCTION_REJECTED;  // v2.40 §5.1.6: "The signature request is rejected by the user"
    }
  }
  auto e = t.session->esign();
  if (!e) return log_error(e.error(), "C_Sign");
  // The DNIe wants a fresh VERIFY before every signature: sign_digest_info sends it with the
  // context PIN (signing key) or the cached login PIN (authentication key), never spending the
  // last try (allow_last_try = false: the library's guard refuses it).
  auto r = (*e)->sign_digest_info(static_cast<esign::KeyKind>(done->key->key_kind), *di,
                                  signing ? done->context_pin : t.pin, false);
  if (!r) {
    if (!pin_refusal(r.error().code)) return log_error(r.error(), "C_Sign");
    if (signing) {
      log(LogLevel::Warning, kComponent,
          "C_Sign: the PIN given for this signature was not accepted again (" + r.error().to_string() +
              "): log in again (C_Login with CKU_CONTEXT_SPECIFIC)");
    } else {
      // Tries were spent elsewhere, or the PIN changed: the cached PIN is dropped.
      logout(slot);
      log(LogLevel::Warning, kComponent,
          "C_Sign: the PIN kept since C_Login was not re-sent or not accepted (" + r.error().to_string() +
              "); it was forgotten: log in again");
    }
    return CKR_USER_NOT_LOGGED_IN;
  }
  std::memcpy(sig, r->data(), r->size());
  *sig_len = static_cast<CK_ULONG>(r->size());
  return CKR_OK;
}

}  // namespace
}  // namespace dnie::p11

using namespace dnie;
using namespace dnie::p11;

extern "C" {

CK_RV C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
  return guarded([&](Module& m) {
    P11Session* s;
    Slot* slot;
    if (CK_RV rv = session_slot(m, h, s, slot); rv != CKR_OK) return rv;
    // PIN pads / protected authentication paths are not supported: the PIN is required.
    if (!pin) return CKR_ARGUMENTS_BAD;
    SecureBuffer p(ByteView(pin, pin_len));
    Token& t = *slot->token;
    if (user == CKU_CONTEXT_SPECIFIC) {
      if (!s->sign) return CKR_OPERATION_NOT_INITIALIZED;
      if (CK_RV rv = verify_login(m.config, t, p, s->sign->key->label); rv != CKR_OK) return rv;
      s->sign->context_pin = std::move(p);
      s->sign->context_login = true;
      return CKR_OK;
    }
    if (user == CKU_SO) return CKR_USER_TYPE_INVALID;  // the DNIe has no SO PIN
    if (user != CKU_USER) return CKR_USER_TYPE_INVALID;
    if (t.logged_in) return CKR_USER_ALREADY_LOGGED_IN;
    if (CK_RV rv = verify_login(m.config, t, p, "login"); rv != CKR_OK) return rv;
    t.pin = std::move(p);
    t.logged_in = true;
    return CKR_OK;
  });
}

CK_RV C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key) {
  return guarded([&](Module& m) {
    P11Session* s;
    Slot* slot;
    if (CK_RV rv = session_slot(m, h, s, slot); rv != CKR_OK) return rv;
    if (!mech) return CKR_ARGUMENTS_BAD;
    if (s->sign) return CKR_OPERATION_ACTIVE;
    const Object* o = find_object(*slot->token, key);
    if (!o || !visible(*slot->token, *o)) return CKR_KEY_HANDLE_INVALID;
    if (o->cls != CKO_PRIVATE_KEY) return CKR_KEY_FUNCTION_NOT_PERMITTED;
    SignOp op;
    op.mech = mech->mechanism;
    op.key = o;
    switch (mech->mechanism) {
      case CKM_RSA_PKCS:
        break;
      case CKM_SHA1_RSA_PKCS:
        op.hasher.emplace(crypto::HashAlg::Sha1);
        break;
      case CKM_SHA256_RSA_PKCS:
        op.hasher.emplace(crypto::HashAlg::Sha256);
        break;
      case CKM_SHA384_RSA_PKCS:
        op.hasher.emplace(crypto::HashAlg::Sha384);
        break;
      case CKM_SHA512_RSA_PKCS:
        op.hasher.emplace(crypto::HashAlg::Sha512);
        break;
      default:
        return CKR_MECHANISM_INVALID;
    }
    if (mech->pParameter || mech->ulParameterLen) return CKR_MECHANISM_PARAM_INVALID;
    s->sign.emplace(std::move(op));
    return CKR_OK;
  });
}

CK_RV C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len) {
  return guarded([&](Module& m) {
    P11Session* s;
    Slot* slot;
    if (CK_RV rv = session_slot(m, h, s, slot); rv != CKR_OK) return rv;
    if (!s->sign) return CKR_OPERATION_NOT_INITIALIZED;
    if (!data && len) return CKR_ARGUMENTS_BAD;
    return do_sign(m, *slot, *s, ByteView(data, len), true, sig, sig_len);
  });
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len) {
  return guarded([&](Module& m) {
    P11Session* s;
    Slot* slot;
    if (CK_RV rv = session_slot(m, h, s, slot); rv != CKR_OK) return rv;
    if (!s->sign) return CKR_OPERATION_NOT_INITIALIZED;
    if (!part && len) return CKR_ARGUMENTS_BAD;
    ByteView v(part, len);
    if (s->sign->hasher)
      s->sign->hasher->update(v);
    else
      s->sign->data.insert(s->sign->data.end(), v.begin(), v.end());
    return CKR_OK;
  });
}

CK_RV C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len) {
  return guarded([&](Module& m) {
    P11Session* s;
    Slot* slot;
    if (CK_RV rv = session_slot(m, h, s, slot); rv != CKR_OK) return rv;
    if (!s->sign) return CKR_OPERATION_NOT_INITIALIZED;
    return do_sign(m, *slot, *s, {}, false, sig, sig_len);
  });
}

}  // extern "C"
