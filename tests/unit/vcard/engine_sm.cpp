// SPDX-License-Identifier: Apache-2.0
// Card engine: secure messaging against ICAO App. D.4 (3DES) and real-chip AES traces, SM
// error handling, and Chip Authentication v1 key switching.
#include "engine_fixture.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;
using dnie::test::vectors;

namespace {
void start_sm(VirtualCard::Impl& card, SmSuite s, const nlohmann::json& enc, const nlohmann::json& mac,
              const nlohmann::json& ssc) {
  card.sm.start(s, SecureBuffer(hx(enc)), SecureBuffer(hx(mac)), SecureBuffer(hx(ssc)));
  card.session.pace_password = Password::Mrz;
}

std::string strip_sw(const std::string& hex) { return hex.substr(0, hex.size() - 4); }
}  // namespace

TEST_CASE("3DES SM: ICAO App. D.4 EF.COM reads, card side") {
  auto v = vectors("sm_3des_appendix_d4.json");
  const auto& p = v["parameters"];
  CardOptions o;
  o.contactless = false;
  o.t0 = false;  // the App. D.4 trace is of a T=1-style exchange (no 61 xx)
  VirtualCard::Impl card(test_image(), o);
  CHECK(tx(card, "00A4040C07A0000002471001") == "9000");
  start_sm(card, SmSuite::Des3, p["KS_enc"], p["KS_mac"], p["SSC_initial"]);
  for (const auto& s : v["steps"]) {
    INFO(s["step"].get<std::string>());
    CHECK(tx(card, s["protected_command_apdu"].get<std::string>()) ==
          s["protected_response_apdu"].get<std::string>());
  }
  // The codec alone: unwrap gives the plain command back.
  CardSm sm;
  sm.start(SmSuite::Des3, SecureBuffer(hx(p["KS_enc"])), SecureBuffer(hx(p["KS_mac"])),
           SecureBuffer(hx(p["SSC_initial"])));
  Bytes cmd = hx(v["steps"][0]["protected_command_apdu"]);
  std::uint16_t sw = 0;
  auto un = sm.unwrap(cmd.data(), ByteView(cmd).subview(5, cmd[4]), &sw);
  REQUIRE(un);
  CHECK(to_hex(un->data) == "011E");
  CHECK(un->p2 == 0x0C);
  CHECK_FALSE(un->ne);
}

TEST_CASE("AES SM: real German chip, EF.CardSecurity reads (223-byte chunks)") {
  auto v = vectors("sm_aes_real_chip_traces.json")["vectors"]["aes128_post_pace_cam_reads_DE"];
  Bytes card_security;
  for (const auto& s : v["steps"]) append(card_security, hx(s["decrypted_response_data"]));
  CardImage img = test_image();
  img.mf.children.push_back(ef(0x011D, card_security));
  VirtualCard::Impl card(std::move(img), CardOptions{});
  start_sm(card, SmSuite::Aes, v["KS_enc"], v["KS_mac"], v["SSC_initial_after_PACE"]);
  for (const auto& s : v["steps"]) {
    INFO(s["unprotected_command"].get<std::string>());
    CHECK(tx(card, s["protected_command"].get<std::string>()) == s["protected_response"].get<std::string>());
  }
  CHECK(card.sm.active());
}

TEST_CASE("AES SM: BSI worked example command, codec level") {
  auto v = vectors("bsi_eac_worked_example_ecdh.json");
  const auto& s = v["secure_messaging_after_pace"];
  CardSm sm;
  sm.start(SmSuite::Aes, SecureBuffer(hx(v["pace"]["KS_enc"])), SecureBuffer(hx(v["pace"]["KS_mac"])),
           SecureBuffer(16));
  Bytes cmd = hx(s["protected_command"]);
  std::uint16_t sw = 0;
  auto un = sm.unwrap(cmd.data(), ByteView(cmd).subview(5, cmd[4]), &sw);
  REQUIRE(un);
  CHECK(to_hex(un->data) == s["command_data_plain"].get<std::string>());
  CHECK(to_hex(sm.wrap({}, 0x9000).value()) == strip_sw(s["protected_response"].get<std::string>()));
}

TEST_CASE("SM errors: plain command 69 87, bad MAC 69 88, both end SM") {
  auto v = vectors("sm_aes_real_chip_traces.json")["vectors"]["aes128_post_pace_cam_reads_DE"];
  VirtualCard::Impl card(test_image(), CardOptions{});
  start_sm(card, SmSuite::Aes, v["KS_enc"], v["KS_mac"], v["SSC_initial_after_PACE"]);
  CHECK(tx(card, "00A4000C02011C") == "6987");
  CHECK_FALSE(card.sm.active());
  start_sm(card, SmSuite::Aes, v["KS_enc"], v["KS_mac"], v["SSC_initial_after_PACE"]);
  std::string bad = v["steps"][0]["protected_command"].get<std::string>();
  bad[bad.size() - 4] = bad[bad.size() - 4] == '0' ? '1' : '0';  // flip a MAC nibble
  CHECK(tx(card, bad) == "6988");
  CHECK_FALSE(card.sm.active());
  start_sm(card, SmSuite::Aes, v["KS_enc"], v["KS_mac"], v["SSC_initial_after_PACE"]);
  CHECK(tx(card, "0CA4020C028702") == "6988");  // malformed objects
  start_sm(card, SmSuite::Aes, v["KS_enc"], v["KS_mac"], v["SSC_initial_after_PACE"]);
  CHECK(tx(card, "0CB00000039701FF") == "6987");  // no DO'8E'
  CHECK(tx(card, "0CB00000039701FF") == "6988");  // SM command without a session
}

TEST_CASE("AES SM: an explicit Le beyond the frame is chained with 61xx") {
  auto v = vectors("sm_aes_real_chip_traces.json")["vectors"]["aes128_post_pace_cam_reads_DE"];
  VirtualCard::Impl card(test_image(), CardOptions{});
  tx(card, "00A4000C02601F");
  start_sm(card, SmSuite::Aes, v["KS_enc"], v["KS_mac"], v["SSC_initial_after_PACE"]);
  TermSm t{hx(v["KS_enc"]), hx(v["KS_mac"])};
  Bytes r = card.process(t.protect(0x00, 0xB0, 0x00, 0x00, {}, 0xF0));  // 240 bytes
  REQUIRE(r.size() == 258);
  CHECK(r[256] == 0x61);
  Bytes rest = card.process(hex_bytes("00C0000000"));
  REQUIRE(rest.size() >= 2);
  Bytes all(r.begin(), r.begin() + 256);
  all.insert(all.end(), rest.begin(), rest.end());
  CHECK(t.open(all) == to_hex(ByteView(pattern(600, 2)).first(240)) + "9000");
  // Le 00 gets what fits: 223 bytes.
  Bytes r2 = card.process(t.protect(0x00, 0xB0, 0x00, 0x00, {}, 0x00));
  CHECK(r2.size() == 244);
  CHECK(t.open(r2).size() == (223 + 2) * 2);
  // SELECT under SM still returns the FCI.
  CHECK(t.open(card.process(t.protect(0x00, 0xA4, 0x00, 0x00, hx("0006"), std::nullopt))) ==
        "6F0C850A0100060009"
        "00FFFFFFFF"
        "9000");
}

TEST_CASE("Chip Authentication v1 (AES): real Austrian chip trace under the old keys") {
  auto v = vectors("sm_aes_real_chip_traces.json")["vectors"]["aes128_chip_authentication_v1_AT"];
  const auto& old = v["SM_before_CA"];
  VirtualCard::Impl card(test_image(), CardOptions{});
  start_sm(card, SmSuite::Aes, old["KS_enc"], old["KS_mac"], old["SSC_initial"]);
  // The chip's private key is not published: the responses under the old keys do not depend on it.
  for (const auto& s : v["steps_under_old_keys"])
    CHECK(tx(card, s["protected_command"].get<std::string>()) == s["protected_response"].get<std::string>());
  CHECK(card.sm.active());
  // KDF of the new keys (CA v1: no nonce) and the first command under them, codec level.
  CHECK(to_hex(kdf(hx(v["shared_secret_K_computed"]), 1, SymCipher::Aes128).view()) ==
        v["new_KS_enc"].get<std::string>());
  CHECK(to_hex(kdf(hx(v["shared_secret_K_computed"]), 2, SymCipher::Aes128).view()) ==
        v["new_KS_mac"].get<std::string>());
  CardSm sm;
  sm.start(SmSuite::Aes, SecureBuffer(hx(v["new_KS_enc"])), SecureBuffer(hx(v["new_KS_mac"])),
           SecureBuffer(16));
  const auto& f = v["first_command_under_new_keys"];
  Bytes cmd = hx(f["protected_command"]);
  std::uint16_t sw = 0;
  REQUIRE(sm.unwrap(cmd.data(), ByteView(cmd).subview(5, cmd[4]), &sw));
  CHECK(to_hex(sm.wrap({}, 0x9000).value()) == strip_sw(f["protected_response"].get<std::string>()));
}

TEST_CASE("Chip Authentication v1 (AES) with a known key switches to KDF(K) with SSC 0") {
  auto v = vectors("bsi_eac_worked_example_ecdh.json")["chip_authentication_v2"];
  CardImage img = test_image();
  img.ca_private_key = hx(v["chip_static_private_key"]);
  VirtualCard::Impl card(std::move(img), CardOptions{});
  Bytes k1(16, 0x11), k2(16, 0x22);
  card.sm.start(SmSuite::Aes, SecureBuffer(k1), SecureBuffer(k2), SecureBuffer(16));
  card.session.pace_password = Password::Can;
  TermSm t{k1, k2};
  CHECK(t.open(card.process(
            t.protect(0x00, 0x22, 0x41, 0xA4, hx("800A04007F00070202030202"), std::nullopt))) == "9000");
  Bytes ga = tlv::encode(0x7C, tlv::encode(0x80, hx(v["terminal_ephemeral_public_key"])));
  CHECK(t.open(card.process(t.protect(0x00, 0x86, 0x00, 0x00, ga, 0x00))) == "7C009000");
  TermSm n{kdf(hx(v["shared_secret_K"]), 1, SymCipher::Aes128).view().to_bytes(),
           kdf(hx(v["shared_secret_K"]), 2, SymCipher::Aes128).view().to_bytes()};
  CHECK(n.open(card.process(n.protect(0x00, 0xA4, 0x00, 0x0C, hx("011C"), std::nullopt))) == "9000");
  // A cloned chip (no private key) answers the same under the old keys, then MACs fail.
  CardImage clone = test_image();
  VirtualCard::Impl c2(std::move(clone), CardOptions{});
  c2.sm.start(SmSuite::Aes, SecureBuffer(k1), SecureBuffer(k2), SecureBuffer(16));
  c2.session.pace_password = Password::Can;
  TermSm t2{k1, k2};
  CHECK(t2.open(c2.process(
            t2.protect(0x00, 0x22, 0x41, 0xA4, hx("800A04007F00070202030202"), std::nullopt))) == "9000");
  CHECK(t2.open(c2.process(t2.protect(0x00, 0x86, 0x00, 0x00, ga, 0x00))) == "7C009000");
  TermSm n2{n.kenc, n.kmac};
  CHECK(n2.open(c2.process(n2.protect(0x00, 0xA4, 0x00, 0x0C, hx("011C"), std::nullopt))) == "badmac");
  // CA outside PACE SM is refused.
  VirtualCard::Impl c3(test_image(), CardOptions{});
  CHECK(tx(c3, "002241A40C800A04007F00070202030202") == "6982");
}
