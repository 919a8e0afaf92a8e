// SPDX-License-Identifier: Apache-2.0
// The module against hostile situations: a PIN counter at its last try, tries spent by another
// application while a login PIN is cached, inputs that would make the module guess, malformed
// templates, write requests on a write-protected token, and fork().
#include <sys/wait.h>
#include <unistd.h>

#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rsa.hpp"

#include "p11_test.hpp"

using namespace p11test;

namespace {
const char* kPin = "12345678";
const char* kWrong = "WRONG000";
const std::string kMsg = "Documento firmado con el DNIe";
std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }
}  // namespace

TEST_CASE("last try: the correct PIN is refused with CKR_PIN_LOCKED, not CKR_PIN_INCORRECT") {
  ScopedEnv no_consent("DNIE_ALLOW_LAST_TRY", nullptr);
  Module m;
  CK_FUNCTION_LIST_PTR f = m.f;
  CK_SESSION_HANDLE s = m.open();
  CHECK(login(f, s, CKU_USER, kWrong) == CKR_PIN_INCORRECT);  // 2 left
  CHECK(login(f, s, CKU_USER, kWrong) == CKR_PIN_INCORRECT);  // 1 left
  CHECK((m.token_flags() & CKF_USER_PIN_FINAL_TRY) != 0);
  // PKCS#11 v2.40 §5.1.6: CKR_PIN_LOCKED — the token is unwilling to permit further attempts.
  // CKR_PIN_INCORRECT here would tell the user that the correct PIN is wrong.
  CHECK(login(f, s, CKU_USER, kPin) == CKR_PIN_LOCKED);
  CHECK(login(f, s, CKU_USER, kWrong) == CKR_PIN_LOCKED);  // nothing sent either
  const CK_FLAGS flags = m.token_flags();
  CHECK((flags & CKF_USER_PIN_FINAL_TRY) != 0);  // still one try: nothing was sent
  CHECK((flags & CKF_USER_PIN_LOCKED) == 0);     // and the card is not blocked
}

TEST_CASE("cached login PIN: never spends the last try; a refusal drops it and asks for a new login") {
  for (const char* consent : {"1", static_cast<const char*>(nullptr)}) {
    CAPTURE(consent);
    // Even with consent to spend the last try (given for C_Login), the cached PIN must not.
    ScopedEnv allow("DNIE_ALLOW_LAST_TRY", consent);
    Module m;
    CK_FUNCTION_LIST_PTR f = m.f;
    CK_SESSION_HANDLE s = m.open();
    REQUIRE(login(f, s, CKU_USER, kPin) == CKR_OK);
    CK_OBJECT_HANDLE auth = key_named(f, s, "KprivAutenticacion");
    CK_OBJECT_HANDLE signing = key_named(f, s, "KprivFirmaDigital");
    std::vector<std::uint8_t> sig;
    REQUIRE(sign(f, s, CKM_SHA256_RSA_PKCS, auth, bytes(kMsg), &sig) == CKR_OK);

    // Another application spends two tries (here: wrong context-specific logins, which send
    // VERIFY like any other program would).
    CK_MECHANISM mech{CKM_SHA256_RSA_PKCS, nullptr, 0};
    REQUIRE(f->C_SignInit(s, &mech, signing) == CKR_OK);
    CHECK(login(f, s, CKU_CONTEXT_SPECIFIC, kWrong) == CKR_PIN_INCORRECT);
    CHECK(login(f, s, CKU_CONTEXT_SPECIFIC, kWrong) == CKR_PIN_INCORRECT);
    std::vector<std::uint8_t> dummy(256);
    CK_ULONG len = dummy.size();
    CHECK(f->C_Sign(s, dummy.data(), 1, dummy.data(), &len) == CKR_USER_NOT_LOGGED_IN);  // ends the op
    REQUIRE((m.token_flags() & CKF_USER_PIN_FINAL_TRY) != 0);

    // The cached PIN is not re-sent with one try left: "log in again".
    CHECK(sign(f, s, CKM_SHA256_RSA_PKCS, auth, bytes(kMsg)) == CKR_USER_NOT_LOGGED_IN);
    CHECK((m.token_flags() & CKF_USER_PIN_FINAL_TRY) != 0);  // the try was not spent
    CK_SESSION_INFO si;
    REQUIRE(f->C_GetSessionInfo(s, &si) == CKR_OK);
    CHECK(si.state == CKS_RO_PUBLIC_SESSION);  // the cached PIN is gone
    CHECK(find(f, s, CKO_PRIVATE_KEY).empty());
    CHECK(sign(f, s, CKM_SHA256_RSA_PKCS, auth, bytes(kMsg)) == CKR_KEY_HANDLE_INVALID);
    if (consent) {
      // A fresh login, with consent, may spend it (and resets the counter).
      REQUIRE(login(f, s, CKU_USER, kPin) == CKR_OK);
      CHECK((m.token_flags() & CKF_USER_PIN_FINAL_TRY) == 0);
    }
  }
}

TEST_CASE("CKM_RSA_PKCS takes a DER DigestInfo only: a bare hash is CKR_DATA_INVALID (no guessing)") {
  Module m;
  CK_FUNCTION_LIST_PTR f = m.f;
  CK_SESSION_HANDLE s = m.open();
  REQUIRE(login(f, s, CKU_USER, kPin) == CKR_OK);
  CK_OBJECT_HANDLE auth = key_named(f, s, "KprivAutenticacion");
  for (auto alg :
       {dnie::crypto::HashAlg::Sha1, dnie::crypto::HashAlg::Sha256, dnie::crypto::HashAlg::Sha512}) {
    const auto h = dnie::crypto::hash(alg, dnie::ByteView::of(kMsg));
    CAPTURE(h.size());
    CHECK(sign(f, s, CKM_RSA_PKCS, auth, std::vector<std::uint8_t>(h.begin(), h.end())) == CKR_DATA_INVALID);
    auto di = dnie::crypto::digest_info(alg, h);
    REQUIRE(di.ok());
    std::vector<std::uint8_t> sig;
    REQUIRE(sign(f, s, CKM_RSA_PKCS, auth, std::vector<std::uint8_t>(di->begin(), di->end()), &sig) ==
            CKR_OK);
    CHECK(cert_for(f, s, auth)
              .public_key()
              .rsa()
              ->verify_pkcs1_v15(alg, h, dnie::ByteView(sig.data(), sig.size()))
              .ok());
  }
  // A DigestInfo with trailing bytes, or of an unknown algorithm, is not signed either.
  auto di =
      dnie::crypto::digest_info(dnie::crypto::HashAlg::Sha256,
                                dnie::crypto::hash(dnie::crypto::HashAlg::Sha256, dnie::ByteView::of(kMsg)));
  std::vector<std::uint8_t> trailing(di->begin(), di->end());
  trailing.push_back(0);
  CHECK(sign(f, s, CKM_RSA_PKCS, auth, trailing) == CKR_DATA_INVALID);
  std::vector<std::uint8_t> md5_di = {0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                      0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10};
  md5_di.resize(md5_di.size() + 16, 0xAB);
  CHECK(sign(f, s, CKM_RSA_PKCS, auth, md5_di) == CKR_DATA_INVALID);
}

TEST_CASE("C_FindObjectsInit validates templates: NULL pValue with a length is CKR_ARGUMENTS_BAD") {
  Module m;
  CK_FUNCTION_LIST_PTR f = m.f;
  CK_SESSION_HANDLE s = m.open();
  // The length of CKA_CLASS values, so that a naive search would memcmp against NULL.
  CK_ATTRIBUTE null_value{CKA_CLASS, nullptr, sizeof(CK_OBJECT_CLASS)};
  CHECK(f->C_FindObjectsInit(s, &null_value, 1) == CKR_ARGUMENTS_BAD);
  CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
  CK_ATTRIBUTE two[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, nullptr, 29}};
  CHECK(f->C_FindObjectsInit(s, two, 2) == CKR_ARGUMENTS_BAD);
  CHECK(find(f, s, CKO_CERTIFICATE).size() == 3);  // no search was left active

  // Zero length: NULL or not, it matches only empty values (no certificate has an empty label).
  for (void* p : {static_cast<void*>(nullptr), static_cast<void*>(&cls)}) {
    CK_ATTRIBUTE empty[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_LABEL, p, 0}};
    REQUIRE(f->C_FindObjectsInit(s, empty, 2) == CKR_OK);
    CK_OBJECT_HANDLE h[8];
    CK_ULONG n = 99;
    REQUIRE(f->C_FindObjects(s, h, 8, &n) == CKR_OK);
    CHECK(n == 0);
    REQUIRE(f->C_FindObjectsFinal(s) == CKR_OK);
  }
  // A wrong length never matches (CKA_CLASS is a CK_ULONG).
  std::uint32_t short_cls = CKO_CERTIFICATE;
  CK_ATTRIBUTE short_t{CKA_CLASS, &short_cls, sizeof short_cls};
  REQUIRE(f->C_FindObjectsInit(s, &short_t, 1) == CKR_OK);
  CK_OBJECT_HANDLE h[8];
  CK_ULONG n = 99;
  REQUIRE(f->C_FindObjects(s, h, 8, &n) == CKR_OK);
  CHECK(n == 0);
  REQUIRE(f->C_FindObjectsFinal(s) == CKR_OK);
}

TEST_CASE("write-protected token: sessions need CKF_SERIAL_SESSION; every write is refused") {
  Module m;
  CK_FUNCTION_LIST_PTR f = m.f;
  CHECK((m.token_flags() & CKF_WRITE_PROTECTED) != 0);
  CK_SESSION_HANDLE s = 0;
  CHECK(f->C_OpenSession(m.slot(), 0, nullptr, nullptr, &s) == CKR_SESSION_PARALLEL_NOT_SUPPORTED);
  CHECK(f->C_OpenSession(m.slot(), CKF_RW_SESSION, nullptr, nullptr, &s) ==
        CKR_SESSION_PARALLEL_NOT_SUPPORTED);
  // R/W sessions open (OpenSSH and pkcs11-tool --test ask for one; PKCS#11 v2.40 §3.2 leaves
  // the meaning of CKF_WRITE_PROTECTED open), but nothing can be written through them.
  s = m.open(CKF_SERIAL_SESSION | CKF_RW_SESSION);
  CK_SESSION_INFO si;
  REQUIRE(f->C_GetSessionInfo(s, &si) == CKR_OK);
  CHECK(si.state == CKS_RW_PUBLIC_SESSION);
  CK_TOKEN_INFO ti;
  REQUIRE(f->C_GetTokenInfo(m.slot(), &ti) == CKR_OK);
  CHECK(ti.ulRwSessionCount == 1);
  CK_OBJECT_CLASS cls = CKO_DATA;
  CK_ATTRIBUTE t{CKA_CLASS, &cls, sizeof cls};
  CK_OBJECT_HANDLE o = 0;
  CHECK(f->C_CreateObject(s, &t, 1, &o) == CKR_TOKEN_WRITE_PROTECTED);
  auto certs = find(f, s, CKO_CERTIFICATE);
  REQUIRE(!certs.empty());
  CHECK(f->C_DestroyObject(s, certs[0]) == CKR_TOKEN_WRITE_PROTECTED);
  CHECK(f->C_SetAttributeValue(s, certs[0], &t, 1) == CKR_TOKEN_WRITE_PROTECTED);
  CHECK(f->C_CopyObject(s, certs[0], &t, 1, &o) == CKR_TOKEN_WRITE_PROTECTED);
  CK_MECHANISM gen{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE pub = 0, priv = 0;
  CHECK(f->C_GenerateKeyPair(s, &gen, nullptr, 0, nullptr, 0, &pub, &priv) == CKR_TOKEN_WRITE_PROTECTED);
  CHECK(f->C_CreateObject(0xDEAD, &t, 1, &o) == CKR_SESSION_HANDLE_INVALID);
  // A read-only session is read-only.
  CK_SESSION_HANDLE ro = m.open();
  REQUIRE(f->C_GetSessionInfo(ro, &si) == CKR_OK);
  CHECK(si.state == CKS_RO_PUBLIC_SESSION);
  CHECK(f->C_CreateObject(ro, &t, 1, &o) == CKR_TOKEN_WRITE_PROTECTED);
}

TEST_CASE("fork: the child gets CKR_CRYPTOKI_NOT_INITIALIZED until it calls C_Initialize") {
  Module m;
  CK_FUNCTION_LIST_PTR f = m.f;
  CK_SESSION_HANDLE s = m.open();
  REQUIRE(login(f, s, CKU_USER, kPin) == CKR_OK);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // No doctest in the child: the exit status carries one bit per failed check.
    int bad = 0;
    CK_ULONG n = 0;
    CK_SESSION_INFO si;
    CK_SESSION_HANDLE s2 = 0;
    if (f->C_GetSlotList(CK_TRUE, nullptr, &n) != CKR_CRYPTOKI_NOT_INITIALIZED) bad |= 1;
    if (f->C_GetSessionInfo(s, &si) != CKR_CRYPTOKI_NOT_INITIALIZED) bad |= 2;
    if (f->C_OpenSession(0, CKF_SERIAL_SESSION, nullptr, nullptr, &s2) != CKR_CRYPTOKI_NOT_INITIALIZED)
      bad |= 4;
    if (f->C_Finalize(nullptr) != CKR_CRYPTOKI_NOT_INITIALIZED) bad |= 8;
    if (f->C_Initialize(nullptr) != CKR_OK) bad |= 16;
    if (f->C_GetSlotList(CK_TRUE, nullptr, &n) != CKR_OK || n != 1) bad |= 32;
    if (f->C_GetSessionInfo(s, &si) != CKR_SESSION_HANDLE_INVALID) bad |= 64;  // parent's session
    if (f->C_Finalize(nullptr) != CKR_OK) bad |= 128;
    _exit(bad);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // The parent is untouched: still logged in.
  CK_SESSION_INFO si;
  REQUIRE(f->C_GetSessionInfo(s, &si) == CKR_OK);
  CHECK(si.state == CKS_RO_USER_FUNCTIONS);
  CHECK(sign(f, s, CKM_SHA256_RSA_PKCS, key_named(f, s, "KprivAutenticacion"), bytes(kMsg)) == CKR_OK);
}

TEST_CASE("an impostor card (ICC chain no trusted root signed) never gets the PIN through PKCS#11") {
  // docs/security.md: the module lists the impostor's public certificates, but C_Login and every
  // signature stop before any PIN command; the card's counter is untouched.
  for (const char* profile : {"impostor-r2", "impostor-test"}) {
    CAPTURE(profile);
    ScopedEnv p("DNIE_VCARD_PROFILE", profile);
    Module m;
    CK_FUNCTION_LIST_PTR f = m.f;
    CK_SESSION_HANDLE s = m.open();
    CHECK_FALSE(find(f, s, CKO_CERTIFICATE).empty());
    CHECK(login(f, s, CKU_USER, kPin) == CKR_DEVICE_ERROR);
    CHECK((m.token_flags() & CKF_USER_PIN_COUNT_LOW) == 0);
    CK_SESSION_INFO si;
    REQUIRE(f->C_GetSessionInfo(s, &si) == CKR_OK);
    CHECK(si.state == CKS_RO_PUBLIC_SESSION);
  }
}
