// SPDX-License-Identifier: Apache-2.0
// LDS content of the generated cards: EF.COM, DG1 MRZ check digits (checked with a routine of
// this test validated on ICAO's published examples), DG2/DG7 JPEG 2000, DG11, DG13, DG14.
#include "dnie/crypto/ec.hpp"

#include "gen_test_util.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;

namespace {

// Independent ICAO 9303-3 §4.9 check digit.
int cd(const std::string& s) {
  const int w[3] = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'Z') ? c - 'A' + 10 : 0;
    sum += v * w[i % 3];
  }
  return sum % 10;
}
char cdc(const std::string& s) { return static_cast<char>('0' + cd(s)); }

// Checks every check digit of a TD1 MRZ (ICAO 9303-5 §4.2.2).
void check_td1(const std::string& l1, const std::string& l2) {
  CHECK(l1[14] == cdc(l1.substr(5, 9)));
  CHECK(l2[6] == cdc(l2.substr(0, 6)));
  CHECK(l2[14] == cdc(l2.substr(8, 6)));
  CHECK(l2[29] == cdc(l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11)));
}

}  // namespace

TEST_CASE("check digit routine agrees with ICAO examples") {
  auto v = dnie::test::vectors("mrz_check_digits.json");
  int n = 0;
  for (const auto& e : v["check_digit_examples"]) {
    const std::string in = e["input"], want = e["check_digit"];
    CAPTURE(in);
    CHECK(cdc(in) == want[0]);
    CHECK(mrz_check_digit(in) == want[0]);  // the generator's own routine, same answers
    ++n;
  }
  CHECK(n >= 5);
  for (const auto& s : v["specimen_mrz"]) {
    if (s["format"] != "TD1") continue;
    check_td1(s["line1"], s["line2"]);
  }
}

TEST_CASE("DNI check letter") {
  CHECK(dni_check_letter(99999999) == 'R');
  CHECK(dni_check_letter(12345678) == 'Z');
  CHECK(dni_check_letter(99999002) == 'Q');  // the specimen's 99999002Q
}

TEST_CASE("DG1 holds a valid Spanish TD1 MRZ") {
  for (const std::string p : {"genuine", "expired", "r2"}) {
    CAPTURE(p);
    const CardImage& img = image(p);
    const Bytes& dg1 = file(img, {0x3F01, 0x0101});
    REQUIRE(dg1.size() == 95);
    CHECK(ByteView(dg1).first(5) == hex_bytes("615D5F1F5A"));
    const std::string mrz = str(ByteView(dg1).subview(5));
    const std::string l1 = mrz.substr(0, 30), l2 = mrz.substr(30, 30), l3 = mrz.substr(60, 30);
    const std::string idesp = str(file(img, {0x0006}));
    CHECK(l1.substr(0, 5) == "IDESP");
    CHECK(l1.substr(5, 9) == idesp);
    CHECK(l1.substr(15, 9) == "99999999R");
    CHECK(l2.substr(0, 6) == "800101");
    CHECK(l2[7] == 'F');
    CHECK(l2.substr(15, 3) == "ESP");
    CHECK(l3 == "ESPANOLA<ESPANOLA<<CARMEN<<<<<");
    check_td1(l1, l2);
    // DNI letter of the optional data.
    CHECK(dni_check_letter(static_cast<std::uint32_t>(std::stoul(l1.substr(15, 8)))) == l1[23]);
  }
  CHECK(str(file(image("genuine"), {0x3F01, 0x0101})).substr(5 + 38, 6) == "330615");
  CHECK(str(file(image("expired"), {0x3F01, 0x0101})).substr(5 + 38, 6) == "230615");
}

TEST_CASE("EF.COM, DG2, DG7 (JPEG 2000), DG3") {
  const CardImage& img = image("genuine");
  CHECK(file(img, {0x3F01, 0x011E}) == hex_bytes("60185F0104303130375F36063034303030305C06617567 6B6D6E"));
  const Bytes jp2_magic = hex_bytes("0000000C6A502020");
  auto find_magic = [&](const Bytes& b) {
    return std::search(b.begin(), b.end(), jp2_magic.begin(), jp2_magic.end()) - b.begin();
  };
  const Bytes& dg2 = file(img, {0x3F01, 0x0102});
  auto t = der(dg2);
  CHECK(t.tag == 0x75);
  auto grp = der(t.value);
  CHECK(grp.tag == 0x7F61);
  auto kids = children(grp.value);
  REQUIRE(kids.size() == 2);
  CHECK(kids[1].tag == 0x7F60);
  auto bit = children(kids[1].value);
  REQUIRE(bit.size() == 2);
  CHECK(bit[0].tag == 0xA1);
  CHECK(bit[1].tag == 0x5F2E);
  ByteView fac = bit[1].value;
  CHECK(fac.first(8) == Bytes{'F', 'A', 'C', 0, '0', '1', '0', 0});
  CHECK(be_value(fac.subview(8, 4)) == fac.size());
  const auto pos = find_magic(fac.to_bytes());
  CHECK(pos == 14 + 20 + 12);
  const std::size_t face_size = fac.size() - 46;
  MESSAGE("face JP2: " << face_size << " bytes");
  CHECK(face_size > 8000);
  CHECK(face_size < 24000);
  const Bytes& dg7 = file(img, {0x3F01, 0x0107});
  auto t7 = der(dg7);
  CHECK(t7.tag == 0x67);
  auto k7 = children(t7.value);
  REQUIRE(k7.size() == 2);
  CHECK(k7[1].tag == 0x5F43);
  CHECK(k7[1].value.first(8) == jp2_magic);
  MESSAGE("signature JP2: " << k7[1].value.size() << " bytes");
  CHECK(k7[1].value.size() < 6000);
  CHECK(der(file(img, {0x3F01, 0x0103})).tag == 0x63);
}

TEST_CASE("DG11 and DG13") {
  const CardImage& img = image("genuine");
  auto t = der(file(img, {0x3F01, 0x010B}));
  CHECK(t.tag == 0x6B);
  auto k = children(t.value);
  REQUIRE(k.size() == 6);
  CHECK(k[0].tag == 0x5C);
  CHECK(str(k[1].value) == "ESPAÑOLA ESPAÑOLA<<CARMEN");
  CHECK(str(k[2].value) == "99999999R");
  CHECK(str(k[3].value) == "19800101");
  CHECK(k[5].tag == 0x5F42);
  auto t13 = der(file(img, {0x3F01, 0x010D}));
  CHECK(t13.tag == 0x6D);
  auto s = der(t13.value);
  CHECK(s.tag == 0x30);
  auto f = children(s.value);
  REQUIRE(f.size() == 16);
  for (const auto& x : f) CHECK(x.value.size() < 32);
  CHECK(str(f[0].value) == "ESPAÑOLA");
  CHECK(str(f[3].value) == "99999999R");
  CHECK(str(f[4].value) == "01 01 1980");
  CHECK(str(f[7].value) == str(file(img, {0x0006})));
  CHECK(str(f[11].value) == "JUAN / CARMEN");
}

TEST_CASE("DG14 public key matches the chip's CA key") {
  for (const std::string p : {"genuine", "cloned-chip"}) {
    CAPTURE(p);
    const CardImage& img = image(p);
    auto t = der(file(img, {0x3F01, 0x010E}));
    CHECK(t.tag == 0x6E);
    auto set = der(t.value);
    auto infos = children(set.value);
    REQUIRE(infos.size() == 2);
    Bytes point;
    bool have_ca_info = false;
    for (const auto& info : infos) {
      auto parts = children(info.value);
      auto oid = asn1::oid_to_string(parts[0].value);
      REQUIRE(oid.ok());
      if (*oid == "0.4.0.127.0.7.2.2.3.2.2") {
        have_ca_info = true;
        CHECK(*asn1::integer_value(parts[1].value) == 1);
        CHECK(*asn1::integer_value(parts[2].value) == 1);
      } else {
        CHECK(*oid == "0.4.0.127.0.7.2.2.1.2");
        auto spki = children(parts[1].value);
        point = spki[1].value.subview(1).to_bytes();
      }
    }
    CHECK(have_ca_info);
    CHECK(point == image("genuine").extras.at("ca-public.bin"));
  }
  auto group = crypto::EcGroup::standard(13);
  REQUIRE(group.ok());
  auto pub = group->public_key(image("genuine").ca_private_key);
  REQUIRE(pub.ok());
  CHECK(*pub == image("genuine").extras.at("ca-public.bin"));
}
