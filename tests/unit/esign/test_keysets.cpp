// SPDX-License-Identifier: Apache-2.0
// Key sets: every shipped set is self-consistent; CHRs match docs/dnie-card.md §4.6; selection by
// issuer and IDESP; run-time overrides from a directory.
#include <filesystem>
#include <fstream>

#include "dnie/esign/keysets.hpp"

#include "test_support.hpp"

using namespace dnie;

namespace {

const esign::KeySetRegistry& registry() {
  static esign::KeySetRegistry reg = esign::KeySetRegistry::builtin().value();
  return reg;
}

}  // namespace

TEST_CASE("embedded key sets: production r1/r2 and test sets are present") {
  const auto& reg = registry();
  for (const char* id : {"dnie3-r1-pin", "dnie3-r1-user", "dnie3-r2-pin", "dnie3-r2-user", "test-r1-pin",
                         "test-r1-user", "test-r2-pin", "test-r2-user"})
    CHECK_MESSAGE(reg.find(id) != nullptr, id);
  REQUIRE(reg.icc_roots().size() >= 1);
  CHECK(reg.icc_roots()[0].modulus.size() == 128);
}

TEST_CASE("production key sets: CHRs are those of docs/dnie-card.md §4.6") {
  const auto& reg = registry();
  CHECK(to_hex(reg.find("dnie3-r1-pin")->ifd_chr) == "4000000000000001");
  CHECK(to_hex(reg.find("dnie3-r1-user")->ifd_chr) == "2000000000000001");
  CHECK(to_hex(reg.find("dnie3-r2-pin")->ifd_chr) == "D002E00000000004");
  CHECK(to_hex(reg.find("dnie3-r2-user")->ifd_chr) == "D002E00000000002");
  for (const char* id : {"dnie3-r1-pin", "dnie3-r1-user"})
    CHECK(to_hex(reg.find(id)->ca_chr) == "6573534449600006");
  for (const char* id : {"dnie3-r2-pin", "dnie3-r2-user"})
    CHECK(to_hex(reg.find(id)->ca_chr) == "6573534449620018");
  // C_CV_CA is signed by the root key 02 0F: CAR "esRDI..." of docs/dnie-card.md §4.3.
  CHECK(to_hex(auth::parse_cv_certificate(reg.find("dnie3-r1-pin")->c_cv_ca)->car) == "6573524449600006");
  CHECK(to_hex(auth::parse_cv_certificate(reg.find("dnie3-r2-pin")->c_cv_ca)->car) == "6573524449620018");
  CHECK(reg.find("dnie3-r1-pin")->c_cv_ca.size() == 210);
  CHECK(reg.find("dnie3-r1-pin")->c_cv_ifd.size() == 209);
}

TEST_CASE("every shipped key set is self-consistent") {
  for (const auto& ks : registry().keysets()) {
    CAPTURE(ks.id);
    if (ks.test_only) {
      // Test sets carry their CV root (02 0F): the ISO 9796-2 signatures are recovered too.
      auto root = crypto::RsaPublicKey::from_components(ks.root_modulus, ks.root_exponent);
      REQUIRE(root);
      auto c = auth::check_keyset(ks, &*root);
      REQUIRE_MESSAGE(c, c.error().to_string());
      CHECK(c->signatures_checked);
      CHECK(c->ifd_key_matches);
      CHECK(c->ifd_chr_matches);
    } else {
      // Without a root: (1) RSA round trip, (2) structure, CAR chain and remainder (tail of the
      // IFD key); the recovery with the component roots is the next test.
      auto c = auth::check_keyset(ks);
      REQUIRE_MESSAGE(c, c.error().to_string());
      CHECK(c->rsa_round_trip);
      CHECK(c->ifd_cert_well_formed);
      CHECK(c->ca_cert_well_formed);
      CHECK(c->ifd_car_matches);
      CHECK(c->remainder_matches);
      CHECK_FALSE(c->signatures_checked);
      CHECK(c->note.find("02 0F") != std::string::npos);
    }
  }
}

TEST_CASE("the shipped component roots are the roots of the production C_CV_CA certificates") {
  // The CAR of C_CV_CA (6573524449600006 / ...620018) names the component root ("AC RAIZ
  // COMPONENTES" / "... 2"), whose public key OpenSC ships for the X.509 chain. Recovering each
  // generation's C_CV_CA with that key (ISO/IEC 9796-2) cross-checks two independent sources:
  // the roots (OpenSC cwa-dnie.c) and the CV certificates (jmulticard, OpenSC).
  const auto& reg = registry();
  for (const auto& [gen, ks_id] :
       {std::pair<std::string, std::string>{"r1", "dnie3-r1-pin"}, {"r2", "dnie3-r2-pin"}}) {
    CAPTURE(gen);
    const esign::IccRoot* root = nullptr;
    for (const auto& r : reg.icc_roots())
      if (r.generation == gen && !r.test_only) root = &r;
    REQUIRE(root != nullptr);
    auto key = crypto::RsaPublicKey::from_components(root->modulus, root->exponent);
    REQUIRE(key);
    for (const char* ch : {"-pin", "-user"}) {
      const auth::CwaKeySet* ks = reg.find("dnie3-" + gen + ch);
      REQUIRE(ks != nullptr);
      auto cert = auth::parse_cv_certificate(ks->c_cv_ca);
      REQUIRE(cert);
      auto m = auth::recover_cv_message(*cert, *key);
      CHECK_MESSAGE(m.ok(), ks->id << ": " << (m ? std::string() : m.error().to_string()));
      // With the root, the whole chain of the key set can be checked: C_CV_CA, then C_CV_IFD
      // with the recovered CA key, against the IFD key and CHR of the file.
      auto full = auth::check_keyset(*ks, &*key);
      REQUIRE_MESSAGE(full, full.error().to_string());
      CHECK(full->signatures_checked);
      CHECK(full->ifd_key_matches);
      CHECK(full->ifd_chr_matches);
    }
  }
}

TEST_CASE("a corrupted key set fails the check") {
  auto ks = registry().find("dnie3-r1-user")->clone();
  ks.ifd_private_exponent[5] ^= 1;
  auto c = auth::check_keyset(ks);
  REQUIRE_FALSE(c);
  CHECK(c.error().code == ErrorCode::VerificationFailed);
  auto ks2 = registry().find("dnie3-r2-pin")->clone();
  ks2.ca_chr = hex_bytes("6573534449600006");  // r1 CA CHR with the r2 IFD certificate
  CHECK_FALSE(auth::check_keyset(ks2));
}

TEST_CASE("key set text round trip and parse errors") {
  const auto& ks = *registry().find("test-r1-pin");
  auto back = auth::parse_keyset(auth::serialize_keyset(ks));
  REQUIRE(back);
  CHECK(back->c_cv_ifd == ks.c_cv_ifd);
  CHECK(back->ifd_private_exponent.equals(ks.ifd_private_exponent.view()));
  CHECK(back->issuer_contains == ks.issuer_contains);
  CHECK(back->root_modulus == ks.root_modulus);
  CHECK(auth::parse_keyset("id=x\nbogus=1\n").error().code == ErrorCode::MalformedData);
  CHECK_FALSE(auth::parse_keyset("format=dnie-cwa-keyset/9\n"));
  CHECK_FALSE(auth::parse_keyset("id=x\ngeneration=r1\nchannel=pin\n"));
}

TEST_CASE("selection: ICC issuer and IDESP pick the generation; TEST cards get test sets") {
  const auto& reg = registry();
  auto r1 = reg.select({"C=ES, CN=000000006573524449600006", "C=ES, CN=AC RAIZ COMPONENTES", "AAA000123"});
  REQUIRE(r1);
  CHECK(r1->pin->id == "dnie3-r1-pin");
  CHECK(r1->user->id == "dnie3-r1-user");
  auto r2 = reg.select({"C=ES, CN=AC COMPONENTES 002", "C=ES, CN=AC RAIZ COMPONENTES 2", "BMP100001"});
  REQUIRE(r2);
  CHECK(r2->pin->id == "dnie3-r2-pin");
  CHECK(r2->user->id == "dnie3-r2-user");
  // Issuer wins over a contradicting IDESP; IDESP alone decides when the issuer says nothing.
  CHECK(reg.select({"", "CN=AC RAIZ COMPONENTES 2", "AAA000001"})->generation == "r2");
  CHECK(reg.select({"CN=UNKNOWN", "", "BZZ999999"})->generation == "r2");
  CHECK(reg.select({"CN=UNKNOWN", "", "BMP099999"})->generation == "r1");
  auto t2 = reg.select({"CN=AC COMPONENTES 002 TEST", "CN=AC RAIZ COMPONENTES 2", "BMP123456"});
  REQUIRE(t2);
  CHECK(t2->test);
  CHECK(t2->pin->id == "test-r2-pin");
  CHECK(reg.select({"CN=AC COMPONENTES 001 TEST", "CN=AC RAIZ COMPONENTES", "ABC123456"})->pin->id ==
        "test-r1-pin");
  CHECK(reg.select({"CN=UNKNOWN", "", ""}).error().code == ErrorCode::Unsupported);
  CHECK(reg.select({"CN=UNKNOWN", "", ""}, "r1")->pin->id == "dnie3-r1-pin");
}

TEST_CASE("run-time directory adds and overrides key sets (a CA rotation is a data update)") {
  auto reg = esign::KeySetRegistry::builtin().value();
  const auto dir = std::filesystem::temp_directory_path() / "dnie_keysets_test";
  std::filesystem::create_directories(dir);
  auto r3 = registry().find("dnie3-r2-pin")->clone();
  r3.id = "dnie3-r3-pin";
  r3.generation = "r3";
  r3.issuer_contains = {"AC RAIZ COMPONENTES 3"};
  r3.idesp_min = "CAA000000";
  auto r3u = registry().find("dnie3-r2-user")->clone();
  r3u.id = "dnie3-r3-user";
  r3u.generation = "r3";
  r3u.issuer_contains = r3.issuer_contains;
  std::ofstream(dir / "r3-pin.txt") << auth::serialize_keyset(r3);
  std::ofstream(dir / "r3-user.txt") << auth::serialize_keyset(r3u);
  std::ofstream(dir / "ignored.md") << "not a key set";
  auto n = reg.load_directory(dir.string());
  REQUIRE(n);
  CHECK(*n == 2);
  auto c = reg.select({"CN=X", "CN=AC RAIZ COMPONENTES 3", "CAA000001"});
  REQUIRE(c);
  CHECK(c->pin->id == "dnie3-r3-pin");
  CHECK(c->user->id == "dnie3-r3-user");
  // Override: same id replaces the built-in one.
  auto over = registry().find("dnie3-r1-pin")->clone();
  over.priority = 7;
  reg.add(std::move(over));
  CHECK(reg.find("dnie3-r1-pin")->priority == 7);
  std::filesystem::remove_all(dir);
  CHECK_FALSE(reg.load_directory((dir / "missing").string()));
}

TEST_CASE("a bad file in the run-time directory is named once in the error") {
  auto reg = esign::KeySetRegistry::builtin().value();
  const auto dir = std::filesystem::temp_directory_path() / "dnie_keysets_bad_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.txt") << "id=x\nbogus=1\n";
  auto n = reg.load_directory(dir.string());
  std::filesystem::remove_all(dir);
  REQUIRE_FALSE(n);
  CHECK(n.error().code == ErrorCode::MalformedData);
  const std::string& m = n.error().message;
  CAPTURE(m);
  CHECK(m.rfind((dir / "bad.txt").string() + ": ", 0) == 0);  // Error::context adds the ": "
  CHECK(m.find(": : ") == std::string::npos);
}
