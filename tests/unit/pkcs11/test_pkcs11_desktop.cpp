// SPDX-License-Identifier: Apache-2.0
// The module on a desktop: the virtual card only when turned on, the per-user configuration file
// (permissions, precedence), the CAN (missing, malformed, wrong), the prompt program, the log
// sink (and what it must never contain), and the public-key objects.
#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "dnie/crypto/rsa.hpp"

#include "p11_test.hpp"

using namespace p11test;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/dnie-p11-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { (void)!std::system(("rm -rf '" + path + "'").c_str()); }
  std::string file(const std::string& name) const { return path + "/" + name; }
  void write(const std::string& name, const std::string& text, mode_t mode = 0600) const {
    const std::string p = file(name);
    (void)!std::system(("mkdir -p \"$(dirname '" + p + "')\"").c_str());
    std::ofstream(p, std::ios::trunc) << text;
    REQUIRE(chmod(p.c_str(), mode) == 0);
  }
  std::string read(const std::string& name) const {
    std::ifstream in(file(name));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

CK_RV token_rv(const Module& m) {
  CK_TOKEN_INFO ti;
  auto ids = m.slots();
  REQUIRE(ids.size() == 1);
  return m.f->C_GetTokenInfo(ids[0], &ti);
}

const std::string kPrompt = std::string(DNIE_P11_TEST_DIR) + "/prompt_fixture.sh";

}  // namespace

TEST_CASE("the virtual card is listed only when turned on, and only when its image exists") {
  TempDir d;
  ScopedEnv log("DNIE_PKCS11_LOG_FILE", d.file("log").c_str());
  {
    ScopedEnv off("DNIE_PKCS11_VIRTUAL", nullptr);
    Module m;
    CHECK(m.slots().empty());  // a fresh NSS database (Firefox) sees no test token
  }
  {
    ScopedEnv off("DNIE_PKCS11_VIRTUAL", "off");
    Module m;
    CHECK(m.slots().empty());
  }
  {
    ScopedEnv images("DNIE_VCARD_IMAGES", d.path.c_str());  // no images there
    Module m;
    CHECK(m.slots().empty());
    CHECK(d.read("log").find("is missing") != std::string::npos);
  }
  {
    ScopedEnv profile("DNIE_VCARD_PROFILE", "no-such-profile");
    Module m;
    CHECK(m.slots().empty());
  }
  Module m;
  CHECK(m.slots().size() == 1);
}

TEST_CASE("per-user configuration file: mode 0600 and ours, or ignored; the environment overrides it") {
  TempDir d;
  ScopedEnv xdg("XDG_CONFIG_HOME", d.path.c_str());
  ScopedEnv virt("DNIE_PKCS11_VIRTUAL", nullptr);
  ScopedEnv can("DNIE_CAN", nullptr);
  ScopedEnv log("DNIE_PKCS11_LOG_FILE", d.file("log").c_str());
  const std::string conf = "# the DNIe module\nvirtual = on\ncan = 123456\nfavourite_colour = blue\n";

  d.write("dnie/pkcs11.conf", conf, 0644);
  {
    Module m;
    CHECK(m.slots().empty());
    CHECK(d.read("log").find("readable or writable by others") != std::string::npos);
  }
  REQUIRE(chmod(d.file("dnie/pkcs11.conf").c_str(), 0600) == 0);
  {
    Module m;
    REQUIRE(m.slots().size() == 1);
    CHECK(token_rv(m) == CKR_OK);  // the CAN came from the file
    CHECK(d.read("log").find("unknown key 'favourite_colour'") != std::string::npos);
  }
  {
    ScopedEnv env_off("DNIE_PKCS11_VIRTUAL", "off");  // the environment wins, key by key
    Module m;
    CHECK(m.slots().empty());
  }
  {
    ScopedEnv env_can("DNIE_CAN", "654321");  // overrides the file's CAN: refused by the card
    Module m;
    CHECK(token_rv(m) == CKR_DEVICE_ERROR);
  }
  {
    ScopedEnv explicit_path("DNIE_PKCS11_CONFIG", d.file("elsewhere.conf").c_str());
    d.write("elsewhere.conf", "virtual = off\n");
    Module m;
    CHECK(m.slots().empty());
  }
  if (geteuid() == 0 && chown(d.file("dnie/pkcs11.conf").c_str(), 65534, 65534) == 0) {
    Module m;  // root testing: a file owned by someone else is ignored
    CHECK(m.slots().empty());
    CHECK(d.read("log").find("not owned by this user") != std::string::npos);
  }
  // Never logged: the CAN written in the file.
  CHECK(d.read("log").find("123456") == std::string::npos);
}

TEST_CASE("the CAN: missing, malformed and wrong give distinct codes and say what to do") {
  TempDir d;
  ScopedEnv log("DNIE_PKCS11_LOG_FILE", d.file("log").c_str());
  ScopedEnv xdg("XDG_CONFIG_HOME", d.path.c_str());
  {
    ScopedEnv can("DNIE_CAN", nullptr);
    Module m;
    CHECK(token_rv(m) == CKR_TOKEN_NOT_RECOGNIZED);
    CK_SESSION_HANDLE s = 0;
    CHECK(m.f->C_OpenSession(m.slot(), CKF_SERIAL_SESSION, nullptr, nullptr, &s) == CKR_TOKEN_NOT_RECOGNIZED);
    const std::string l = d.read("log");
    CHECK(count(l, "needs its CAN") == 1);  // once, although asked twice
    CHECK(l.find("DNIE_CAN") != std::string::npos);
    CHECK(l.find(d.path + "/dnie/pkcs11.conf") != std::string::npos);
  }
  for (const char* bad : {"12a456", "12345", "1234567"}) {
    CAPTURE(bad);
    ScopedEnv can("DNIE_CAN", bad);
    Module m;
    CHECK(token_rv(m) == CKR_FUNCTION_FAILED);
    CHECK(d.read("log").find("is not 6 digits; nothing was sent") != std::string::npos);
  }
  {
    ScopedEnv can("DNIE_CAN", "000000");
    Module m;
    CHECK(token_rv(m) == CKR_DEVICE_ERROR);
    CHECK(token_rv(m) == CKR_DEVICE_ERROR);  // not tried again (the card is not asked twice)
    CHECK(count(d.read("log"), "refused the CAN from DNIE_CAN") == 1);
  }
  CHECK(d.read("log").find("000000") == std::string::npos);
}

TEST_CASE("prompt program: the CAN when none is configured") {
  TempDir d;
  ScopedEnv xdg("XDG_CONFIG_HOME", d.path.c_str());
  ScopedEnv can("DNIE_CAN", nullptr);
  ScopedEnv prompt("DNIE_PKCS11_PROMPT", kPrompt.c_str());
  ScopedEnv plog("PROMPT_LOG", d.file("prompt.log").c_str());
  ScopedEnv log("DNIE_PKCS11_LOG_FILE", d.file("log").c_str());
  SUBCASE("answered") {
    ScopedEnv answer("PROMPT_CAN", "123456");
    Module m;
    CHECK(token_rv(m) == CKR_OK);
    CHECK(d.read("prompt.log") == "can|Virtual DNIe 3.0|first|\n");
  }
  SUBCASE("a wrong CAN: asked again, saying so") {
    ScopedEnv answer("PROMPT_CAN", "000000");
    Module m;
    CHECK(token_rv(m) == CKR_DEVICE_ERROR);
    CHECK(token_rv(m) == CKR_DEVICE_ERROR);
    CHECK(d.read("prompt.log") == "can|Virtual DNIe 3.0|first|\ncan|Virtual DNIe 3.0|wrong-can|\n");
  }
  SUBCASE("cancelled: not asked again") {
    ScopedEnv answer("PROMPT_CAN", nullptr);  // the fixture exits 1
    Module m;
    CHECK(token_rv(m) == CKR_TOKEN_NOT_RECOGNIZED);
    CHECK(token_rv(m) == CKR_TOKEN_NOT_RECOGNIZED);
    CHECK(count(d.read("prompt.log"), "can|") == 1);
  }
  SUBCASE("no answer in time: killed") {
    ScopedEnv sleep("PROMPT_SLEEP", "20");
    ScopedEnv timeout("DNIE_PKCS11_PROMPT_TIMEOUT", "1");
    Module m;
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(token_rv(m) == CKR_TOKEN_NOT_RECOGNIZED);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(d.read("log").find("no answer within 1 s") != std::string::npos);
  }
  SUBCASE("not an absolute path: refused, never looked up in PATH") {
    ScopedEnv relative("DNIE_PKCS11_PROMPT", "prompt_fixture.sh");
    ScopedEnv answer("PROMPT_CAN", "123456");
    Module m;
    CHECK(token_rv(m) == CKR_TOKEN_NOT_RECOGNIZED);
    CHECK(d.read("log").find("must be an absolute path") != std::string::npos);
  }
  CHECK(d.read("log").find("123456") == std::string::npos);
}

TEST_CASE("prompt program: consent for each signing-key signature and for the last PIN try") {
  TempDir d;
  ScopedEnv prompt("DNIE_PKCS11_PROMPT", kPrompt.c_str());
  ScopedEnv plog("PROMPT_LOG", d.file("prompt.log").c_str());
  const std::vector<std::uint8_t> msg = {'h', 'o', 'l', 'a'};
  SUBCASE("confirm_sign") {
    ScopedEnv confirm("DNIE_PKCS11_CONFIRM_SIGN", "on");
    for (const char* answer : {"yes", "no"}) {
      CAPTURE(answer);
      ScopedEnv a("PROMPT_SIGN", answer);
      std::remove(d.file("prompt.log").c_str());
      Module m;
      CK_FUNCTION_LIST_PTR f = m.f;
      CK_SESSION_HANDLE s = m.open();
      REQUIRE(login(f, s, CKU_USER, "12345678") == CKR_OK);
      const CK_OBJECT_HANDLE signing = key_named(f, s, "KprivFirmaDigital");
      const CK_RV expect = std::string(answer) == "yes" ? CKR_OK : CKR_FUNCTION_REJECTED;
      CHECK(sign(f, s, CKM_SHA256_RSA_PKCS, signing, msg, nullptr, "12345678") == expect);
      CHECK(sign(f, s, CKM_SHA256_RSA_PKCS, key_named(f, s, "KprivAutenticacion"), msg) == CKR_OK);
      const std::string asked = d.read("prompt.log");
      CHECK(count(asked, "sign|") == 1);  // the authentication key is not confirmed
      CHECK(asked.find("|KprivFirmaDigital|") != std::string::npos);
    }
  }
  SUBCASE("confirm_sign without a prompt program: refused") {
    ScopedEnv confirm("DNIE_PKCS11_CONFIRM_SIGN", "on");
    ScopedEnv none("DNIE_PKCS11_PROMPT", nullptr);
    Module m;
    CK_FUNCTION_LIST_PTR f = m.f;
    CK_SESSION_HANDLE s = m.open();
    REQUIRE(login(f, s, CKU_USER, "12345678") == CKR_OK);
    CHECK(sign(f, s, CKM_SHA256_RSA_PKCS, key_named(f, s, "KprivFirmaDigital"), msg, nullptr, "12345678") ==
          CKR_FUNCTION_REJECTED);
  }
  SUBCASE("last try") {
    for (const char* answer : {"no", "yes"}) {
      CAPTURE(answer);
      ScopedEnv a("PROMPT_LAST_TRY", answer);
      Module m;
      CK_FUNCTION_LIST_PTR f = m.f;
      CK_SESSION_HANDLE s = m.open();
      CHECK(login(f, s, CKU_USER, "WRONG000") == CKR_PIN_INCORRECT);
      CHECK(login(f, s, CKU_USER, "WRONG000") == CKR_PIN_INCORRECT);
      const bool yes = std::string(answer) == "yes";
      CHECK(login(f, s, CKU_USER, "12345678") == (yes ? CKR_OK : CKR_PIN_LOCKED));
      CHECK(((m.token_flags() & CKF_USER_PIN_FINAL_TRY) != 0) == !yes);
    }
    CHECK(d.read("prompt.log").find("last-try|") != std::string::npos);
  }
}

TEST_CASE("log sink: the configured file (mode 0600) and stderr with DNIE_PKCS11_DEBUG; no secrets") {
  TempDir d;
  ScopedEnv log("DNIE_PKCS11_LOG_FILE", d.file("module.log").c_str());
  {
    Module m;
    CK_FUNCTION_LIST_PTR f = m.f;
    CK_SESSION_HANDLE s = m.open();
    CHECK(login(f, s, CKU_USER, "WRONG000") == CKR_PIN_INCORRECT);
    REQUIRE(login(f, s, CKU_USER, "12345678") == CKR_OK);
    CHECK(sign(f, s, CKM_RSA_PKCS, key_named(f, s, "KprivAutenticacion"), {1, 2, 3}) == CKR_DATA_INVALID);
  }
  const std::string l = d.read("module.log");
  CHECK(l.find("1 slot(s)") != std::string::npos);
  CHECK(l.find("token opened") != std::string::npos);
  CHECK(l.find("WrongPin") != std::string::npos);
  CHECK(l.find("CKM_RSA_PKCS signs a DER DigestInfo") != std::string::npos);
  CHECK(l.find("12345678") == std::string::npos);  // the PIN
  CHECK(l.find("WRONG000") == std::string::npos);
  CHECK(l.find("123456") == std::string::npos);  // the CAN
  struct stat st {};
  REQUIRE(stat(d.file("module.log").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  {
    ScopedEnv level("DNIE_PKCS11_LOG_LEVEL", "error");
    std::remove(d.file("module.log").c_str());
    Module m;
    (void)m.slots();
    CHECK(d.read("module.log").find("slot(s)") == std::string::npos);  // info is below the level
  }
  {
    // DNIE_PKCS11_DEBUG: stderr, at debug level.
    ScopedEnv nolog("DNIE_PKCS11_LOG_FILE", nullptr);
    ScopedEnv debug("DNIE_PKCS11_DEBUG", "1");
    const int saved = dup(STDERR_FILENO);
    const int fd = open(d.file("stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE((saved >= 0 && fd >= 0));
    dup2(fd, STDERR_FILENO);
    {
      Module m;
      (void)m.token_flags();
    }
    dup2(saved, STDERR_FILENO);
    close(fd);
    close(saved);
    const std::string e = d.read("stderr");
    CHECK(e.find("debug pkcs11: opening the card") != std::string::npos);
    CHECK(e.find("token opened") != std::string::npos);
  }
}

TEST_CASE("public-key objects: RSA, from the certificates, CKA_VERIFY, the private key's CKA_ID") {
  Module m;
  CK_FUNCTION_LIST_PTR f = m.f;
  CK_SESSION_HANDLE s = m.open();
  auto pubs = find(f, s, CKO_PUBLIC_KEY);  // public: no login needed
  REQUIRE(pubs.size() == 2);
  REQUIRE(login(f, s, CKU_USER, "12345678") == CKR_OK);
  for (const char* name : {"KprivAutenticacion", "KprivFirmaDigital"}) {
    CAPTURE(name);
    const CK_OBJECT_HANDLE priv = key_named(f, s, name);
    const auto id = attr(f, s, priv, CKA_ID);
    CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls},
                        {CKA_ID, const_cast<std::uint8_t*>(id.data()), id.size()}};
    REQUIRE(f->C_FindObjectsInit(s, t, 2) == CKR_OK);
    CK_OBJECT_HANDLE pub = 0;
    CK_ULONG n = 0;
    REQUIRE(f->C_FindObjects(s, &pub, 1, &n) == CKR_OK);
    REQUIRE(f->C_FindObjectsFinal(s) == CKR_OK);
    REQUIRE(n == 1);
    const auto cert = cert_for(f, s, priv);
    const auto* rsa = cert.public_key().rsa();
    REQUIRE(rsa != nullptr);
    const auto mod = attr(f, s, pub, CKA_MODULUS);
    CHECK(dnie::Bytes(mod.begin(), mod.end()) == rsa->modulus());
    const auto exp = attr(f, s, pub, CKA_PUBLIC_EXPONENT);
    CHECK(dnie::Bytes(exp.begin(), exp.end()) == rsa->exponent());
    CHECK(attr(f, s, pub, CKA_VERIFY) == std::vector<std::uint8_t>{CK_TRUE});
    CHECK(attr(f, s, pub, CKA_PRIVATE) == std::vector<std::uint8_t>{CK_FALSE});
    CHECK(attr(f, s, pub, CKA_KEY_TYPE) == attr(f, s, priv, CKA_KEY_TYPE));
    const auto spki = attr(f, s, pub, CKA_PUBLIC_KEY_INFO);
    CHECK(dnie::Bytes(spki.begin(), spki.end()) == cert.spki().to_bytes());
    CHECK(label(f, s, pub) == name);  // the private key's label: found from its URL
    // And it verifies what the private key signs.
    std::vector<std::uint8_t> sig;
    const std::vector<std::uint8_t> msg = {'d', 'a', 't', 'a'};
    REQUIRE(sign(f, s, CKM_SHA256_RSA_PKCS, priv, msg, &sig,
                 std::string(name) == "KprivFirmaDigital" ? "12345678" : nullptr) == CKR_OK);
    auto key = dnie::crypto::RsaPublicKey::from_components(dnie::ByteView(mod.data(), mod.size()),
                                                           dnie::ByteView(exp.data(), exp.size()));
    REQUIRE(key.ok());
    const auto h = dnie::crypto::hash(dnie::crypto::HashAlg::Sha256, dnie::ByteView(msg.data(), msg.size()));
    CHECK(
        key->verify_pkcs1_v15(dnie::crypto::HashAlg::Sha256, h, dnie::ByteView(sig.data(), sig.size())).ok());
  }
}
