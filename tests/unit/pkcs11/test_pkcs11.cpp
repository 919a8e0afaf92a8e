// SPDX-License-Identifier: Apache-2.0
// libdnie-pkcs11.so loaded with dlopen, as an application would, and driven against the
// virtual card: slots, token, objects, login, signatures verified with the certificates.
#include <algorithm>
#include <atomic>
#include <thread>

#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rsa.hpp"

#include "p11_test.hpp"

using namespace p11test;

TEST_CASE("slots, token, mechanisms, objects and signatures through the function list") {
  Module m;
  CK_FUNCTION_LIST_PTR f = m.f;
  CK_INFO info;
  REQUIRE(f->C_GetInfo(&info) == CKR_OK);
  CHECK(info.cryptokiVersion.major == 2);

  CK_ULONG n = 0;
  REQUIRE(f->C_GetSlotList(CK_TRUE, nullptr, &n) == CKR_OK);
  REQUIRE(n == 1);
  CK_SLOT_ID slot = 99;
  REQUIRE(f->C_GetSlotList(CK_TRUE, &slot, &n) == CKR_OK);
  CK_SLOT_INFO si;
  REQUIRE(f->C_GetSlotInfo(slot, &si) == CKR_OK);
  CHECK(text(si.slotDescription, sizeof si.slotDescription) == "Virtual DNIe 3.0");
  CHECK((si.flags & CKF_TOKEN_PRESENT) != 0);

  CK_TOKEN_INFO ti;
  REQUIRE(f->C_GetTokenInfo(slot, &ti) == CKR_OK);
  const std::string tlabel = text(ti.label, sizeof ti.label);
  MESSAGE("token: " << tlabel << " serial " << text(ti.serialNumber, sizeof ti.serialNumber));
  CHECK(tlabel.rfind("DNI electrónico (", 0) == 0);
  CHECK(text(ti.manufacturerID, sizeof ti.manufacturerID) == "DGP-FNMT");
  CHECK(text(ti.serialNumber, sizeof ti.serialNumber).size() == 9);
  CHECK((ti.flags & CKF_LOGIN_REQUIRED) != 0);

  CK_MECHANISM_TYPE mechs[8];
  n = 8;
  REQUIRE(f->C_GetMechanismList(slot, mechs, &n) == CKR_OK);
  CHECK(n == 5);
  CK_MECHANISM_INFO mi;
  CHECK(f->C_GetMechanismInfo(slot, CKM_SHA256_RSA_PKCS, &mi) == CKR_OK);
  CHECK((mi.flags & CKF_SIGN) != 0);
  CHECK(f->C_GetMechanismInfo(slot, CKM_AES_CBC, &mi) == CKR_MECHANISM_INVALID);

  CK_SESSION_HANDLE s = 0;
  CHECK(f->C_OpenSession(slot, 0, nullptr, nullptr, &s) == CKR_SESSION_PARALLEL_NOT_SUPPORTED);
  REQUIRE(f->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &s) == CKR_OK);

  auto certs = find(f, s, CKO_CERTIFICATE);
  REQUIRE(certs.size() == 3);
  std::vector<std::string> labels;
  for (auto c : certs) labels.push_back(label(f, s, c));
  CHECK(std::count(labels.begin(), labels.end(), "CertAutenticacion") == 1);
  CHECK(std::count(labels.begin(), labels.end(), "CertFirmaDigital") == 1);
  CHECK(std::count(labels.begin(), labels.end(), "CertCAIntermediaDGP") == 1);
  CHECK(find(f, s, CKO_PRIVATE_KEY).empty());  // private objects need a login

  CHECK(f->C_Login(s, CKU_USER, reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>("WRONG000")), 8) ==
        CKR_PIN_INCORRECT);
  CK_UTF8CHAR pin[] = "12345678";
  REQUIRE(f->C_Login(s, CKU_USER, pin, 8) == CKR_OK);
  CHECK(f->C_Login(s, CKU_USER, pin, 8) == CKR_USER_ALREADY_LOGGED_IN);
  CK_SESSION_INFO sinfo;
  REQUIRE(f->C_GetSessionInfo(s, &sinfo) == CKR_OK);
  CHECK(sinfo.state == CKS_RO_USER_FUNCTIONS);

  REQUIRE(find(f, s, CKO_PRIVATE_KEY).size() == 2);
  CK_OBJECT_HANDLE auth = key_named(f, s, "KprivAutenticacion");
  CK_OBJECT_HANDLE sign = key_named(f, s, "KprivFirmaDigital");
  CHECK(attr(f, s, sign, CKA_ALWAYS_AUTHENTICATE) == std::vector<std::uint8_t>{CK_TRUE});
  CHECK(attr(f, s, auth, CKA_ALWAYS_AUTHENTICATE) == std::vector<std::uint8_t>{CK_FALSE});
  CHECK(attr(f, s, auth, CKA_SENSITIVE) == std::vector<std::uint8_t>{CK_TRUE});
  CHECK(attr(f, s, auth, CKA_MODULUS).size() == 256);
  {
    CK_ATTRIBUTE a{CKA_PRIVATE_EXPONENT, nullptr, 0};
    CHECK(f->C_GetAttributeValue(s, auth, &a, 1) == CKR_ATTRIBUTE_SENSITIVE);
    CHECK(a.ulValueLen == CK_UNAVAILABLE_INFORMATION);
  }

  const std::string msg = "Documento firmado con el DNIe";
  auto data = reinterpret_cast<CK_BYTE_PTR>(const_cast<char*>(msg.data()));
  const auto sha256 = dnie::crypto::hash(dnie::crypto::HashAlg::Sha256, dnie::ByteView::of(msg));

  SUBCASE("authentication key: CKM_SHA256_RSA_PKCS, one part; size query first") {
    CK_MECHANISM mech{CKM_SHA256_RSA_PKCS, nullptr, 0};
    REQUIRE(f->C_SignInit(s, &mech, auth) == CKR_OK);
    CK_ULONG len = 0;
    REQUIRE(f->C_Sign(s, data, msg.size(), nullptr, &len) == CKR_OK);
    CHECK(len == 256);
    std::vector<CK_BYTE> sig(len);
    REQUIRE(f->C_Sign(s, data, msg.size(), sig.data(), &len) == CKR_OK);
    auto cert = cert_for(f, s, auth);
    CHECK(cert.public_key()
              .rsa()
              ->verify_pkcs1_v15(dnie::crypto::HashAlg::Sha256, sha256, dnie::ByteView(sig.data(), len))
              .ok());
  }
  SUBCASE("signing key needs a context-specific login") {
    CK_MECHANISM mech{CKM_SHA256_RSA_PKCS, nullptr, 0};
    REQUIRE(f->C_SignInit(s, &mech, sign) == CKR_OK);
    std::vector<CK_BYTE> sig(256);
    CK_ULONG len = sig.size();
    CHECK(f->C_Sign(s, data, msg.size(), sig.data(), &len) == CKR_USER_NOT_LOGGED_IN);
    REQUIRE(f->C_SignInit(s, &mech, sign) == CKR_OK);
    REQUIRE(f->C_Login(s, CKU_CONTEXT_SPECIFIC, pin, 8) == CKR_OK);
    len = sig.size();
    REQUIRE(f->C_Sign(s, data, msg.size(), sig.data(), &len) == CKR_OK);
    auto cert = cert_for(f, s, sign);
    CHECK(cert.public_key()
              .rsa()
              ->verify_pkcs1_v15(dnie::crypto::HashAlg::Sha256, sha256, dnie::ByteView(sig.data(), len))
              .ok());
  }
  SUBCASE("multi-part CKM_SHA512_RSA_PKCS") {
    CK_MECHANISM mech{CKM_SHA512_RSA_PKCS, nullptr, 0};
    REQUIRE(f->C_SignInit(s, &mech, auth) == CKR_OK);
    REQUIRE(f->C_SignUpdate(s, data, 10) == CKR_OK);
    REQUIRE(f->C_SignUpdate(s, data + 10, msg.size() - 10) == CKR_OK);
    std::vector<CK_BYTE> sig(256);
    CK_ULONG len = 10;
    CHECK(f->C_SignFinal(s, sig.data(), &len) == CKR_BUFFER_TOO_SMALL);
    CHECK(len == 256);
    REQUIRE(f->C_SignFinal(s, sig.data(), &len) == CKR_OK);
    auto h = dnie::crypto::hash(dnie::crypto::HashAlg::Sha512, dnie::ByteView::of(msg));
    CHECK(cert_for(f, s, auth)
              .public_key()
              .rsa()
              ->verify_pkcs1_v15(dnie::crypto::HashAlg::Sha512, h, dnie::ByteView(sig.data(), len))
              .ok());
  }
  SUBCASE("CKM_RSA_PKCS with a DigestInfo; a bare hash is refused") {
    auto di = dnie::crypto::digest_info(dnie::crypto::HashAlg::Sha256, sha256);
    REQUIRE(di.ok());
    CK_MECHANISM mech{CKM_RSA_PKCS, nullptr, 0};
    REQUIRE(f->C_SignInit(s, &mech, auth) == CKR_OK);
    std::vector<CK_BYTE> sig(256);
    CK_ULONG len = sig.size();
    REQUIRE(f->C_Sign(s, const_cast<CK_BYTE_PTR>(di->data()), di->size(), sig.data(), &len) == CKR_OK);
    CHECK(cert_for(f, s, auth)
              .public_key()
              .rsa()
              ->verify_pkcs1_v15(dnie::crypto::HashAlg::Sha256, sha256, dnie::ByteView(sig.data(), len))
              .ok());
    REQUIRE(f->C_SignInit(s, &mech, auth) == CKR_OK);
    len = sig.size();
    CHECK(f->C_Sign(s, const_cast<CK_BYTE_PTR>(sha256.data()), sha256.size(), sig.data(), &len) ==
          CKR_DATA_INVALID);
  }
  SUBCASE("logout hides the keys and refuses signatures") {
    REQUIRE(f->C_Logout(s) == CKR_OK);
    CHECK(find(f, s, CKO_PRIVATE_KEY).empty());
    CK_MECHANISM mech{CKM_SHA256_RSA_PKCS, nullptr, 0};
    CHECK(f->C_SignInit(s, &mech, auth) == CKR_KEY_HANDLE_INVALID);
  }
  CHECK(f->C_CloseSession(s) == CKR_OK);
  CHECK(f->C_CloseSession(s) == CKR_SESSION_HANDLE_INVALID);
}

TEST_CASE("initialisation rules and unsupported functions") {
  Module m;
  CK_FUNCTION_LIST_PTR f = m.f;
  CHECK(f->C_Initialize(nullptr) == CKR_CRYPTOKI_ALREADY_INITIALIZED);
  CK_SESSION_HANDLE s = 0;
  CHECK(f->C_OpenSession(42, CKF_SERIAL_SESSION, nullptr, nullptr, &s) == CKR_SLOT_ID_INVALID);
  CHECK(f->C_GenerateRandom(0, nullptr, 0) == CKR_SESSION_HANDLE_INVALID);
  {
    CK_SESSION_HANDLE rs = m.open();
    CK_BYTE buf[8];
    CHECK(f->C_GenerateRandom(rs, buf, sizeof buf) == CKR_RANDOM_NO_RNG);  // CKF_RNG is clear
    CHECK(f->C_SeedRandom(rs, buf, sizeof buf) == CKR_RANDOM_NO_RNG);
    CHECK(f->C_CloseSession(rs) == CKR_OK);
  }
  CHECK(f->C_EncryptInit(0, nullptr, 0) == CKR_FUNCTION_NOT_SUPPORTED);
  REQUIRE(f->C_Finalize(nullptr) == CKR_OK);
  CK_ULONG n = 0;
  CHECK(f->C_GetSlotList(CK_FALSE, nullptr, &n) == CKR_CRYPTOKI_NOT_INITIALIZED);
  REQUIRE(f->C_Initialize(nullptr) == CKR_OK);
}

TEST_CASE("PIN counter: the last try is spent only with consent; blocked card") {
  SUBCASE("last try, with DNIE_ALLOW_LAST_TRY=1 (read at C_Initialize)") {
    ScopedEnv allow("DNIE_ALLOW_LAST_TRY", "1");
    Module m;
    CK_FUNCTION_LIST_PTR f = m.f;
    CK_SESSION_HANDLE s = m.open();
    CHECK(login(f, s, CKU_USER, "WRONG000") == CKR_PIN_INCORRECT);  // 2 left
    CHECK(login(f, s, CKU_USER, "WRONG000") == CKR_PIN_INCORRECT);  // 1 left
    CHECK((m.token_flags() & CKF_USER_PIN_FINAL_TRY) != 0);
    CHECK(login(f, s, CKU_USER, "12345678") == CKR_OK);
    CHECK((m.token_flags() & CKF_USER_PIN_FINAL_TRY) == 0);  // a correct VERIFY resets the counter
  }
  SUBCASE("last try, without consent: refused, nothing sent (test_pkcs11_hostile.cpp has more)") {
    ScopedEnv no("DNIE_ALLOW_LAST_TRY", nullptr);
    Module m;
    CK_FUNCTION_LIST_PTR f = m.f;
    CK_SESSION_HANDLE s = m.open();
    CHECK(login(f, s, CKU_USER, "WRONG000") == CKR_PIN_INCORRECT);
    CHECK(login(f, s, CKU_USER, "WRONG000") == CKR_PIN_INCORRECT);
    CHECK(login(f, s, CKU_USER, "12345678") == CKR_PIN_LOCKED);
    CHECK((m.token_flags() & CKF_USER_PIN_FINAL_TRY) != 0);  // the try was not spent
  }
  SUBCASE("blocked PIN") {
    ScopedEnv profile("DNIE_VCARD_PROFILE", "blocked-pin");
    Module m;
    CK_FUNCTION_LIST_PTR f = m.f;
    CK_SLOT_ID slot = 0;
    CK_ULONG n = 1;
    REQUIRE(f->C_GetSlotList(CK_TRUE, &slot, &n) == CKR_OK);
    CK_TOKEN_INFO ti;
    REQUIRE(f->C_GetTokenInfo(slot, &ti) == CKR_OK);
    CHECK((ti.flags & CKF_USER_PIN_LOCKED) != 0);
    CK_SESSION_HANDLE s = 0;
    REQUIRE(f->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &s) == CKR_OK);
    CK_UTF8CHAR pin[] = "12345678";
    CHECK(f->C_Login(s, CKU_USER, pin, 8) == CKR_PIN_LOCKED);
  }
}

TEST_CASE("concurrent sessions from several threads (one global lock)") {
  Module m;
  CK_FUNCTION_LIST_PTR f = m.f;
  CK_SLOT_ID slot = 0;
  CK_ULONG n = 1;
  REQUIRE(f->C_GetSlotList(CK_TRUE, &slot, &n) == CKR_OK);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        CK_SESSION_HANDLE s = 0;
        if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &s) != CKR_OK) {
          ++failures;
          continue;
        }
        CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
        CK_ATTRIBUTE a{CKA_CLASS, &cls, sizeof cls};
        CK_OBJECT_HANDLE h[8];
        CK_ULONG got = 0;
        if (f->C_FindObjectsInit(s, &a, 1) != CKR_OK || f->C_FindObjects(s, h, 8, &got) != CKR_OK ||
            got != 3 || f->C_FindObjectsFinal(s) != CKR_OK)
          ++failures;
        if (f->C_CloseSession(s) != CKR_OK) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures.load() == 0);
}
