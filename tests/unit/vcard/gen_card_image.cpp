// SPDX-License-Identifier: Apache-2.0
// Generator determinism and the ".dvc" container (CardImage::serialize/deserialize/save/load).
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "gen_test_util.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;

TEST_CASE("every profile generates and round-trips through the container") {
  for (const auto& p : profiles()) {
    CAPTURE(p);
    const CardImage& img = image(p);
    CHECK(img.profile == p);
    CHECK(img.seed == kSeed);
    Bytes s = img.serialize();
    auto back = CardImage::deserialize(s);
    REQUIRE_MESSAGE(back.ok(), back.error().to_string());
    CHECK(back->serialize() == s);
    CHECK(back->mf.children.size() == img.mf.children.size());
    CHECK(back->extras == img.extras);
    CHECK(back->auth_private_key == img.auth_private_key);
  }
}

TEST_CASE("same seed gives the same bytes; another seed other bytes") {
  const auto t0 = std::chrono::steady_clock::now();
  GeneratorOptions o;
  o.seed = 42;
  o.profile = "genuine";
  auto a = generate_card(o);
  REQUIRE(a.ok());
  const double first = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("first image of a new seed (key generation included): " << first << " s");
  auto b = generate_card(o);  // keys from the per-process cache, everything else rebuilt
  REQUIRE(b.ok());
  CHECK(a->serialize() == b->serialize());
  // Rebuilding without the cache: the key set depends on the seed only.
  const CardImage& c = image("genuine", 43);
  CHECK(c.serialize() != a->serialize());
  CHECK(c.auth_private_key != a->auth_private_key);
  CHECK(c.chip_serial != a->chip_serial);
}

TEST_CASE("profiles differ where they should") {
  const CardImage& g = image("genuine");
  CHECK(g.generation == Generation::R1);
  CHECK(g.atr_contact == hex_bytes("3B7F960000006A444E4965100101550421039000"));
  CHECK(g.atr_contactless == hex_bytes("3B888001E1F35E117781A10003"));
  CHECK(g.historical_bytes == hex_bytes("E1F35E117781A100"));
  CHECK(g.chip_serial.size() == 7);
  CHECK(g.uid.size() == 4);
  CHECK(g.can == "123456");
  CHECK(g.pin == "12345678");
  CHECK(g.pin_tries_left == 3);
  CHECK(g.ca_private_key.size() == 32);
  CHECK(g.ca_key_id == 1);
  CHECK(g.ca_param_id == 13);
  CHECK_FALSE(g.terminated);
  CHECK(image("terminated").terminated);
  CHECK(image("terminated").atr_contact == hex_bytes("3B7F960000006A444E49651001015504210F6581"));
  CHECK(image("blocked-pin").pin_tries_left == 0);
  CHECK(image("cloned-chip").ca_private_key.empty());
  CHECK(image("r2").generation == Generation::R2);
  CHECK(image("r2").atr_contact[11] == 0x20);
  CHECK(image("r1").generation == Generation::R1);
  const std::string idesp_r1 = str(file(image("r1"), {0x0006}));
  const std::string idesp_r2 = str(file(image("r2"), {0x0006}));
  CHECK(idesp_r1.size() == 9);
  CHECK(idesp_r2.size() == 9);
  CHECK(idesp_r1 < "BMP100001");
  CHECK(idesp_r2 >= "BMP100001");
  CHECK(str(file(g, {0x2F03})) == "DNIe 04.21 A9 H 0155 EXP 2-(5.2-10)");
  CHECK(file(g, {0x011C}) == hex_bytes("31143012060A04007F0007020204020202010202010D"));
  CHECK(g.mf.df_name == "Master.File");
  CHECK(g.mf.type == FileType::Df);
  const VFile* icao = g.find({0x3F01});
  REQUIRE(icao);
  CHECK(icao->aid == hex_bytes("A0000002471001"));
  CHECK(g.find({0x3F00, 0x3F01, 0x0103})->read_rule == 2);
  CHECK(g.find({0x3F11, 0x0101})->type == FileType::KeyEf);
  CHECK(g.find({0x3F11, 0x0102})->read_rule == 2);
  CHECK(g.find({0x0000})->type == FileType::KeyEf);
  CHECK(g.find({0x6061, 0x7001})->type == FileType::CompressedCert);
  CHECK(g.find({0x3F01, 0x9999}) == nullptr);
  CHECK(g.extras.count("csca.der"));
  CHECK(g.extras.count("component-root.der"));
  CHECK(image("untrusted-csca").extras.count("csca-untrusted.der"));
}

TEST_CASE("custom identity and options") {
  GeneratorOptions o;
  o.seed = kSeed;
  o.profile = "genuine";
  Identity id;
  id.first_surname = "GARCÍA";
  id.second_surname = "PEÑA";
  id.name = "JOSÉ LUIS";
  id.dni = "12345678Z";
  id.sex = 'M';
  o.identity = id;
  o.can = "654321";
  auto img = generate_card(o);
  REQUIRE_MESSAGE(img.ok(), img.error().to_string());
  CHECK(img->can == "654321");
  const std::string mrz = str(ByteView(file(*img, {0x3F01, 0x0101})).subview(5));
  CHECK(mrz.substr(60) == "GARCIA<PENA<<JOSE<LUIS<<<<<<<<");
  o.profile = "no-such-profile";
  CHECK(generate_card(o).error().code == ErrorCode::InvalidArgument);
  o.profile = "genuine";
  o.can = "12";
  CHECK(generate_card(o).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("deserialize rejects truncated and garbled input with MalformedData") {
  const Bytes good = image("genuine").serialize();
  // Every truncation fails (the outer element is then incomplete).
  for (std::size_t n = 0; n < good.size(); n += (n < 400 ? 1 : 97)) {
    auto r = CardImage::deserialize(ByteView(good).first(n));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::MalformedData);
  }
  // Trailing bytes.
  Bytes longer = good;
  longer.push_back(0x00);
  CHECK(CardImage::deserialize(longer).error().code == ErrorCode::MalformedData);
  // Flipping bytes in the header region: either still valid (a value byte) or MalformedData.
  for (std::size_t i = 0; i < 400; ++i) {
    Bytes bad = good;
    bad[i] ^= 0x5A;
    auto r = CardImage::deserialize(bad);
    if (!r.ok()) CHECK(r.error().code == ErrorCode::MalformedData);
  }
  // Specific fields: magic, version, tries, file type.
  Bytes m = good;
  auto pos = std::search(m.begin(), m.end(), std::begin("DNIeVCARD"), std::end("DNIeVCARD") - 1);
  REQUIRE(pos != m.end());
  *pos = 'X';
  CHECK(CardImage::deserialize(m).error().code == ErrorCode::MalformedData);
  Bytes v = good;
  auto vpos = std::search(v.begin(), v.end(), std::begin("DNIeVCARD"), std::end("DNIeVCARD") - 1);
  vpos[11] = 0x03;  // 81 01 <version>: a version this build does not know
  CHECK(CardImage::deserialize(v).error().code == ErrorCode::MalformedData);
  CHECK(CardImage::deserialize(hex_bytes("E000")).error().code == ErrorCode::MalformedData);
  CHECK(CardImage::deserialize(hex_bytes("3000")).error().code == ErrorCode::MalformedData);
  CHECK(CardImage::deserialize(Bytes{}).error().code == ErrorCode::MalformedData);
  // Deep nesting of DFs is refused, not recursed into without bound.
  CardImage deep = image("genuine");
  VFile* node = &deep.mf;
  for (int i = 0; i < 12; ++i) {
    VFile d;
    d.fid = static_cast<std::uint16_t>(0x4000 + i);
    d.type = FileType::Df;
    node->children.push_back(d);
    node = &node->children.back();
  }
  CHECK(CardImage::deserialize(deep.serialize()).error().code == ErrorCode::MalformedData);
}

TEST_CASE("save and load") {
  const CardImage& g = image("genuine");
  const std::string path = "test_vcard_gen_tmp.dvc";
  REQUIRE(g.save(path).ok());
  auto back = CardImage::load(path);
  REQUIRE_MESSAGE(back.ok(), back.error().to_string());
  CHECK(back->serialize() == g.serialize());
  std::remove(path.c_str());
  CHECK(CardImage::load("/nonexistent/dir/x.dvc").error().code == ErrorCode::NotFound);
}
