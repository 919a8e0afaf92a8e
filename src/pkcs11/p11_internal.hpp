// SPDX-License-Identifier: Apache-2.0
// Private state of the PKCS#11 module (libdnie-pkcs11.so): slots, tokens, objects, sessions.
#pragma once

#define CRYPTOKI_COMPAT 1
#pragma GCC visibility push(default)
#include <p11-kit/pkcs11.h>
#pragma GCC visibility pop

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dnie/bytes/secure.hpp"
#include "dnie/card/session.hpp"
#include "dnie/crypto/hash.hpp"

namespace dnie::p11 {

struct Object {
  CK_OBJECT_HANDLE handle = 0;
  CK_OBJECT_CLASS cls = CKO_DATA;
  bool is_private = false;
  int key_kind = 0;  // esign::KeyKind for private keys
  std::size_t modulus_bytes = 0;
  std::map<CK_ATTRIBUTE_TYPE, Bytes> attrs;
};

struct Token {
  std::unique_ptr<Session> session;
  std::vector<Object> objects;
  std::string label, serial;
  bool logged_in = false;
  SecureBuffer pin;  // cached login PIN (wiped): the auth key needs a VERIFY per signature
};

struct Slot {
  CK_SLOT_ID id = 0;
  std::string spec;         // Session reader spec
  std::string description;  // CK_SLOT_INFO
  bool is_virtual = false;
  bool removable = true;
  std::unique_ptr<Token> token;  // opened lazily
  int sessions = 0;
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
  std::vector<Slot> slots;
  std::map<CK_SESSION_HANDLE, P11Session> sessions;
  CK_SESSION_HANDLE next_session = 1;
};

Module& module();

}  // namespace dnie::p11
