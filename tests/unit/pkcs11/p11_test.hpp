// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the PKCS#11 module tests: the module loaded with dlopen, as an application
// would, and small wrappers over the function list.
#pragma once

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#define CRYPTOKI_COMPAT 1
#include <p11-kit/pkcs11.h>

#include "dnie/crypto/x509.hpp"

namespace p11test {

struct Module {
  void* lib = nullptr;
  CK_FUNCTION_LIST_PTR f = nullptr;
  Module() {
    lib = dlopen(DNIE_PKCS11_MODULE, RTLD_NOW | RTLD_LOCAL);
    REQUIRE_MESSAGE(lib != nullptr, dlerror());
    auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(lib, "C_GetFunctionList"));
    REQUIRE(reinterpret_cast<void*>(get) != nullptr);
    REQUIRE(get(&f) == CKR_OK);
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    REQUIRE(f->C_Initialize(&args) == CKR_OK);
  }
  ~Module() {
    if (f) f->C_Finalize(nullptr);
    if (lib) dlclose(lib);
  }
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  std::vector<CK_SLOT_ID> slots() const {
    CK_ULONG n = 0;
    REQUIRE(f->C_GetSlotList(CK_TRUE, nullptr, &n) == CKR_OK);
    std::vector<CK_SLOT_ID> ids(n);
    REQUIRE(f->C_GetSlotList(CK_TRUE, ids.data(), &n) == CKR_OK);
    ids.resize(n);
    return ids;
  }
  /// The only slot (the virtual card in these tests).
  CK_SLOT_ID slot() const {
    auto ids = slots();
    REQUIRE(ids.size() == 1);
    return ids[0];
  }
  CK_SESSION_HANDLE open(CK_FLAGS flags = CKF_SERIAL_SESSION) const {
    CK_SESSION_HANDLE s = 0;
    REQUIRE(f->C_OpenSession(slot(), flags, nullptr, nullptr, &s) == CKR_OK);
    return s;
  }
  CK_FLAGS token_flags() const {
    CK_TOKEN_INFO ti;
    REQUIRE(f->C_GetTokenInfo(slot(), &ti) == CKR_OK);
    return ti.flags;
  }
};

/// Sets (or, with nullptr, unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old, m_had = true;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (m_had)
      setenv(m_name.c_str(), m_old.c_str(), 1);
    else
      unsetenv(m_name.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string m_name, m_old;
  bool m_had = false;
};

inline CK_UTF8CHAR_PTR utf8(const char* s) { return reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(s)); }
inline CK_RV login(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_USER_TYPE u, const char* pin) {
  return f->C_Login(s, u, utf8(pin), static_cast<CK_ULONG>(std::strlen(pin)));
}

inline std::string text(const CK_UTF8CHAR* p, std::size_t n) {
  std::string s(reinterpret_cast<const char*>(p), n);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

inline std::vector<CK_OBJECT_HANDLE> find(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls) {
  CK_ATTRIBUTE t{CKA_CLASS, &cls, sizeof cls};
  REQUIRE(f->C_FindObjectsInit(s, &t, 1) == CKR_OK);
  std::vector<CK_OBJECT_HANDLE> out(16);
  CK_ULONG n = 0;
  REQUIRE(f->C_FindObjects(s, out.data(), out.size(), &n) == CKR_OK);
  REQUIRE(f->C_FindObjectsFinal(s) == CKR_OK);
  out.resize(n);
  return out;
}

inline std::vector<std::uint8_t> attr(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                                      CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE a{type, nullptr, 0};
  REQUIRE(f->C_GetAttributeValue(s, o, &a, 1) == CKR_OK);
  std::vector<std::uint8_t> v(a.ulValueLen);
  a.pValue = v.data();
  REQUIRE(f->C_GetAttributeValue(s, o, &a, 1) == CKR_OK);
  return v;
}

inline std::string label(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o) {
  auto v = attr(f, s, o, CKA_LABEL);
  return std::string(v.begin(), v.end());
}

/// The certificate whose CKA_ID equals the key's.
inline dnie::crypto::Certificate cert_for(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key) {
  auto id = attr(f, s, key, CKA_ID);
  for (auto c : find(f, s, CKO_CERTIFICATE)) {
    if (attr(f, s, c, CKA_ID) != id) continue;
    auto der = attr(f, s, c, CKA_VALUE);
    auto cert = dnie::crypto::Certificate::parse(dnie::ByteView(der.data(), der.size()));
    REQUIRE(cert.ok());
    return std::move(cert).value();
  }
  FAIL("no certificate for the key");
  throw 0;
}

inline CK_OBJECT_HANDLE key_named(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, const std::string& name) {
  for (auto k : find(f, s, CKO_PRIVATE_KEY))
    if (label(f, s, k) == name) return k;
  FAIL("no key " << name);
  return 0;
}

/// C_SignInit + C_Sign with a 256-byte buffer; returns the CK_RV and fills `sig`.
inline CK_RV sign(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE key,
                  const std::vector<std::uint8_t>& data, std::vector<std::uint8_t>* sig = nullptr,
                  const char* context_pin = nullptr) {
  CK_MECHANISM m{mech, nullptr, 0};
  if (CK_RV rv = f->C_SignInit(s, &m, key); rv != CKR_OK) return rv;
  if (context_pin)
    if (CK_RV rv = login(f, s, CKU_CONTEXT_SPECIFIC, context_pin); rv != CKR_OK) return rv;
  std::vector<std::uint8_t> out(512);
  CK_ULONG len = out.size();
  CK_RV rv = f->C_Sign(s, const_cast<CK_BYTE_PTR>(data.data()), data.size(), out.data(), &len);
  if (rv == CKR_OK && sig) *sig = std::vector<std::uint8_t>(out.begin(), out.begin() + len);
  return rv;
}

}  // namespace p11test
