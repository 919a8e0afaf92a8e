// SPDX-License-Identifier: Apache-2.0
// EF.COM, DG11, DG12, DG13 (Spanish layout), DG14 (real samples), DG15 parsers, with malformed input.
#include "dnie/auth/chip_auth.hpp"
#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/rng.hpp"
#include "dnie/icao/active_auth.hpp"
#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/lds.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::icao;
using dnie::test::hx;
using dnie::test::vectors;

namespace {
Bytes s(std::uint32_t tag, std::string_view v) { return tlv::encode(tag, ByteView::of(v)); }
}  // namespace

TEST_CASE("EF.COM of ICAO 9303-10 worked example") {
  auto v = vectors("samples_ef_cardaccess_cardsecurity_dg14_sod.json");
  auto com = parse_com(hx(v["ef_com_icao_part10_example"]["hex"]));
  REQUIRE(com.ok());
  CHECK(com->lds_version == "0106");
  CHECK(com->unicode_version == "040000");
  CHECK(com->data_groups == std::vector<int>{1, 2});
  CHECK(parse_com(hex_bytes("60035C0199")).error().code == ErrorCode::MalformedData);
  CHECK(parse_com(hex_bytes("6000")).error().code == ErrorCode::MalformedData);
  CHECK(dg_tag(2) == 0x75);
  CHECK(dg_from_tag(0x6D) == 13);
  CHECK(dg_fid(14) == 0x010E);
  CHECK(file_name(kFidSod) == "EF.SOD");
}

TEST_CASE("DG11 as the DNIe fills it") {
  Bytes list = hex_bytes("5F0E5F105F2B5F115F42");
  Bytes dg =
      tlv::encode(0x6B, concat({tlv::encode(0x5C, list), s(0x5F0E, "ESPAÑOLA ESPAÑOLA<<CARMEN"),
                                s(0x5F10, "99999999R"), s(0x5F2B, "19800101"), s(0x5F11, "MADRID<MADRID"),
                                s(0x5F42, "AVDA DE MADRID 1<MADRID<MADRID")}));
  auto d = parse_dg11(dg);
  REQUIRE(d.ok());
  CHECK(d->tag_list == std::vector<std::uint32_t>{0x5F0E, 0x5F10, 0x5F2B, 0x5F11, 0x5F42});
  CHECK(*d->full_name == "ESPAÑOLA ESPAÑOLA<<CARMEN");
  CHECK(*d->personal_number == "99999999R");
  CHECK(*d->full_date_of_birth == "19800101");
  CHECK(*d->place_of_birth == "MADRID<MADRID");
  CHECK(*d->address == "AVDA DE MADRID 1<MADRID<MADRID");
  // BCD birth date and other names.
  Bytes dg2 =
      tlv::encode(0x6B, concat({tlv::encode(0x5F2B, hex_bytes("19800101")),
                                tlv::encode(0xA0, concat({hex_bytes("020101"), s(0x5F0F, "OTRO<NOMBRE")}))}));
  auto d2 = parse_dg11(dg2);
  REQUIRE(d2.ok());
  CHECK(*d2->full_date_of_birth == "19800101");
  CHECK(d2->other_names == std::vector<std::string>{"OTRO<NOMBRE"});
  CHECK(parse_dg11(hex_bytes("6B035F0E05")).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg11(hex_bytes("6C00")).error().code == ErrorCode::MalformedData);
}

TEST_CASE("DG12") {
  Bytes dg = tlv::encode(0x6C, concat({tlv::encode(0x5C, hex_bytes("5F195F26")), s(0x5F19, "DGP"),
                                       tlv::encode(0x5F26, hex_bytes("20230615")),
                                       tlv::encode(0x5F55, hex_bytes("20230615101112"))}));
  auto d = parse_dg12(dg);
  REQUIRE(d.ok());
  CHECK(*d->issuing_authority == "DGP");
  CHECK(*d->date_of_issue == "20230615");
  CHECK(*d->personalization_time == "20230615101112");
  CHECK(parse_dg12(hex_bytes("6C02FF")).error().code == ErrorCode::MalformedData);
}

TEST_CASE("DG13 in the Spanish layout") {
  const std::vector<std::string> f = {
      "ESPAÑOLA",         "ESPAÑOLA",  "CARMEN", "99999999R", "01 01 1980", "ESP",
      "15 06 2033",       "BAA000589", "F",      "MADRID",    "MADRID",     "JUAN / CARMEN",
      "AVDA DE MADRID 1", "MADRID",    "MADRID", "ESPAÑA"};
  Bytes seq_content;
  for (const auto& x : f) append(seq_content, asn1::utf8_string(x));
  Bytes dg = tlv::encode(0x6D, tlv::encode(0x30, seq_content));
  auto d = parse_dg13_spain(dg);
  REQUIRE(d.ok());
  CHECK(d->fields == f);
  CHECK(d->first_surname == "ESPAÑOLA");
  CHECK(d->name == "CARMEN");
  CHECK(d->dni_number == "99999999R");
  CHECK(d->idesp == "BAA000589");
  CHECK(d->parents == "JUAN / CARMEN");
  CHECK(d->residence_country == "ESPAÑA");
  // The strings directly inside 6D are accepted too.
  auto d2 = parse_dg13_spain(tlv::encode(0x6D, seq_content));
  REQUIRE(d2.ok());
  CHECK(d2->sex == "F");
  CHECK(parse_dg13_spain(tlv::encode(0x6D, asn1::utf8_string("X"))).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg13_spain(hex_bytes("6D0330")).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg13_spain(hex_bytes("6D053003300100")).error().code == ErrorCode::MalformedData);
}

TEST_CASE("DG14 real samples: Chip Authentication keys and the CA plan") {
  auto v = vectors("samples_ef_cardaccess_cardsecurity_dg14_sod.json");
  int n = 0;
  for (const auto& sample : v["dg14"]) {
    const std::string name = sample["name"].get<std::string>();
    auto d = parse_dg14(hx(sample["hex"]));
    REQUIRE_MESSAGE(d.ok(), name);
    std::vector<std::string> want;
    for (const auto& o : sample["security_info_oids"]) want.push_back(o.get<std::string>());
    CHECK_MESSAGE(d->oids == want, name);
    REQUIRE(d->chip_authentication_public_keys.size() >= 1);
    auto plan = auth::plan_chip_authentication(*d);
    CHECK_MESSAGE(plan.ok(), name << ": " << (plan ? "" : plan.error().to_string()));
    ++n;
  }
  CHECK(n == 4);
  auto at = parse_dg14(hx(v["dg14"][0]["hex"]));
  auto plan = auth::plan_chip_authentication(*at);
  REQUIRE(plan.ok());
  CHECK(plan->protocol_oid == "0.4.0.127.0.7.2.2.3.2.2");
  CHECK(plan->cipher == auth::SymCipher::Aes128);
  CHECK_FALSE(plan->key_id.has_value());
  auto de = parse_dg14(hx(v["dg14"][3]["hex"]));
  auto plan_de = auth::plan_chip_authentication(*de);
  REQUIRE(plan_de.ok());
  CHECK(plan_de->key_id.has_value());
  CHECK(parse_dg14(hex_bytes("6E03310130")).error().code == ErrorCode::MalformedData);
}

TEST_CASE("DG15 with an RSA and an EC key") {
  crypto::DeterministicRng rng(ByteView::of("dg15"));
  auto rsa = crypto::RsaPrivateKey::generate(1024, rng);
  REQUIRE(rsa.ok());
  Bytes dg = tlv::encode(0x6F, rsa->public_key().to_spki());
  auto d = parse_dg15(dg);
  REQUIRE(d.ok());
  CHECK(d->description == "RSA-1024");
  CHECK(dg15_public_key(*d).ok());
  auto g = crypto::EcGroup::by_name("brainpoolP256r1");
  auto kp = g->generate(rng);
  Bytes spki =
      asn1::sequence({asn1::sequence({asn1::oid("1.2.840.10045.2.1"), asn1::oid("1.3.36.3.3.2.8.1.1.7")}),
                      asn1::bit_string(kp->public_key)});
  auto e = parse_dg15(tlv::encode(0x6F, spki));
  REQUIRE(e.ok());
  CHECK(e->description.find("brainpoolP256r1") != std::string::npos);
  CHECK(parse_dg15(hex_bytes("6F023000")).error().code == ErrorCode::MalformedData);
  CHECK(parse_dg15(hex_bytes("6F00")).error().code == ErrorCode::MalformedData);
}

TEST_CASE("Active Authentication: ISO/IEC 9796-2 scheme 1 (RSA) and ECDSA verification") {
  // Self-made signatures (no published AA trace in tests/data): f = 6A ‖ M1 ‖ SHA-1(M1 ‖ RND.IFD) ‖ BC.
  crypto::DeterministicRng rng(ByteView::of("aa"));
  auto key = crypto::RsaPrivateKey::generate(1024, rng);
  REQUIRE(key.ok());
  const Bytes challenge = hex_bytes("0102030405060708");
  Bytes m1(128 - 2 - 20, 0x5A);
  Bytes f =
      concat({Bytes{0x6A}, m1, crypto::hash(crypto::HashAlg::Sha1, concat({m1, challenge})), Bytes{0xBC}});
  auto sig = key->private_op(f);
  REQUIRE(sig.ok());
  crypto::PublicKey pub(key->public_key());
  CHECK(verify_active_authentication(pub, challenge, sig->view()).ok());
  CHECK(verify_active_authentication(pub, hex_bytes("0102030405060709"), sig->view()).error().code ==
        ErrorCode::VerificationFailed);
  auto g = crypto::EcGroup::by_name("brainpoolP256r1");
  auto kp = g->generate(rng);
  auto es = g->ecdsa_sign(kp->private_key.view(), crypto::hash(crypto::HashAlg::Sha256, challenge), rng);
  REQUIRE(es.ok());
  crypto::PublicKey epub(crypto::EcPublicKey{std::make_shared<crypto::EcGroup>(*g), kp->public_key});
  CHECK(verify_active_authentication(epub, challenge, *es, std::string("0.4.0.127.0.7.1.1.4.1.3")).ok());
  CHECK(verify_active_authentication(epub, challenge, *es).ok());
  CHECK(verify_active_authentication(epub, hex_bytes("0000000000000000"), *es).error().code ==
        ErrorCode::VerificationFailed);
}
