// SPDX-License-Identifier: Apache-2.0
// MRZ and DG1 against ICAO 9303 Part 3 App. A check digits and the Part 4/5/6/11 specimen MRZs
// (tests/data/vectors/mrz_check_digits.json).
#include "dnie/bytes/tlv.hpp"
#include "dnie/icao/mrz.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::icao;
using dnie::test::vectors;

TEST_CASE("MRZ check digits: ICAO 9303-3 App. A and 9303-11 examples") {
  auto v = vectors("mrz_check_digits.json");
  int n = 0;
  for (const auto& e : v["check_digit_examples"]) {
    auto cd = mrz_check_digit(e["input"].get<std::string>());
    REQUIRE(cd.ok());
    CHECK_MESSAGE(std::string(1, *cd) == e["check_digit"].get<std::string>(), e["where"].get<std::string>());
    ++n;
  }
  CHECK(n == 17);
  CHECK(mrz_check_digit("ab1").error().code == ErrorCode::MalformedData);
}

TEST_CASE("specimen MRZs (TD1, TD2, TD3) parse and every check digit passes") {
  auto v = vectors("mrz_check_digits.json");
  int n = 0;
  for (const auto& e : v["specimen_mrz"]) {
    std::string text = e["line1"].get<std::string>() + "\n" + e["line2"].get<std::string>();
    if (e.contains("line3")) text += "\n" + e["line3"].get<std::string>();
    auto m = parse_mrz(text);
    REQUIRE_MESSAGE(m.ok(), e["source"].get<std::string>());
    CHECK_MESSAGE(m->checks_ok(), e["source"].get<std::string>() << " failed: " << m->failed_checks());
    CHECK(m->mrz_information() == e["mrz_information"].get<std::string>());
    const std::string fmt = e["format"].get<std::string>();
    CHECK(std::string(mrz_format_name(m->format)) == fmt.substr(0, 3));
    CHECK(m->lines().size() == (m->format == MrzFormat::Td1 ? 3u : 2u));
    ++n;
  }
  CHECK(n == 7);
}

TEST_CASE("TD3 specimen fields") {
  auto m =
      parse_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10");
  REQUIRE(m.ok());
  CHECK(m->document_code == "P<");
  CHECK(m->issuing_state == "UTO");
  CHECK(m->primary_identifier == "ERIKSSON");
  CHECK(m->secondary_identifier == "ANNA MARIA");
  CHECK(m->document_number == "L898902C3");
  CHECK(m->date_of_birth == "740812");
  CHECK(m->sex == "F");
  CHECK(m->date_of_expiry == "120415");
  CHECK(m->personal_number() == "ZE184226B");
  CHECK(m->checks.size() == 5);
}

TEST_CASE("TD1 with a document number longer than 9 characters") {
  auto m =
      parse_mrz("I<UTOD23145890<7349<<<<<<<<<<<3407127M9507122UTO<<<<<<<<<<<2STEVENSON<<PETER<JOHN<<<<<<<<<");
  REQUIRE(m.ok());
  CHECK(m->document_number == "D23145890734");
  CHECK(m->checks_ok());
  CHECK(m->personal_number().empty());
  CHECK(m->primary_identifier == "STEVENSON");
  CHECK(m->secondary_identifier == "PETER JOHN");
}

TEST_CASE("corrupted check digits are reported one by one") {
  const std::string good =
      "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
  REQUIRE(parse_mrz(good)->checks_ok());
  struct Case {
    std::size_t pos;
    const char* names;
  };
  const Case cases[] = {{14, "document_number, composite"},
                        {36, "date_of_birth, composite"},
                        {44, "date_of_expiry, composite"},
                        {59, "composite"}};
  for (const auto& c : cases) {
    std::string bad = good;
    bad[c.pos] = bad[c.pos] == '1' ? '2' : '1';
    auto m = parse_mrz(bad);
    REQUIRE(m.ok());
    CHECK_FALSE(m->checks_ok());
    CHECK(m->failed_checks() == c.names);
  }
  // A changed data character breaks its check digit and the composite.
  std::string bad = good;
  bad[31] = '5';  // birth date 740812 -> 750812
  CHECK(parse_mrz(bad)->failed_checks() == "date_of_birth, composite");
}

TEST_CASE("DNIe DG1: TD1 with the DNI number in the optional data") {
  // Built like the card (docs/dnie-card.md §6.2): ID ESP, IDESP as document number, DNI in optional data.
  std::string l1 = "IDESPBAA000589599999999R<<<<<<";
  std::string l2 = "8001014F3306157ESP<<<<<<<<<<<";
  std::string l3 = "ESPANOLA<ESPANOLA<<CARMEN<<<<<";
  // Fix the check digits with the independent examples' algorithm.
  l1[14] = *mrz_check_digit(l1.substr(5, 9));
  l2[6] = *mrz_check_digit(l2.substr(0, 6));
  l2[14] = *mrz_check_digit(l2.substr(8, 6));
  l2 += *mrz_check_digit(l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11));
  REQUIRE(l2.size() == 30);
  Bytes dg1 = tlv::encode(0x61, tlv::encode(0x5F1F, ByteView::of(l1 + l2 + l3)));
  auto m = parse_dg1(dg1);
  REQUIRE(m.ok());
  CHECK(m->checks_ok());
  CHECK(m->document_code == "ID");
  CHECK(m->issuing_state == "ESP");
  CHECK(m->document_number == "BAA000589");
  CHECK(m->personal_number() == "99999999R");
  CHECK(m->primary_identifier == "ESPANOLA ESPANOLA");
  CHECK(m->secondary_identifier == "CARMEN");
  CHECK(dg1.size() == 95);  // 61 5D 5F1F 5A <90>
}

TEST_CASE("malformed MRZ and DG1") {
  CHECK(parse_mrz("").error().code == ErrorCode::MalformedData);
  CHECK(parse_mrz(std::string(89, '<')).error().code == ErrorCode::MalformedData);
  CHECK(parse_mrz(std::string(90, 'a')).error().code == ErrorCode::MalformedData);
  std::string td1(90, '<');
  td1[37] = 'Q';  // sex
  CHECK(parse_mrz(td1).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg1(hex_bytes("61035F1F00")).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg1(hex_bytes("6205")).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg1(hex_bytes("615D5F1F5A")).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg1(hex_bytes("6100")).error().code == ErrorCode::MalformedData);
}
