// SPDX-License-Identifier: Apache-2.0
// libdnie-pkcs11.so: the DNIe as a PKCS#11 v2.40 token (docs/pkcs11.md). One global mutex
// serialises every call (CKF_OS_LOCKING_OK); no exception leaves a C_* function. This file:
// initialisation, slots, tokens, sessions and objects; login and signatures are in sign.cpp.
#include <cstdlib>

#include "dnie/bytes/log.hpp"
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

// A child after fork() must not touch what the parent's tokens hold: PC/SC handles and sockets
// belong to the parent (closing them here would close the parent's card connection). Their
// sessions are leaked on purpose; secrets are wiped.
void abandon_inherited_state(Module& m) {
  m.sessions.clear();
  for (auto& s : m.slots)
    if (s.token) (void)s.token->session.release();
  m.slots.clear();
  m.initialized = false;
}

}  // namespace

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

CK_RV session_slot(Module& m, CK_SESSION_HANDLE h, P11Session*& s, Slot*& slot) {
  s = find_session(m, h);
  if (!s) return CKR_SESSION_HANDLE_INVALID;
  slot = find_slot(m, s->slot);
  if (!slot || !slot->token) return CKR_DEVICE_REMOVED;
  return CKR_OK;
}

void logout(Slot& s) {
  if (!s.token) return;
  s.token->logged_in = false;
  s.token->pin.clear();
  if (auto e = s.token->session->esign()) (void)(*e)->close_channels();
}

}  // namespace dnie::p11

using namespace dnie;
using namespace dnie::p11;

extern "C" {

CK_RV C_Initialize(CK_VOID_PTR init_args) {
  try {
    Module& m = module();
    std::lock_guard<std::mutex> lock(m.mutex);
    if (m.initialized && m.pid == ::getpid()) return CKR_CRYPTOKI_ALREADY_INITIALIZED;
    if (init_args) {
      auto* a = static_cast<CK_C_INITIALIZE_ARGS*>(init_args);
      if (a->pReserved) return CKR_ARGUMENTS_BAD;
      const bool any = a->CreateMutex || a->DestroyMutex || a->LockMutex || a->UnlockMutex;
      const bool all = a->CreateMutex && a->DestroyMutex && a->LockMutex && a->UnlockMutex;
      if (any && !all) return CKR_ARGUMENTS_BAD;
      // We lock with the OS (std::mutex); application mutexes alone cannot be honoured.
      if (all && !(a->flags & CKF_OS_LOCKING_OK)) return CKR_CANT_LOCK;
    }
    if (m.initialized) abandon_inherited_state(m);  // a forked child initialising again
    m.config = load_config();
    install_log_sink(m.config);
    if (!m.config.file.empty()) log(LogLevel::Debug, kComponent, "configuration read from " + m.config.file);
    for (const auto& note : m.config.notes) log(LogLevel::Warning, kComponent, note);
    m.slots = discover_slots(m.config);
    m.sessions.clear();
    m.next_session = 1;
    m.pid = ::getpid();
    m.initialized = true;
    return CKR_OK;
  } catch (const std::bad_alloc&) {
    return CKR_HOST_MEMORY;
  } catch (...) {
    return CKR_GENERAL_ERROR;
  }
}

CK_RV C_Finalize(CK_VOID_PTR reserved) {
  if (reserved) return CKR_ARGUMENTS_BAD;
  return guarded([](Module& m) {
    m.sessions.clear();
    m.slots.clear();
    m.config = Config();
    m.initialized = false;
    remove_log_sink();
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
    if (CK_RV rv = open_token(*s, m.config); rv != CKR_OK) return rv;
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
    info->ulRwSessionCount = static_cast<CK_ULONG>(s->rw_sessions);
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
    if (CK_RV rv = open_token(*s, m.config); rv != CKR_OK) return rv;
    // R/W sessions are accepted although the token is write-protected: PKCS#11 v2.40 §3.2
    // (CK_TOKEN_INFO, CKF_WRITE_PROTECTED) leaves open which actions that forbids, and OpenSSH
    // and pkcs11-tool --test open R/W sessions only to sign. Every write through any session
    // returns CKR_TOKEN_WRITE_PROTECTED (functions.cpp).
    P11Session ps;
    ps.handle = m.next_session++;
    ps.slot = id;
    ps.flags = flags;
    *out = ps.handle;
    m.sessions.emplace(ps.handle, std::move(ps));
    ++s->sessions;
    if (flags & CKF_RW_SESSION) ++s->rw_sessions;
    return CKR_OK;
  });
}

static void close_one(Module& m, CK_SESSION_HANDLE h) {
  auto it = m.sessions.find(h);
  if (it == m.sessions.end()) return;
  Slot* s = find_slot(m, it->second.slot);
  const bool rw = (it->second.flags & CKF_RW_SESSION) != 0;
  m.sessions.erase(it);
  if (s && rw && s->rw_sessions > 0) --s->rw_sessions;
  if (s && --s->sessions <= 0) {
    s->sessions = 0;
    s->rw_sessions = 0;
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
    // A NULL value with a length is malformed (never compared: memcmp on NULL is undefined).
    for (CK_ULONG i = 0; i < count; ++i)
      if (!tmpl[i].pValue && tmpl[i].ulValueLen != 0) return CKR_ARGUMENTS_BAD;
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

}  // extern "C"
