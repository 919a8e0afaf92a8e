// SPDX-License-Identifier: Apache-2.0
// PACE passwords, MRZ check digits and the KDF.
#include "dnie/auth/pace.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::auth;
using dnie::test::hx;
using dnie::test::vectors;

TEST_CASE("MRZ check digits (ICAO 9303-3 App. A and friends)") {
  auto v = vectors("mrz_check_digits.json");
  for (const auto& e : v["check_digit_examples"]) {
    INFO(e["input"].get<std::string>());
    auto cd = mrz_check_digit(e["input"].get<std::string>());
    REQUIRE(cd.ok());
    CHECK(*cd == e["check_digit"].get<std::string>()[0]);
  }
  CHECK(mrz_check_digit("AB 12").error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("MRZ_information from the fields, with and without given check digits") {
  auto v = vectors("mrz_check_digits.json");
  for (const auto& m : v["specimen_mrz"]) {
    const std::string info = m["mrz_information"].get<std::string>();
    INFO(info);
    const std::size_t n = info.size();
    auto built = mrz_information(info.substr(0, n - 15), info.substr(n - 14, 6), info.substr(n - 7, 6));
    REQUIRE(built.ok());
    CHECK(std::string(built->view().begin(), built->view().end()) == info);
    CHECK(PacePassword::from_mrz_information(info).ok());
  }
  // Lower-case and short numbers are normalised.
  auto g = mrz_information("t22000129", "640812", "101031");
  REQUIRE(g.ok());
  CHECK(std::string(g->view().begin(), g->view().end()) == "T22000129364081251010318");
  auto shortno = mrz_information("L898902C", "690806", "940623");
  REQUIRE(shortno.ok());
  CHECK(std::string(shortno->view().begin(), shortno->view().end()) == "L898902C<369080619406236");
  // Wrong check digits are rejected.
  CHECK(mrz_information_checked("T22000129", '3', "640812", '5', "101031", '8').ok());
  CHECK(mrz_information_checked("T22000129", '4', "640812", '5', "101031", '8').error().code ==
        ErrorCode::InvalidArgument);
  CHECK(mrz_information_checked("T22000129", '3', "640812", '6', "101031", '8').error().code ==
        ErrorCode::InvalidArgument);
  CHECK(mrz_information_checked("T22000129", '3', "640812", '5', "101031", '0').error().code ==
        ErrorCode::InvalidArgument);
  CHECK(PacePassword::from_mrz_information("T22000129364081251010319").error().code ==
        ErrorCode::InvalidArgument);
  CHECK(PacePassword::from_mrz_information("T2200012936408125").error().code == ErrorCode::InvalidArgument);
  CHECK(mrz_information("T22000129", "64081", "101031").error().code == ErrorCode::InvalidArgument);
  CHECK(mrz_information("T2200-0129", "640812", "101031").error().code == ErrorCode::InvalidArgument);
  CHECK(mrz_information("", "640812", "101031").error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("CAN, PIN, PUK") {
  auto can = PacePassword::can("123456");
  REQUIRE(can.ok());
  CHECK(can->type() == PasswordType::Can);
  CHECK(can->reference() == 2);
  CHECK(to_hex(can->secret().view()) == "313233343536");
  CHECK(PacePassword::can("12345").error().code == ErrorCode::InvalidArgument);
  CHECK(PacePassword::can("12345a").error().code == ErrorCode::InvalidArgument);
  CHECK(PacePassword::pin("123").error().code == ErrorCode::InvalidArgument);
  CHECK(PacePassword::pin("123456")->reference() == 3);
  CHECK(PacePassword::puk("1234567890")->reference() == 4);
  CHECK(PacePassword::mrz("T22000129", "640812", "101031")->reference() == 1);
}

TEST_CASE("KDF vectors (ICAO 9303-11 §9.7.1)") {
  auto v = vectors("kdf_vectors.json");
  std::size_t n = 0;
  for (const auto& e : v["vectors"]) {
    if (!e.contains("counter") || !e.contains("cipher") || e.contains("nonce") || e.contains("r")) continue;
    const std::string c = e["cipher"].get<std::string>();
    const int bits = e["key_bits"].get<int>();
    SymCipher cipher = c == "3DES"   ? SymCipher::Des3
                       : bits == 128 ? SymCipher::Aes128
                       : bits == 192 ? SymCipher::Aes192
                                     : SymCipher::Aes256;
    INFO(e["name"].get<std::string>());
    auto k = pace_kdf(hx(e["K"]), e["counter"].get<std::uint32_t>(), cipher);
    REQUIRE(k.ok());
    CHECK(to_hex(k->view()) == e["expected"].get<std::string>());
    ++n;
  }
  CHECK(n >= 10);
  auto pin = PacePassword::pin("123456");
  CHECK(to_hex(derive_k_pi(*pin, SymCipher::Aes128)->view()) == "591468CDA83D65219CCCB8560233600F");
  CHECK(to_hex(derive_k_pi(*pin, SymCipher::Des3)->view()) == "581568CDA83D64209DCDB9570232610E");
}
