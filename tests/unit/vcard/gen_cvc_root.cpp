// SPDX-License-Identifier: Apache-2.0
// The CV root key (02 0F) the generator embeds equals the TEST root of the key-set files
// src/auth/keysets/test-r{1,2}-{pin,user}.txt (docs/keysets.md), read here as plain text; the
// ICC component certificate issuer names a TEST CA so the SDK selects the test key sets.
#include <fstream>
#include <sstream>

#include "dnie/crypto/x509.hpp"

#include "gen_test_util.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;

namespace {
std::string keyset_value(const std::string& file, const std::string& key) {
  std::ifstream in(std::string(DNIE_KEYSET_DIR) + "/" + file);
  REQUIRE_MESSAGE(in.good(), file);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  FAIL(file << ": no " << key);
  return {};
}
}  // namespace

TEST_CASE("generator: the CV root 02 0F is the test key sets' root of the card's generation") {
  for (const char* profile : {"genuine", "r1", "r2", "blocked-pin"}) {
    CAPTURE(profile);
    const CardImage& img = image(profile);
    const std::string gen = img.generation == Generation::R2 ? "r2" : "r1";
    for (const char* ch : {"pin", "user"}) {
      const std::string f = "test-" + gen + "-" + ch + ".txt";
      CHECK(img.cvc_root_modulus == hex_bytes(keyset_value(f, "root_modulus")));
      CHECK(img.cvc_root_exponent == hex_bytes(keyset_value(f, "root_exponent")));
    }
    auto icc = crypto::Certificate::parse(img.extras.at("icc-cert.der"));
    REQUIRE(icc.ok());
    CHECK(icc->issuer().to_string().find("TEST") != std::string::npos);
  }
  CHECK(image("r1").generation == Generation::R1);
  CHECK(image("r2").generation == Generation::R2);
  CHECK(image("r1").cvc_root_modulus != image("r2").cvc_root_modulus);
}
