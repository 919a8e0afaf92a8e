// SPDX-License-Identifier: Apache-2.0
// Private state of the PKCS#11 module (libdnie-pkcs11.so): slots, tokens, objects, sessions, and
// the one global lock every C_* function takes.
#pragma once

#define CRYPTOKI_COMPAT 1
#pragma GCC visibility push(default)
#include <p11-kit/pkcs11.h>
#pragma GCC visibility pop

#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <sys/types.h>
#include <unistd.h>
#include <vector>

#include "dnie/bytes/secure.hpp"
#include "dnie/card/session.hpp"
#include "dnie/crypto/hash.hpp"

#include "p11_config.hpp"

namespace dnie::p11 {

struct Object {
  CK_OBJECT_HANDLE handle = 0;
  CK_OBJECT_CLASS cls = CKO_DATA;
  bool is_private = false;
  int key_kind = 0;  // esign::KeyKind for private keys
  std::size_t modulus_bytes = 0;
  std::string label;
  std::map<CK_ATTRIBUTE_TYPE, Bytes> attrs;
};

struct Token {
  std::unique_ptr<Session> session;
  std::vector<Object> objects;
  std::string label, serial;
  bool logged_in = false;
  // The login PIN, kept (wiped) from C_Login until C_Logout, the last session's close,
  // C_Finalize, card removal, fork, or the card refusing it: the authentication key needs a
  // VERIFY per signature. It never spends the last try (docs/pkcs11.md "PIN and signatures").
  SecureBuffer pin;
};

/// Why a contactless card's token is not opened again until the card is presented anew (or the
/// application calls C_Initialize): a configured CAN the card refused is never retried.
enum class CanBlock { None, WrongConfiguredCan, PromptDeclined };

struct Slot {
  CK_SLOT_ID id = 0;
  std::string spec;         // Session reader spec
  std::string description;  // CK_SLOT_INFO
  bool is_virtual = false;
  bool removable = true;
  std::unique_ptr<Token> token;  // opened lazily
  int sessions = 0, rw_sessions = 0;
  CanBlock can_block = CanBlock::None;
  bool can_was_wrong = false;    // the last CAN (from the prompt) was refused: say so when asking
  bool can_hint_logged = false;  // "needs its CAN" logged once per card, not at every poll
};

struct SignOp {
  CK_MECHANISM_TYPE mech = 0;
  const Object* key = nullptr;
  std::optional<crypto::Hasher> hasher;  // CKM_SHAx_RSA_PKCS
  Bytes data;                            // CKM_RSA_PKCS
  bool context_login = false;
  SecureBuffer context_pin;
};

struct P11Session {
  CK_SESSION_HANDLE handle = 0;
  CK_SLOT_ID slot = 0;
  CK_FLAGS flags = 0;
  bool finding = false;
  std::vector<CK_OBJECT_HANDLE> found;
  std::size_t found_pos = 0;
  std::optional<SignOp> sign;
};

struct Module {
  std::mutex mutex;
  bool initialized = false;
  pid_t pid = 0;  // of the process that called C_Initialize: a forked child must call it again
  Config config;
  std::vector<Slot> slots;
  std::map<CK_SESSION_HANDLE, P11Session> sessions;
  CK_SESSION_HANDLE next_session = 1;
};

Module& module();

/// Runs `f(Module&)` under the module lock; CKR_CRYPTOKI_NOT_INITIALIZED before C_Initialize and
/// in a child after fork() until it calls C_Initialize (PKCS#11 v2.40 Usage Guide, "Applications
/// and processes"). No exception leaves.
template <class F>
CK_RV guarded(F&& f) noexcept {
  try {
    Module& m = module();
    std::lock_guard<std::mutex> lock(m.mutex);
    if (!m.initialized || m.pid != ::getpid()) return CKR_CRYPTOKI_NOT_INITIALIZED;
    return f(m);
  } catch (const std::bad_alloc&) {
    return CKR_HOST_MEMORY;
  } catch (...) {
    return CKR_GENERAL_ERROR;
  }
}

Slot* find_slot(Module& m, CK_SLOT_ID id);
P11Session* find_session(Module& m, CK_SESSION_HANDLE h);
const Object* find_object(const Token& t, CK_OBJECT_HANDLE h);
/// The session and its slot (with an open token), or the CK_RV to return.
CK_RV session_slot(Module& m, CK_SESSION_HANDLE h, P11Session*& s, Slot*& slot);
/// Private objects are visible after C_Login only.
inline bool visible(const Token& t, const Object& o) { return !o.is_private || t.logged_in; }
/// Forgets the login (the cached PIN is wiped) and drops the card's secure channels.
void logout(Slot& s);

}  // namespace dnie::p11
