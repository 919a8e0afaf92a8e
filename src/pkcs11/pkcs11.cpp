// SPDX-License-Identifier: Apache-2.0
// libdnie-pkcs11.so: the DNIe as a PKCS#11 v2.40 token (docs/pkcs11.md). One global mutex
// serialises every call (CKF_OS_LOCKING_OK); no exception leaves a C_* function.
#include <cstdlib>

#include "dnie/bytes/log.hpp"
#include "dnie/crypto/rsa.hpp"
#include "dnie/version.hpp"

#include "p11_token.hpp"

namespace dnie::p11 {

Module& module() {
  static Module m;
  return m;
}

namespace {
constexpr const char* kComponent = "pkcs11";

const CK_MECHANISM_TYPE kMechs[] = {CKM_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS,
                                    CKM_SHA512_RSA_PKCS};

bool allow_last_try() {
  const char* v = std::getenv("DNIE_ALLOW_LAST_TRY");
  return v && std::string(v) == "1";
}

template <class F>
CK_RV guarded(F&& f) noexcept {
  try {
    Module& m = module();
    std::lock_guard<std::mutex> lock(m.mutex);
    if (!m.initialized) return CKR_CRYPTOKI_NOT_INITIALIZED;
    return f(m);
  } catch (const std::bad_alloc&) {
    return CKR_HOST_MEMORY;
  } catch (...) {
    return CKR_GENERAL_ERROR;
  }
}

Slot* find_slot(Module& m, CK_SLOT_ID id) {
  for (auto& s : m.slots)
    if (s.id == id) return &s;
  return nullptr;
}

P11Session* find_session(Module& m, CK_SESSION_HANDLE h) {
  auto it = m.sessions.find(h);
  return it == m.sessions.end() ? nullptr : &it->second;
}

const Object* find_object(const Token& t, CK_OBJECT_HANDLE h) {
  for (const auto& o : t.objects)
    if (o.handle == h) return &o;
  return nullptr;
}

bool visible(const Token& t, const Object& o) { return !o.is_private || t.logged_in; }

void logout(Slot& s) {
  if (!s.token) return;
  s.token->logged_in = false;
  s.token->pin = SecureBuffer();
  if (auto e = s.token->session->esign()) (void)(*e)->close_channels();
}

CK_RV verify_pin(Token& t, const SecureBuffer& pin) {
  auto e = t.session->esign();
  if (!e) return log_error(e.error(), "C_Login");
  Status st = (*e)->verify_pin(pin, allow_last_try());
  if (st) return CKR_OK;
  if (st.error().code == ErrorCode::LastTryRefused)
    log(LogLevel::Warning, kComponent,
        "one PIN try left: refused without consent (set DNIE_ALLOW_LAST_TRY=1 to spend it)");
  if (st.error().code == ErrorCode::InvalidArgument) return CKR_PIN_LEN_RANGE;
  return log_error(st.error(), "C_Login");
}

// The DigestInfo to sign for the operation.
Result<Bytes> digest_info_for(SignOp& op, ByteView data, bool one_shot) {
  if (op.mech == CKM_RSA_PKCS) {
    Bytes in = one_shot ? Bytes(data.begin(), data.end()) : op.data;
    if (crypto::parse_digest_info(in)) return in;
    // A bare hash: wrapped in the DigestInfo of the algorithm of that length.
    for (auto alg : {crypto::HashAlg::Sha1, crypto::HashAlg::Sha224, crypto::HashAlg::Sha256,
                     crypto::HashAlg::Sha384, crypto::HashAlg::Sha512})
      if (crypto::hash_size(alg) == in.size()) return crypto::digest_info(alg, in);
    return Error(ErrorCode::InvalidArgument, "CKM_RSA_PKCS input is neither a DigestInfo nor a SHA-1/2 hash");
  }
  if (one_shot) op.hasher->update(data);
  Bytes h = op.hasher->finish();
  return crypto::digest_info(op.hasher->alg(), h);
}

CK_RV do_sign(Slot& slot, P11Session& s, ByteView data, bool one_shot, CK_BYTE_PTR sig,
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
  const bool signing = op.key->key_kind == 2;
  if (signing && !op.context_login) {
    s.sign.reset();
    return CKR_USER_NOT_LOGGED_IN;
  }
  if (!t.logged_in) {
    s.sign.reset();
    return CKR_USER_NOT_LOGGED_IN;
  }
  auto di = digest_info_for(op, data, one_shot);
  if (!di) {
    s.sign.reset();
    return CKR_DATA_INVALID;
  }
  auto e = t.session->esign();
  if (!e) {
    s.sign.reset();
    return log_error(e.error(), "C_Sign");
  }
  // The DNIe wants a fresh VERIFY before every signature: sign_digest_info sends it with the
  // context PIN (signing key) or the cached login PIN (authentication key).
  auto r = (*e)->sign_digest_info(static_cast<esign::KeyKind>(op.key->key_kind), *di,
                                  signing ? op.context_pin : t.pin, allow_last_try());
  s.sign.reset();
  if (!r) return log_error(r.error(), "C_Sign");
  std::memcpy(sig, r->data(), r->size());
  *sig_len = r->size();
  return CKR_OK;
}

CK_RV session_slot(Module& m, CK_SESSION_HANDLE h, P11Session*& s, Slot*& slot) {
  s = find_session(m, h);
  if (!s) return CKR_SESSION_HANDLE_INVALID;
  slot = find_slot(m, s->slot);
  if (!slot || !slot->token) return CKR_DEVICE_REMOVED;
  return CKR_OK;
}

}  // namespace
}  // namespace dnie::p11

using namespace dnie;
using namespace dnie::p11;

extern "C" {

CK_RV C_Initialize(CK_VOID_PTR init_args) {
  try {
    Module& m = module();
    std::lock_guard<std::mutex> lock(m.mutex);
    if (m.initialized) return CKR_CRYPTOKI_ALREADY_INITIALIZED;
    if (init_args) {
      auto* a = static_cast<CK_C_INITIALIZE_ARGS*>(init_args);
      if (a->pReserved) return CKR_ARGUMENTS_BAD;
      const bool any = a->CreateMutex || a->DestroyMutex || a->LockMutex || a->UnlockMutex;
      const bool all = a->CreateMutex && a->DestroyMutex && a->LockMutex && a->UnlockMutex;
      if (any && !all) return CKR_ARGUMENTS_BAD;
      // We lock with the OS (std::mutex); application mutexes alone cannot be honoured.
      if (all && !(a->flags & CKF_OS_LOCKING_OK)) return CKR_CANT_LOCK;
    }
    m.slots = discover_slots();
    m.sessions.clear();
    m.next_session = 1;
    m.initialized = true;
    return CKR_OK;
  } catch (...) {
    return CKR_GENERAL_ERROR;
  }
}

CK_RV C_Finalize(CK_VOID_PTR reserved) {
  if (reserved) return CKR_ARGUMENTS_BAD;
  return guarded([](Module& m) {
    m.sessions.clear();
    m.slots.clear();
    m.initialized = false;
    return CKR_OK;
  });
}

CK_RV C_GetInfo(CK_INFO_PTR info) {
  return guarded([&](Module&) {
    if (!info) return CKR_ARGUMENTS_BAD;
    std::memset(info, 0, sizeof *info);
    info->cryptokiVersion.major = 2;
    info->cryptokiVersion.minor = 40;
    pad(info->manufacturerID, sizeof info->manufacturerID, "DNIe SDK");
    pad(info->libraryDescription, sizeof info->libraryDescription, "DNIe 3.0 PKCS#11 module");
    info->libraryVersion.major = DNIE_VERSION_MAJOR;
    info->libraryVersion.minor = DNIE_VERSION_MINOR;
    return CKR_OK;
  });
}

CK_RV C_GetSlotList(CK_BBOOL token_present_only, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  return guarded([&](Module& m) {
    if (!count) return CKR_ARGUMENTS_BAD;
    std::vector<CK_SLOT_ID> ids;
    for (auto& s : m.slots)
      if (!token_present_only || token_present(s)) ids.push_back(s.id);
    if (!list) {
      *count = ids.size();
      return CKR_OK;
    }
    if (*count < ids.size()) {
      *count = ids.size();
      return CKR_BUFFER_TOO_SMALL;
    }
    for (std::size_t i = 0; i < ids.size(); ++i) list[i] = ids[i];
    *count = ids.size();
    return CKR_OK;
  });
}

CK_RV C_GetSlotInfo(CK_SLOT_ID id, CK_SLOT_INFO_PTR info) {
  return guarded([&](Module& m) {
    if (!info) return CKR_ARGUMENTS_BAD;
    Slot* s = find_slot(m, id);
    if (!s) return CKR_SLOT_ID_INVALID;
    std::memset(info, 0, sizeof *info);
    pad(info->slotDescription, sizeof info->slotDescription, s->description);
    pad(info->manufacturerID, sizeof info->manufacturerID, s->is_virtual ? "DNIe SDK" : "PC/SC");
    info->flags =
        CKF_HW_SLOT | (s->removable ? CKF_REMOVABLE_DEVICE : 0) | (token_present(*s) ? CKF_TOKEN_PRESENT : 0);
    return CKR_OK;
  });
}

CK_RV C_GetTokenInfo(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info) {
  return guarded([&](Module& m) {
    if (!info) return CKR_ARGUMENTS_BAD;
    Slot* s = find_slot(m, id);
    if (!s) return CKR_SLOT_ID_INVALID;
    if (!token_present(*s)) return CKR_TOKEN_NOT_PRESENT;
    if (Status st = open_token(*s); !st) return log_error(st.error(), "opening the card");
    Token& t = *s->token;
    std::memset(info, 0, sizeof *info);
    pad(info->label, sizeof info->label, t.label);
    pad(info->manufacturerID, sizeof info->manufacturerID, "DGP-FNMT");
    pad(info->model, sizeof info->model, "DNIe 3.0");
    pad(info->serialNumber, sizeof info->serialNumber, t.serial);
    info->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_WRITE_PROTECTED;
    if (auto e = t.session->esign()) {
      if (auto n = (*e)->tries_left()) {
        if (*n == 1)
          info->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
        else if (*n == 0)
          info->flags |= CKF_USER_PIN_LOCKED;
        else if (*n > 0 && *n < 3)
          info->flags |= CKF_USER_PIN_COUNT_LOW;
      } else if (n.error().code == ErrorCode::PinBlocked || n.error().code == ErrorCode::PinSuspended) {
        info->flags |= CKF_USER_PIN_LOCKED;
      }
    }
    info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
    info->ulSessionCount = static_cast<CK_ULONG>(s->sessions);
    info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
    info->ulRwSessionCount = 0;
    info->ulMaxPinLen = 16;
    info->ulMinPinLen = 8;
    info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->hardwareVersion.major = 3;
    info->firmwareVersion.major = 3;
    return CKR_OK;
  });
}

CK_RV C_GetMechanismList(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
  return guarded([&](Module& m) {
    if (!count) return CKR_ARGUMENTS_BAD;
    if (!find_slot(m, id)) return CKR_SLOT_ID_INVALID;
    const CK_ULONG n = sizeof kMechs / sizeof kMechs[0];
    if (!list) {
      *count = n;
      return CKR_OK;
    }
    if (*count < n) {
      *count = n;
      return CKR_BUFFER_TOO_SMALL;
    }
    for (CK_ULONG i = 0; i < n; ++i) list[i] = kMechs[i];
    *count = n;
    return CKR_OK;
  });
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID id, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
  return guarded([&](Module& m) {
    if (!info) return CKR_ARGUMENTS_BAD;
    if (!find_slot(m, id)) return CKR_SLOT_ID_INVALID;
    for (auto mech : kMechs) {
      if (mech != type) continue;
      info->ulMinKeySize = 1024;
      info->ulMaxKeySize = 2048;
      info->flags = CKF_HW | CKF_SIGN;
      return CKR_OK;
    }
    return CKR_MECHANISM_INVALID;
  });
}

CK_RV C_OpenSession(CK_SLOT_ID id, CK_FLAGS flags, CK_VOID_PTR, CK_NOTIFY, CK_SESSION_HANDLE_PTR out) {
  return guarded([&](Module& m) {
    if (!out) return CKR_ARGUMENTS_BAD;
    if (!(flags & CKF_SERIAL_SESSION)) return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    Slot* s = find_slot(m, id);
    if (!s) return CKR_SLOT_ID_INVALID;
    if (!token_present(*s)) return CKR_TOKEN_NOT_PRESENT;
    if (Status st = open_token(*s); !st) return log_error(st.error(), "opening the card");
    P11Session ps;
    ps.handle = m.next_session++;
    ps.slot = id;
    ps.flags = flags;
    *out = ps.handle;
    m.sessions.emplace(ps.handle, std::move(ps));
    ++s->sessions;
    return CKR_OK;
  });
}

static void close_one(Module& m, CK_SESSION_HANDLE h) {
  auto it = m.sessions.find(h);
  if (it == m.sessions.end()) return;
  Slot* s = find_slot(m, it->second.slot);
  m.sessions.erase(it);
  if (s && --s->sessions <= 0) {
    s->sessions = 0;
    logout(*s);  // closing the last session logs the user out (PKCS#11 §5.6)
  }
}

CK_RV C_CloseSession(CK_SESSION_HANDLE h) {
  return guarded([&](Module& m) {
    if (!find_session(m, h)) return CKR_SESSION_HANDLE_INVALID;
    close_one(m, h);
    return CKR_OK;
  });
}

CK_RV C_CloseAllSessions(CK_SLOT_ID id) {
  return guarded([&](Module& m) {
    if (!find_slot(m, id)) return CKR_SLOT_ID_INVALID;
    std::vector<CK_SESSION_HANDLE> hs;
    for (auto& [h, s] : m.sessions)
      if (s.slot == id) hs.push_back(h);
    for (auto h : hs) close_one(m, h);
    return CKR_OK;
  });
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info) {
  return guarded([&](Module& m) {
    if (!info) return CKR_ARGUMENTS_BAD;
    P11Session* s;
    Slot* slot;
    if (CK_RV rv = session_slot(m, h, s, slot); rv != CKR_OK) return rv;
    const bool rw = (s->flags & CKF_RW_SESSION) != 0;
    info->slotID = s->slot;
    info->flags = s->flags;
    info->ulDeviceError = 0;
    info->state = slot->token->logged_in ? (rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS)
                                         : (rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION);
    return CKR_OK;
  });
}

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
      if (CK_RV rv = verify_pin(t, p); rv != CKR_OK) return rv;
      s->sign->context_pin = std::move(p);
      s->sign->context_login = true;
      return CKR_OK;
    }
    if (user == CKU_SO) return CKR_USER_TYPE_INVALID;  // the DNIe has no SO PIN
    if (user != CKU_USER) return CKR_USER_TYPE_INVALID;
    if (t.logged_in) return CKR_USER_ALREADY_LOGGED_IN;
    if (CK_RV rv = verify_pin(t, p); rv != CKR_OK) return rv;
    t.pin = std::move(p);
    t.logged_in = true;
    return CKR_OK;
  });
}

CK_RV C_Logout(CK_SESSION_HANDLE h) {
  return guarded([&](Module& m) {
    P11Session* s;
    Slot* slot;
    if (CK_RV rv = session_slot(m, h, s, slot); rv != CKR_OK) return rv;
    if (!slot->token->logged_in) return CKR_USER_NOT_LOGGED_IN;
    logout(*slot);
    return CKR_OK;
  });
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
  return guarded([&](Module& m) {
    P11Session* s;
    Slot* slot;
    if (CK_RV rv = session_slot(m, h, s, slot); rv != CKR_OK) return rv;
    if (s->finding) return CKR_OPERATION_ACTIVE;
    if (count && !tmpl) return CKR_ARGUMENTS_BAD;
    s->found.clear();
    s->found_pos = 0;
    for (const auto& o : slot->token->objects) {
      if (!visible(*slot->token, o)) continue;
      bool match = true;
      for (CK_ULONG i = 0; i < count && match; ++i) {
        auto it = o.attrs.find(tmpl[i].type);
        match = it != o.attrs.end() && it->second.size() == tmpl[i].ulValueLen &&
                (tmpl[i].ulValueLen == 0 ||
                 std::memcmp(it->second.data(), tmpl[i].pValue, tmpl[i].ulValueLen) == 0);
      }
      if (match) s->found.push_back(o.handle);
    }
    s->finding = true;
    return CKR_OK;
  });
}

CK_RV C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR count) {
  return guarded([&](Module& m) {
    P11Session* s = find_session(m, h);
    if (!s) return CKR_SESSION_HANDLE_INVALID;
    if (!s->finding) return CKR_OPERATION_NOT_INITIALIZED;
    if (!count || (max && !out)) return CKR_ARGUMENTS_BAD;
    CK_ULONG n = 0;
    while (n < max && s->found_pos < s->found.size()) out[n++] = s->found[s->found_pos++];
    *count = n;
    return CKR_OK;
  });
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE h) {
  return guarded([&](Module& m) {
    P11Session* s = find_session(m, h);
    if (!s) return CKR_SESSION_HANDLE_INVALID;
    if (!s->finding) return CKR_OPERATION_NOT_INITIALIZED;
    s->finding = false;
    s->found.clear();
    return CKR_OK;
  });
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
  return guarded([&](Module& m) {
    P11Session* s;
    Slot* slot;
    if (CK_RV rv = session_slot(m, h, s, slot); rv != CKR_OK) return rv;
    if (count && !tmpl) return CKR_ARGUMENTS_BAD;
    const Object* o = find_object(*slot->token, obj);
    if (!o || !visible(*slot->token, *o)) return CKR_OBJECT_HANDLE_INVALID;
    CK_RV result = CKR_OK;
    for (CK_ULONG i = 0; i < count; ++i) {
      CK_ATTRIBUTE& a = tmpl[i];
      auto it = o->attrs.find(a.type);
      if (it == o->attrs.end()) {
        const bool secret =
            o->cls == CKO_PRIVATE_KEY &&
            (a.type == CKA_PRIVATE_EXPONENT || a.type == CKA_PRIME_1 || a.type == CKA_PRIME_2 ||
             a.type == CKA_EXPONENT_1 || a.type == CKA_EXPONENT_2 || a.type == CKA_COEFFICIENT);
        a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
        result = secret ? CKR_ATTRIBUTE_SENSITIVE : (result == CKR_OK ? CKR_ATTRIBUTE_TYPE_INVALID : result);
        continue;
      }
      if (!a.pValue) {
        a.ulValueLen = it->second.size();
      } else if (a.ulValueLen < it->second.size()) {
        a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
        result = CKR_BUFFER_TOO_SMALL;
      } else {
        if (!it->second.empty()) std::memcpy(a.pValue, it->second.data(), it->second.size());
        a.ulValueLen = it->second.size();
      }
    }
    return result;
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
    return do_sign(*slot, *s, ByteView(data, len), true, sig, sig_len);
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
    return do_sign(*slot, *s, {}, false, sig, sig_len);
  });
}

}  // extern "C"
