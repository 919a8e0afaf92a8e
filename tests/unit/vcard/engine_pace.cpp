// SPDX-License-Identifier: Apache-2.0
// Card engine: PACE chip side replayed against published worked examples (the oracle): the
// chip's nonce and ephemeral keys are injected, the terminal's commands are fed, and the card's
// responses must equal the published ones byte for byte.
#include <cctype>
#include <cstdio>
#include <map>

#include "engine_fixture.hpp"

using namespace dnie;
using namespace dnie::vcard;
using namespace dnie::vcard::test;
using dnie::test::vectors;

namespace {
/// Replays apdus[first..last) and compares responses; `override_resp` maps step index → response.
void replay(VirtualCard::Impl& card, const nlohmann::json& apdus, std::size_t count,
            const std::map<std::size_t, std::string>& override_resp = {},
            const std::map<std::size_t, std::string>& override_cmd = {}) {
  for (std::size_t i = 0; i < count; ++i) {
    const auto& a = apdus.at(i);
    std::string cmd = override_cmd.count(i) ? override_cmd.at(i) : a.at("command").get<std::string>();
    std::string want = override_resp.count(i) ? override_resp.at(i) : a.at("response").get<std::string>();
    INFO("step " << a.at("step").get<std::string>());
    CHECK(tx(card, cmd) == want);
  }
}
}  // namespace

TEST_CASE("PACE GM ECDH brainpoolP256r1, MRZ (ICAO 9303-11 App. G.1)") {
  auto v = vectors("pace_gm_ecdh_brainpoolp256r1.json");
  const auto& val = v["values"];
  VirtualCard::Impl card(test_image(hx(v["parameters"]["ef_cardaccess"])), CardOptions{});
  CHECK(mrz_information(dg1_td1()).value() == val["mrz_information_ascii"].get<std::string>());
  card.forced_random = {hx(val["decrypted_nonce_s"]), hx(val["chip_mapping_private_key"]),
                        hx(val["chip_ephemeral_private_key"])};
  replay(card, v["apdus"], 5);
  CHECK(card.sm.active());
  CHECK(card.session.pace_password == Password::Mrz);
  // Then read DG1 over the new channel (contactless: needs PACE SM), as a terminal would.
  TermSm t{hx(val["KS_enc"]), hx(val["KS_mac"])};
  CHECK(t.open(card.process(t.protect(0x00, 0xA4, 0x04, 0x0C, hx("A0000002471001"), std::nullopt))) ==
        "9000");
  CHECK(t.open(card.process(t.protect(0x00, 0xB0, 0x81, 0x00, {}, 0x00))) == to_hex(dg1_td1()) + "9000");
  CHECK(t.open(card.process(t.protect(0x00, 0xB0, 0x83, 0x00, {}, 0x00))) == "6982");  // DG3
  CHECK(tx(card, "00B0810000") == "6987");                                             // plain read ends SM
  // The gmrtd form of MSE:Set AT (with 84 01 0D) is accepted too.
  VirtualCard::Impl card2(test_image(hx(v["parameters"]["ef_cardaccess"])), CardOptions{});
  CHECK(tx(card2, "0022C1A412800A04007F0007020204020283010184010D") == "9000");
  CHECK(tx(card2, "0022C1A412800A04007F0007020204020283010184010C") == "6A80");  // not offered
}

TEST_CASE("PACE GM DH 1024 (ICAO 9303-11 App. G.2)") {
  auto v = vectors("pace_gm_dh_1024.json");
  const auto& val = v["values"];
  VirtualCard::Impl card(test_image(hx(v["parameters"]["ef_cardaccess"])), CardOptions{});
  card.forced_random = {hx(val["decrypted_nonce_s"]), hx(val["chip_mapping_private_key"]),
                        hx(val["chip_ephemeral_private_key"])};
  // The G.2 chip also returned DO'87' (CAR of its CVCA, conditional, for EAC terminals); the
  // DNIe has no terminal authentication, so the virtual card answers T_IC only.
  replay(card, v["apdus"], v["apdus"].size(), {{4, "7C0A8608" + val["T_IC"].get<std::string>() + "9000"}});
  CHECK(card.sm.active());
}

TEST_CASE("PACE IM ECDH brainpoolP256r1 (ICAO 9303-11 App. H.1)") {
  auto v = vectors("pace_im_ecdh_brainpoolp256r1.json");
  const auto& val = v["values"];
  // K_pi = KDF_pi("123456"): replayed with the CAN 123456 (the source mocks K_pi under ref 01).
  VirtualCard::Impl card(test_image(hx("31143012060A04007F0007020204040202010202010D")), CardOptions{});
  card.forced_random = {hx(val["decrypted_nonce_s"]), hx(val["chip_ephemeral_private_key"])};
  // GA2 of IM: the chip answers an empty dynamic authentication data object 7C 00 (9303-11
  // §4.4.4.2); the source recorded only the status word.
  replay(card, v["apdus"], 5, {{2, "7C009000"}}, {{0, "0022C1A40F800A04007F00070202040402830102"}});
  CHECK(card.sm.active());
  // Internals against the published intermediate values.
  auto prf = im_prf(SymCipher::Aes128, hx(val["decrypted_nonce_s"]), hx(val["terminal_nonce_t"]), 256);
  CHECK(to_hex(prf->view()) == val["prf_output_R_s_t"].get<std::string>());
  auto dom = KaDomain::standard(13).value();
  auto g = im_point_encode(dom.ec().params(), prf->view());
  CHECK(to_hex(g.value()) == val["mapped_generator_G_hat"].get<std::string>());
}

TEST_CASE("PACE IM DH 1024 (ICAO 9303-11 App. H.2): nonce and mapping") {
  auto v = vectors("pace_im_dh_1024.json");
  const auto& val = v["values"];
  VirtualCard::Impl card(test_image(hx("31143012060A04007F00070202040302020102020100")), CardOptions{});
  card.forced_random = {hx(val["decrypted_nonce_s"])};
  // The chip's ephemeral private key is not published: replay up to the mapping.
  replay(card, v["apdus"], 3, {{2, "7C009000"}}, {{0, "0022C1A40F800A04007F00070202040302830102"}});
  auto dom = KaDomain::standard(0).value();
  auto mapped =
      dom.map_integrated(SymCipher::Aes128, hx(val["decrypted_nonce_s"]), hx(val["terminal_nonce_t"]));
  REQUIRE(mapped);
  CHECK(to_hex(mapped->dh().g()) == val["mapped_generator_g_hat"].get<std::string>());
}

TEST_CASE("PACE-CAM ECDH (ICAO 9303-11 App. I)") {
  auto v = vectors("pace_cam_ecdh_brainpoolp256r1.json");
  const auto& val = v["values"];
  CardImage img = test_image(hx(v["parameters"]["ef_cardaccess"]));
  // DG1 for the German specimen C11T002JM (MRZ_information C11T002JM496081222310314).
  std::string l1 = "I<D<<C11T002JM4";
  l1.resize(30, '<');
  std::string l2 = "9608122F2310314D<<";
  l2.resize(29, '<');
  l2 += "4";
  std::string l3 = "MUSTERMANN<<ERIKA";
  l3.resize(30, '<');
  img.mf.children.back().children[0].content =
      tlv::encode(0x61, tlv::encode(0x5F1F, ByteView::of(l1 + l2 + l3)));
  img.ca_private_key = hx(val["SK_IC_static_private_key_derived"]);
  VirtualCard::Impl card(std::move(img), CardOptions{});
  card.forced_random = {hx(val["decrypted_nonce_s"]), hx(val["chip_mapping_private_key_SK_Map_IC"])};
  // The chip's ephemeral key of App. I is not published: replay the first three steps.
  replay(card, v["apdus"], 3);
  // A_IC from the published KS_enc, SK_IC and SK_Map,IC.
  auto dom = KaDomain::standard(13).value();
  auto a_ic = cam_data(SymCipher::Aes128, hx(val["KS_enc"]), hx(val["SK_IC_static_private_key_derived"]),
                       hx(val["chip_mapping_private_key_SK_Map_IC"]), dom.order());
  CHECK(to_hex(a_ic.value()) == val["A_IC_encrypted_chip_authentication_data"].get<std::string>());
}

namespace {
/// BSI worked example (PIN 123456) as APDUs; `ref` 02 (CAN) or 03 (PIN); `token` overrides T_PCD.
struct BsiRun {
  nlohmann::json p;
  std::string mse(int ref) const {
    return std::string("0022C1A412800A04007F0007020204020283010") + std::to_string(ref) + "84010D";
  }
  std::string ga1() const { return "10860000027C0000"; }
  std::string ga2() const {
    return "10860000457C438141" + p["terminal_mapping_public_key"].get<std::string>() + "00";
  }
  std::string ga3() const {
    return "10860000457C438341" + p["terminal_ephemeral_public_key"].get<std::string>() + "00";
  }
  std::string ga4(const std::string& t) const { return "008600000C7C0A8508" + t + "00"; }
  void force(VirtualCard::Impl& card) const {
    card.forced_random = {hx(p["decrypted_nonce_s"]), hx(p["chip_mapping_private_key"]),
                          hx(p["chip_ephemeral_private_key"])};
  }
  /// Runs GA1..GA4 with `token` and returns the GA4 response.
  std::string run(VirtualCard::Impl& card, const std::string& token) const {
    force(card);
    CHECK(tx(card, ga1()) == "7C128010" + p["encrypted_nonce_z"].get<std::string>() + "9000");
    CHECK(tx(card, ga2()) == "7C438241" + p["chip_mapping_public_key"].get<std::string>() + "9000");
    CHECK(tx(card, ga3()) == "7C438441" + p["chip_ephemeral_public_key"].get<std::string>() + "9000");
    return tx(card, ga4(token));
  }
};
}  // namespace

TEST_CASE("PACE with PIN: BSI EAC worked example, then its first SM command") {
  auto v = vectors("bsi_eac_worked_example_ecdh.json");
  BsiRun b{v["pace"]};
  VirtualCard::Impl card(test_image(), CardOptions{});
  CHECK(tx(card, b.mse(3)) == "9000");
  CHECK(b.run(card, b.p["T_PCD"].get<std::string>()) ==
        "7C0A8608" + b.p["T_PICC"].get<std::string>() + "9000");
  REQUIRE(card.sm.active());
  CHECK(card.session.pace_password == Password::Pin);
  // The protected MSE:Set DST of the example verifies under the new keys (SSC 1); the card
  // answers 6A 88 (no such key: 81 B6 selects CWA-14890 CV keys only), protected with SSC 2.
  const auto& s = v["secure_messaging_after_pace"];
  std::string resp = tx(card, s["protected_command"].get<std::string>());
  TermSm t{hx(b.p["KS_enc"]), hx(b.p["KS_mac"])};
  t.inc();  // the command's SSC
  CHECK(t.open(hex_bytes(resp)) == "6A88");
}

TEST_CASE("PIN counter: 63 C2, 63 C1 suspended, CAN resumes, success resets, blocked refuses") {
  auto v = vectors("bsi_eac_worked_example_ecdh.json");
  BsiRun b{v["pace"]};
  const std::string wrong = "0000000000000000";
  VirtualCard::Impl card(test_image(), CardOptions{});
  CHECK(tx(card, b.mse(3)) == "9000");
  CHECK(b.run(card, wrong) == "63C2");
  CHECK(tx(card, b.ga1()) == "6985");  // the run is over
  CHECK(tx(card, b.mse(3)) == "9000");
  CHECK(b.run(card, wrong) == "63C1");
  CHECK(tx(card, b.mse(3)) == "63C1");  // suspended
  // CAN PACE (same password bytes in this fixture) resumes the PIN.
  CHECK(tx(card, b.mse(2)) == "9000");
  CHECK(b.run(card, b.p["T_PCD"].get<std::string>()).substr(0, 8) == "7C0A8608");
  REQUIRE(card.sm.active());
  CHECK(tx(card, b.mse(3)) == "6987");  // plain while SM is active: SM ends, nothing executed
  CHECK_FALSE(card.sm.active());
  CHECK(tx(card, b.mse(3)) == "9000");  // resumed
  CHECK(b.run(card, b.p["T_PCD"].get<std::string>()).substr(0, 8) == "7C0A8608");
  CHECK(card.image.pin_tries_left == 3);

  // Blocking: from one try left, resume and fail once more.
  card.image.pin_tries_left = 1;
  card.power_on();
  CHECK(tx(card, b.mse(3)) == "63C1");
  CHECK(tx(card, b.mse(2)) == "9000");
  CHECK(b.run(card, b.p["T_PCD"].get<std::string>()).substr(0, 8) == "7C0A8608");
  tx(card, "00A4000C023F00");  // plain: ends SM
  CHECK(tx(card, b.mse(3)) == "9000");
  CHECK(b.run(card, wrong) == "63C0");
  CHECK(tx(card, b.mse(3)) == "63C0");
  CHECK(tx(card, b.ga1()) == "6985");
  card.power_on();
  CHECK(tx(card, b.mse(3)) == "63C0");  // blocked survives resets
}

TEST_CASE("PIN counter persists in the state file") {
  const std::string path = "engine_pace_state.txt";
  std::remove(path.c_str());
  auto v = vectors("bsi_eac_worked_example_ecdh.json");
  BsiRun b{v["pace"]};
  CardOptions o;
  o.state_file = path;
  {
    VirtualCard::Impl card(test_image(), o);
    CHECK(tx(card, b.mse(3)) == "9000");
    CHECK(b.run(card, "0000000000000000") == "63C2");
  }
  {
    VirtualCard::Impl card(test_image(), o);
    CHECK(card.image.pin_tries_left == 2);
  }
  CardImage other = test_image();
  other.seed = 7;  // a different card ignores the file
  VirtualCard::Impl card(std::move(other), o);
  CHECK(card.image.pin_tries_left == 3);
  std::remove(path.c_str());
}

TEST_CASE("PACE CAN wrong token: 63 00, not counted; MSE errors") {
  auto v = vectors("bsi_eac_worked_example_ecdh.json");
  BsiRun b{v["pace"]};
  VirtualCard::Impl card(test_image(), CardOptions{});
  CHECK(tx(card, b.mse(2)) == "9000");
  CHECK(b.run(card, "0102030405060708") == "6300");
  CHECK(card.image.pin_tries_left == 3);
  CHECK(tx(card, "0022C1A412800A04007F0007020204020283010484010D") == "6A88");  // PUK: none
  CHECK(tx(card, "0022C1A40F800A04007F00070202040102830102") == "6A80");        // DH GM not offered
  CHECK(tx(card, "0022C1A403830102") == "6982");  // no OID: a CWA-14890 Set AT, needs PACE on NFC
  CHECK(tx(card, "10860000027C0000") == "6985");  // GA without MSE
}

TEST_CASE("card KDF against the published vectors (3DES, AES-128/192/256)") {
  auto v = vectors("kdf_vectors.json");
  int checked = 0;
  for (const auto& e : v["vectors"]) {
    if (e.contains("nonce")) continue;  // CA v2 (not on the DNIe)
    const std::string c = e["cipher"].get<std::string>();
    const int bits = e["key_bits"].get<int>();
    SymCipher sc = c == "3DES"   ? SymCipher::Des3
                   : bits == 128 ? SymCipher::Aes128
                   : bits == 192 ? SymCipher::Aes192
                                 : SymCipher::Aes256;
    INFO(e["name"].get<std::string>());
    std::string want = e["expected"].get<std::string>();
    for (auto& ch : want) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    CHECK(to_hex(kdf(hx(e["K"]), e["counter"].get<std::uint32_t>(), sc).view()) == want);
    ++checked;
  }
  CHECK(checked >= 12);
}

TEST_CASE("3DES PACE pieces against a real chip (NZ): nonce, session keys, tokens") {
  auto v = vectors("pace_gm_ecdh_3des_real_chip_nz.json");
  const auto& val = v["values"];
  CHECK(
      to_hex(cbc_encrypt0(SymCipher::Des3, hx(val["K_pi"]), hx(val["decrypted_nonce_s_computed"]))->view()) ==
      val["encrypted_nonce_z"].get<std::string>());
  CHECK(to_hex(kdf(hx(val["shared_secret_K_computed"]), 1, SymCipher::Des3).view()) ==
        val["KS_enc"].get<std::string>());
  CHECK(to_hex(kdf(hx(val["shared_secret_K_computed"]), 2, SymCipher::Des3).view()) ==
        val["KS_mac"].get<std::string>());
  const Bytes oid = hx(v["parameters"]["oid"]);
  CHECK(to_hex(token_input(oid, true, hx(val["terminal_ephemeral_public_key"]))) ==
        val["auth_token_input_for_T_IC_computed"].get<std::string>());
  CHECK(to_hex(token_mac(SymCipher::Des3, hx(val["KS_mac"]), hx(val["auth_token_input_for_T_IC_computed"]))
                   .value()) == val["T_IC"].get<std::string>());
  CHECK(to_hex(token_mac(SymCipher::Des3, hx(val["KS_mac"]), hx(val["auth_token_input_for_T_IFD_computed"]))
                   .value()) == val["T_IFD"].get<std::string>());
}

TEST_CASE("EF.CardAccess parsing keeps PACEInfos only") {
  auto v = vectors("bsi_eac_worked_example_ecdh.json");
  auto infos = parse_card_access(hx(v["files"]["ef_cardaccess"]));
  REQUIRE(infos.size() == 1);
  CHECK(infos[0].param_id == 13);
  CHECK(infos[0].version == 2);
  CHECK(infos[0].alg.mapping == PaceMapping::Generic);
  CHECK(infos[0].alg.ec);
  CHECK(parse_card_access(hx("3000")).empty());
  CHECK(parse_card_access({}).empty());
}
