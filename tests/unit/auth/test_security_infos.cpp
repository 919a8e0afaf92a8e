// SPDX-License-Identifier: Apache-2.0
// SecurityInfos parsing (EF.CardAccess, EF.CardSecurity, DG14) and the PACE choice.
#include "dnie/auth/security_infos.hpp"
#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::auth;
using dnie::test::hx;
using dnie::test::vectors;

namespace {

void check_oids(const SecurityInfos& s, const nlohmann::json& sample) {
  if (!sample.contains("security_info_oids")) return;
  std::vector<std::string> want;
  for (const auto& o : sample["security_info_oids"]) want.push_back(o.get<std::string>());
  CHECK(s.oids == want);
  const std::size_t total = s.pace.size() + s.pace_domain_parameters.size() + s.chip_authentication.size() +
                            s.chip_authentication_domain_parameters.size() +
                            s.chip_authentication_public_keys.size() + s.terminal_authentication.size() +
                            s.other.size();
  CHECK(total == want.size());
}

}  // namespace

TEST_CASE("DNIe-consistent EF.CardAccess") {
  auto s = parse_card_access(hex_bytes("31143012060A04007F0007020204020202010202010D"));
  REQUIRE(s.ok());
  REQUIRE(s->pace.size() == 1);
  CHECK(s->pace[0].protocol_oid == "0.4.0.127.0.7.2.2.4.2.2");
  CHECK(s->pace[0].version == 2);
  CHECK(s->pace[0].parameter_id == 13);
  CHECK(s->pace[0].protocol.name() == "id-PACE-ECDH-GM-AES-CBC-CMAC-128");
  auto c = choose_pace(*s);
  REQUIRE(c.ok());
  CHECK(c->params.is_ec());
  CHECK(c->params.ec->name() == "brainpoolP256r1");
  CHECK_FALSE(c->ambiguous);
  CHECK(to_hex(c->info.protocol.oid_content()) == "04007F00070202040202");
}

TEST_CASE("every EF.CardAccess sample parses") {
  auto v = vectors("samples_ef_cardaccess_cardsecurity_dg14_sod.json");
  for (const auto& sample : v["ef_cardaccess"]) {
    INFO(sample["name"].get<std::string>());
    Bytes file = hx(sample["hex"]);
    auto s = parse_security_infos(file);
    REQUIRE_MESSAGE(s.ok(), s.error().to_string());
    check_oids(*s, sample);
    if (sample.contains("trailing_bytes_after_set_ignored")) {
      Bytes padded = file;
      append(padded, hx(sample["trailing_bytes_after_set_ignored"]));
      CHECK(parse_card_access(padded).ok());
      CHECK(parse_security_infos(padded).error().code == ErrorCode::MalformedData);
    }
    // Every sample with a PACEInfo v2 offers a PACE protocol we can run; by default, unless all
    // it offers is the 1024-bit DH group (ID 0: the ICAO and BSI DH examples).
    bool v2 = false, strong = false;
    for (const auto& p : s->pace) {
      v2 = v2 || p.version == 2;
      strong = strong || (p.version == 2 && p.parameter_id != 0);
    }
    PacePolicy weak;
    weak.min_security_bits = 80;
    auto c = choose_pace(*s, {}, weak);
    auto d = choose_pace(*s);
    if (v2) {
      CHECK_MESSAGE(c.ok(), (c.ok() ? "" : c.error().to_string()));
      if (strong) {
        CHECK_MESSAGE(d.ok(), (d.ok() ? "" : d.error().to_string()));
      } else {
        REQUIRE_FALSE(d.ok());
        CHECK(d.error().code == ErrorCode::Unsupported);
        CHECK(d.error().message.find("the card offered only PACE parameters the policy refuses") == 0);
      }
    } else {
      CHECK(c.error().code == ErrorCode::Unsupported);
      CHECK(d.error().code == ErrorCode::Unsupported);
    }
  }
}

TEST_CASE("PACE choice: CAM preferred, GM over IM, pins honoured") {
  auto v = vectors("samples_ef_cardaccess_cardsecurity_dg14_sod.json");
  // 'ca3' offers ECDH GM and CAM on 13.
  auto s = parse_security_infos(hx(v["ef_cardaccess"][6]["hex"]));
  REQUIRE(s.ok());
  auto c = choose_pace(*s);
  REQUIRE(c.ok());
  CHECK(c->info.protocol.mapping == PaceMapping::ChipAuthentication);
  PaceSelection pin;
  pin.protocol_oid = "0.4.0.127.0.7.2.2.4.2.2";
  auto g = choose_pace(*s, pin);
  REQUIRE(g.ok());
  CHECK(g->info.protocol.mapping == PaceMapping::Generic);
  pin.parameter_id = 12;
  CHECK(choose_pace(*s, pin).error().code == ErrorCode::Unsupported);

  // Several parameter IDs offered -> ambiguous (DO 84 needed).
  Bytes two = hex_bytes(
      "3128"
      "3012060A04007F0007020204020202010202010D"
      "3012060A04007F0007020204040202010202010C");
  auto s2 = parse_security_infos(two);
  REQUIRE(s2.ok());
  auto c2 = choose_pace(*s2);
  REQUIRE(c2.ok());
  CHECK(c2->info.protocol.mapping == PaceMapping::Generic);  // GM before IM
  CHECK(c2->ambiguous);
  // Version 1 PACEInfo is not run.
  auto v1 = parse_security_infos(hex_bytes("31143012060A04007F0007020204020202010102010D"));
  REQUIRE(v1.ok());
  CHECK(choose_pace(*v1).error().code == ErrorCode::Unsupported);
  // pace_choice_for (no EF.CardAccess)
  auto p = pace_choice_for("0.4.0.127.0.7.2.2.4.2.2", 13);
  REQUIRE(p.ok());
  CHECK(p->params.ec->name() == "brainpoolP256r1");
  CHECK(pace_choice_for("0.4.0.127.0.7.2.2.4.2.2", 0).error().code ==
        ErrorCode::Unsupported);  // DH params for ECDH
  CHECK(pace_choice_for("1.2.3", 13).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("explicit PACE domain parameters (PACEDomainParameterInfo with a private ID)") {
  auto v = vectors("samples_ef_cardaccess_cardsecurity_dg14_sod.json");
  // The old nPA test card is PACE v1 with a pre-standard algorithm OID: parsed, not run.
  auto old = parse_security_infos(hx(v["ef_cardaccess"][2]["hex"]));
  REQUIRE_MESSAGE(old.ok(), old.error().to_string());
  REQUIRE(old->pace_domain_parameters.size() == 1);
  CHECK_FALSE(old->pace_domain_parameters[0].params.supported());
  // Its SpecifiedECDomain (brainpoolP256r1) under id-ecPublicKey, referenced by private ID 32.
  Bytes file = hx(v["ef_cardaccess"][2]["hex"]);
  auto set = tlv::parse_single(file).value();
  tlv::Reader r(set.value);
  tlv::Tlv dp_info{};
  while (!r.empty()) {
    auto e = r.next().value();
    if (tlv::find(e.value, 0x06).value().value == ByteView(hex_bytes("04007F000702020402"))) dp_info = e;
  }
  REQUIRE(dp_info.raw.size() > 0);
  tlv::Reader dr(dp_info.value);
  (void)dr.next();  // protocol OID
  auto ai = tlv::parse_single(dr.next().value().raw).value();
  tlv::Reader air(ai.value);
  (void)air.next();  // old algorithm OID
  Bytes ecparams = air.next().value().raw.to_bytes();
  Bytes new_ai = tlv::encode_constructed(0x30, {asn1::oid("1.2.840.10045.2.1"), ecparams});
  Bytes dpi = tlv::encode_constructed(0x30, {asn1::oid("0.4.0.127.0.7.2.2.4.2"), new_ai, asn1::integer(32)});
  Bytes pi = tlv::encode_constructed(
      0x30, {asn1::oid("0.4.0.127.0.7.2.2.4.2.2"), asn1::integer(2), asn1::integer(32)});
  Bytes ef = tlv::encode_constructed(0x31, {pi, dpi});
  auto s = parse_security_infos(ef);
  REQUIRE_MESSAGE(s.ok(), s.error().to_string());
  REQUIRE(s->pace_domain_parameters.size() == 1);
  CHECK(s->pace_domain_parameters[0].params.is_ec());
  CHECK(s->pace_domain_parameters[0].parameter_id == 32);
  // The curve is brainpoolP256t1 (a = p - 3), not a standardized group: refused by default...
  CHECK(s->pace_domain_parameters[0].params.standardized_id() == -1);
  CHECK(s->pace_domain_parameters[0].params.describe() == "explicit EC, 256-bit p");
  auto refused = choose_pace(*s);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::Unsupported);
  CHECK(refused.error().message ==
        "the card offered only PACE parameters the policy refuses: id-PACE-ECDH-GM-AES-CBC-CMAC-128: "
        "explicit EC, "
        "256-bit p: explicit domain parameters are not allowed");
  // ... and run only when the caller opts in, after full validation (which it passes).
  PacePolicy opt_in;
  opt_in.allow_explicit_parameters = true;
  auto c = choose_pace(*s, {}, opt_in);
  REQUIRE_MESSAGE(c.ok(), c.error().to_string());
  CHECK(c->params.is_ec());
  CHECK(c->params.ec->params().p ==
        hex_bytes("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377"));
  CHECK(c->info.parameter_id == 32);
}

TEST_CASE("every EF.CardSecurity and DG14 sample parses") {
  auto v = vectors("samples_ef_cardaccess_cardsecurity_dg14_sod.json");
  for (const auto& sample : v["ef_cardsecurity"]) {
    INFO(sample["name"].get<std::string>());
    auto s = parse_card_security(hx(sample["hex"]));
    REQUIRE_MESSAGE(s.ok(), s.error().to_string());
    CHECK_FALSE(s->chip_authentication_public_keys.empty());
    for (const auto& k : s->chip_authentication_public_keys) {
      CHECK(k.params.supported());
      CHECK_FALSE(k.public_key.empty());
      CHECK_FALSE(k.subject_public_key_info.empty());
    }
  }
  for (const auto& sample : v["dg14"]) {
    INFO(sample["name"].get<std::string>());
    auto s = parse_dg14(hx(sample["hex"]));
    REQUIRE_MESSAGE(s.ok(), s.error().to_string());
    check_oids(*s, sample);
    REQUIRE_FALSE(s->chip_authentication_public_keys.empty());
    for (const auto& k : s->chip_authentication_public_keys) {
      CHECK(k.params.supported());
      if (k.params.ec) CHECK(k.public_key.size() == k.params.ec->point_size());
    }
  }
  // German DG14: CA key with keyId 0xC3.
  auto de = parse_dg14(hx(v["dg14"][3]["hex"]));
  REQUIRE(de.ok());
  REQUIRE(de->chip_authentication.size() == 1);
  CHECK(de->chip_authentication[0].key_id == 0xC3);
  CHECK(de->chip_authentication[0].cipher == SymCipher::Aes128);
  // BSI worked example: the CA key is the one printed in the example.
  auto bsi = vectors("bsi_eac_worked_example_ecdh.json");
  auto cs = parse_card_security(hx(bsi["files"]["ef_cardsecurity"]));
  REQUIRE(cs.ok());
  bool found = false;
  for (const auto& k : cs->chip_authentication_public_keys)
    found = found || to_hex(k.public_key) ==
                         bsi["chip_authentication_v2"]["chip_static_public_key"].get<std::string>();
  CHECK(found);
  auto bsi_dh = vectors("bsi_eac_worked_example_dh.json");
  auto cs_dh = parse_card_security(hx(bsi_dh["files"]["ef_cardsecurity"]));
  REQUIRE(cs_dh.ok());
  found = false;
  for (const auto& k : cs_dh->chip_authentication_public_keys)
    found = found || to_hex(k.public_key) ==
                         bsi_dh["chip_authentication_v2"]["chip_static_public_key"].get<std::string>();
  CHECK(found);
}

TEST_CASE("malformed SecurityInfos are MalformedData") {
  const char* bad[] = {
      "",                                                    // empty
      "31",                                                  // truncated header
      "31143012060A04007F0007020204020202010202",            // truncated content
      "31143012060A04007F0007020204020202010202010D00",      // trailing byte
      "30143012060A04007F0007020204020202010202010D",        // SEQUENCE instead of SET
      "31143112060A04007F0007020204020202010202010D",        // SET instead of SEQUENCE inside
      "31143012040A04007F0007020204020202010202010D",        // OCTET STRING instead of OID
      "31143012060A04807F0007020204020202010202010D",        // bad OID encoding (arc starts with 0x80)
      "310F300D060A04007F000702020402020401",                // PACEInfo with BOOLEAN version
      "3110300E060A04007F000702020402020201",                // version truncated
      "31173015060A04007F0007020204020202010202010D020101",  // PACEInfo with extra element
      "3112301006080400817F00070202060204FFFFFF",            // bad inner TLV length
      "3108300602012A020101",                                // no OID first
      "31143012060A04007F00070202040202020102020180",        // negative parameter ID
  };
  for (const char* h : bad) {
    INFO(std::string(h));
    auto s = parse_security_infos(hex_bytes(h));
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::MalformedData);
  }
  CHECK(parse_dg14(hex_bytes("6F0431023000")).error().code == ErrorCode::MalformedData);
  CHECK(parse_card_security(hex_bytes("3003020101")).error().code == ErrorCode::MalformedData);
  // Unknown protocols are kept, not rejected.
  auto u = parse_security_infos(hex_bytes("310B3009060428810001020101"));
  REQUIRE(u.ok());
  REQUIRE(u->other.size() == 1);
  CHECK(u->other[0].protocol_oid == "1.0.128.1");
  // Unknown PACE sub-protocol (x = 5) is kept as other.
  auto p5 = parse_security_infos(hex_bytes("31143012060A04007F0007020204050202010202010D"));
  REQUIRE(p5.ok());
  CHECK(p5->pace.empty());
  CHECK(p5->other.size() == 1);
}

TEST_CASE("PACE protocol OID table") {
  struct Row {
    const char* oid;
    const char* name;
  };
  const Row rows[] = {
      {"0.4.0.127.0.7.2.2.4.1.1", "id-PACE-DH-GM-3DES-CBC-CBC"},
      {"0.4.0.127.0.7.2.2.4.1.4", "id-PACE-DH-GM-AES-CBC-CMAC-256"},
      {"0.4.0.127.0.7.2.2.4.2.3", "id-PACE-ECDH-GM-AES-CBC-CMAC-192"},
      {"0.4.0.127.0.7.2.2.4.3.2", "id-PACE-DH-IM-AES-CBC-CMAC-128"},
      {"0.4.0.127.0.7.2.2.4.4.1", "id-PACE-ECDH-IM-3DES-CBC-CBC"},
      {"0.4.0.127.0.7.2.2.4.6.2", "id-PACE-ECDH-CAM-AES-CBC-CMAC-128"},
      {"0.4.0.127.0.7.2.2.4.6.4", "id-PACE-ECDH-CAM-AES-CBC-CMAC-256"},
  };
  for (const auto& r : rows) {
    auto p = PaceProtocol::from_oid(r.oid);
    REQUIRE(p.has_value());
    CHECK(p->name() == r.name);
    CHECK(p->oid() == r.oid);
  }
  CHECK_FALSE(PaceProtocol::from_oid("0.4.0.127.0.7.2.2.4.6.1").has_value());  // no CAM with 3DES
  CHECK_FALSE(PaceProtocol::from_oid("0.4.0.127.0.7.2.2.4.5.2").has_value());
  CHECK_FALSE(PaceProtocol::from_oid("0.4.0.127.0.7.2.2.4.2").has_value());
  CHECK_FALSE(PaceProtocol::from_oid("0.4.0.127.0.7.2.2.4.2.2.1").has_value());
  CHECK(cipher_kdf_hash(SymCipher::Aes192) == crypto::HashAlg::Sha256);
  CHECK(cipher_kdf_hash(SymCipher::Des3) == crypto::HashAlg::Sha1);
}
