// SPDX-License-Identifier: Apache-2.0
// PACE against published worked examples (ICAO 9303-11 App. G, H, I; BSI EAC worked example)
// and real-chip traces, byte for byte, with the published terminal keys injected.
#include <deque>

#include "dnie/auth/pace.hpp"
#include "dnie/auth/security_infos.hpp"
#include "dnie/sm/secure_messaging.hpp"

#include "auth/pace_internal.hpp"
#include "crypto/bigint.hpp"
#include "fixed_rng.hpp"
#include "pace_test_util.hpp"

using namespace dnie;
using namespace dnie::auth;
using dnie::test::FixedOutputRng;
using dnie::test::hx;
using dnie::test::sb;
using dnie::test::vectors;

namespace {

/// The published DH examples use the 1024-bit group (ID 0, 80-bit security): their tests opt in
/// to it explicitly; the default policy refuses it.
PacePolicy weak_dh_policy() {
  PacePolicy p;
  p.min_security_bits = 80;
  return p;
}

/// A published DH private exponent reduced mod q (DH group ID 0). g^x = g^(x mod q) for every
/// generator of the order-q subgroup, the mapped one too, so the public keys and the shared secret
/// are the published ones; DhGroup::generate draws exponents below q (as many bytes as q).
Bytes dh_exponent(const nlohmann::json& x_hex) {
  auto group = crypto::DhGroup::standard(0);
  REQUIRE(group.ok());
  auto r = crypto::BigInt::from_bytes(hx(x_hex)).mod(crypto::BigInt::from_bytes(group->q()));
  REQUIRE(r.ok());
  return r->to_bytes().value();
}

PaceChoice choice_from_card_access(const nlohmann::json& ef_hex, const PacePolicy& policy = {}) {
  auto infos = parse_card_access(hx(ef_hex));
  REQUIRE_MESSAGE(infos.ok(), infos.error().to_string());
  auto c = choose_pace(*infos, {}, policy);
  REQUIRE_MESSAGE(c.ok(), c.error().to_string());
  return std::move(c).value();
}

/// Replays the vector's APDUs. The terminal's keys come from opt.rng (a FixedOutputRng with the
/// published ones, which must all be drawn); `k_pi` for traces that publish K_pi, not the password.
PaceOutcome replay(const nlohmann::json& v, const PaceChoice& choice, PacePassword pw, PaceOptions opt,
                   const SecureBuffer* k_pi = nullptr) {
  transport::ScriptedTransport t;
  test::script_apdus(t, v);
  auto* fixed = dynamic_cast<FixedOutputRng*>(opt.rng);
  auto engine = k_pi ? PaceEngineAccess::create_with_k_pi(choice, pw.type(), k_pi->clone(), std::move(opt))
                     : PaceEngine::create(choice, std::move(pw), std::move(opt));
  REQUIRE_MESSAGE(engine.ok(), engine.error().to_string());
  auto out = run_pace(t, *engine);
  REQUIRE_MESSAGE(out.ok(), out.error().to_string());
  CHECK(t.done());
  CHECK(engine->finished());
  REQUIRE(fixed != nullptr);
  CHECK(fixed->remaining() == 0);  // every published terminal secret was used
  return std::move(out).value();
}

void check_keys(const PaceOutcome& o, const nlohmann::json& vals) {
  CHECK(to_hex(o.k_enc.view()) == vals["KS_enc"].get<std::string>());
  CHECK(to_hex(o.k_mac.view()) == vals["KS_mac"].get<std::string>());
  CHECK(to_hex(o.result.chip_ephemeral_public_key) == vals["chip_ephemeral_public_key"].get<std::string>());
  CHECK(to_hex(o.result.terminal_ephemeral_public_key) ==
        vals["terminal_ephemeral_public_key"].get<std::string>());
}

}  // namespace

TEST_CASE("ICAO 9303-11 App. G.1: GM ECDH brainpoolP256r1, MRZ, AES-128") {
  auto v = vectors("pace_gm_ecdh_brainpoolp256r1.json");
  const auto& x = v["values"];
  auto pw = PacePassword::mrz(x["document_number"].get<std::string>(), x["date_of_birth"].get<std::string>(),
                              x["date_of_expiry"].get<std::string>());
  REQUIRE(pw.ok());
  CHECK(to_hex(pw->secret().view()) == x["K_sha1_mrz_information"].get<std::string>());
  CHECK(to_hex(derive_k_pi(*pw, SymCipher::Aes128)->view()) == x["K_pi"].get<std::string>());

  PaceOptions opt;
  opt.parameter_id_do = PaceOptions::ParameterIdDo::Never;  // the ICAO print has no DO 84
  FixedOutputRng rng{hx(x["terminal_mapping_private_key"]), hx(x["terminal_ephemeral_private_key"])};
  opt.rng = &rng;
  auto choice = choice_from_card_access(v["parameters"]["ef_cardaccess"]);
  CHECK(choice.info.protocol.name() == "id-PACE-ECDH-GM-AES-CBC-CMAC-128");
  auto o = replay(v, choice, std::move(pw).value(), std::move(opt));
  check_keys(o, x);
  CHECK(o.result.suite == sm::Suite::Aes);
  CHECK_FALSE(o.result.cam.has_value());
  CHECK_FALSE(o.result.chip_authenticated);  // GM never authenticates the chip
  PaceResult gm = o.result;
  CHECK(complete_cam(gm, SecurityInfos{}).error().code == ErrorCode::InvalidState);
  CHECK_FALSE(gm.chip_authenticated);
  CHECK(o.result.car.empty());

  // Token building blocks.
  Bytes oid = hx(v["parameters"]["oid"]);
  CHECK(to_hex(pace_internal::token_input(oid, KeyAgreement::Ecdh, hx(x["chip_ephemeral_public_key"]))) ==
        x["auth_token_input_for_T_IFD_chip_pubkey"].get<std::string>());
  CHECK(to_hex(*pace_internal::auth_token(SymCipher::Aes128, hx(x["KS_mac"]),
                                          hx(x["auth_token_input_for_T_IC_terminal_pubkey"]))) ==
        x["T_IC"].get<std::string>());
  // The session starts with SSC = 0.
  auto session = o.make_session();
  REQUIRE(session.ok());
  CHECK(session->suite() == sm::Suite::Aes);
  CHECK(session->options().append_le);
}

TEST_CASE("ICAO 9303-11 App. G.2: GM DH 1024, MRZ, AES-128, CAR in GA4") {
  auto v = vectors("pace_gm_dh_1024.json");
  const auto& x = v["values"];
  auto pw = PacePassword::from_mrz_information(x["mrz_information_ascii"].get<std::string>());
  REQUIRE(pw.ok());
  PaceOptions opt;
  opt.parameter_id_do = PaceOptions::ParameterIdDo::Never;
  FixedOutputRng rng{hx(x["terminal_mapping_private_key"]), hx(x["terminal_ephemeral_private_key"])};
  opt.rng = &rng;
  opt.policy = weak_dh_policy();
  auto by_default = choose_pace(parse_card_access(hx(v["parameters"]["ef_cardaccess"])).value());
  REQUIRE_FALSE(by_default.ok());  // not by default
  CHECK(by_default.error().code == ErrorCode::Unsupported);
  CHECK(by_default.error().message.find("DH 1024 (0) offers 80-bit security") != std::string::npos);
  auto choice = choice_from_card_access(v["parameters"]["ef_cardaccess"], opt.policy);
  CHECK(choice.params.is_dh());
  auto o = replay(v, choice, std::move(pw).value(), std::move(opt));
  check_keys(o, x);
  CHECK(to_hex(o.result.car) == x["CAR_returned_in_GA4_tag87"].get<std::string>());
}

TEST_CASE("ICAO 9303-11 App. H.1: IM ECDH brainpoolP256r1 (R(s,t), point encoding)") {
  auto v = vectors("pace_im_ecdh_brainpoolp256r1.json");
  const auto& x = v["values"];
  auto group = crypto::EcGroup::standard(13);
  REQUIRE(group.ok());
  auto r =
      pace_internal::im_prf(SymCipher::Aes128, hx(x["decrypted_nonce_s"]), hx(x["terminal_nonce_t"]), 256);
  REQUIRE(r.ok());
  CHECK(to_hex(r->view()) == x["prf_output_R_s_t"].get<std::string>());
  auto g = pace_internal::im_map_ec(*group, SymCipher::Aes128, hx(x["decrypted_nonce_s"]),
                                    hx(x["terminal_nonce_t"]));
  REQUIRE_MESSAGE(g.ok(), g.error().to_string());
  CHECK(to_hex(*g) == x["mapped_generator_G_hat"].get<std::string>());

  PaceOptions opt;
  opt.parameter_id_do = PaceOptions::ParameterIdDo::Never;
  const SecureBuffer k_pi = sb(x["K_pi"]);  // the example gives K_pi
  FixedOutputRng rng{hx(x["terminal_nonce_t"]), hx(x["terminal_ephemeral_private_key"])};
  opt.rng = &rng;
  auto choice = pace_choice_for(v["parameters"]["oid_dotted"].get<std::string>(), 13);
  REQUIRE(choice.ok());
  auto o = replay(v, *choice, PacePassword::raw(PasswordType::Mrz, SecureBuffer()), std::move(opt), &k_pi);
  check_keys(o, x);
}

TEST_CASE("ICAO 9303-11 App. H.2: IM DH 1024") {
  auto v = vectors("pace_im_dh_1024.json");
  const auto& x = v["values"];
  auto group = crypto::DhGroup::standard(0);
  REQUIRE(group.ok());
  auto r =
      pace_internal::im_prf(SymCipher::Aes128, hx(x["decrypted_nonce_s"]), hx(x["terminal_nonce_t"]), 1024);
  REQUIRE(r.ok());
  CHECK(to_hex(r->view()) == x["prf_output_R_s_t"].get<std::string>());
  auto g = pace_internal::im_map_dh(*group, SymCipher::Aes128, hx(x["decrypted_nonce_s"]),
                                    hx(x["terminal_nonce_t"]));
  REQUIRE(g.ok());
  CHECK(to_hex(*g) == x["mapped_generator_g_hat"].get<std::string>());

  PaceOptions opt;
  opt.parameter_id_do = PaceOptions::ParameterIdDo::Never;
  const SecureBuffer k_pi = sb(x["K_pi"]);  // the example gives K_pi
  FixedOutputRng rng{hx(x["terminal_nonce_t"]), dh_exponent(x["terminal_ephemeral_private_key"])};
  opt.rng = &rng;
  auto choice = pace_choice_for(v["parameters"]["oid_dotted"].get<std::string>(), 0);
  REQUIRE(choice.ok());
  auto by_default =
      PaceEngine::create(*choice, PacePassword::raw(PasswordType::Mrz, SecureBuffer()), opt.clone());
  REQUIRE_FALSE(by_default.ok());  // not by default
  CHECK(by_default.error().code == ErrorCode::Unsupported);
  opt.policy = weak_dh_policy();
  auto o = replay(v, *choice, PacePassword::raw(PasswordType::Mrz, SecureBuffer()), std::move(opt), &k_pi);
  check_keys(o, x);
}

TEST_CASE("ICAO 9303-11 App. I: PACE-CAM, CA_IC decryption and PK_IC check") {
  auto v = vectors("pace_cam_ecdh_brainpoolp256r1.json");
  const auto& x = v["values"];
  auto pw = PacePassword::from_mrz_information(x["mrz_information_ascii"].get<std::string>());
  REQUIRE(pw.ok());
  PaceOptions opt;
  opt.parameter_id_do = PaceOptions::ParameterIdDo::Never;
  FixedOutputRng rng{hx(x["terminal_mapping_private_key"]), hx(x["terminal_ephemeral_private_key"])};
  opt.rng = &rng;
  auto choice = choice_from_card_access(v["parameters"]["ef_cardaccess"]);
  CHECK(choice.info.protocol.mapping == PaceMapping::ChipAuthentication);
  auto o = replay(v, choice, std::move(pw).value(), std::move(opt));
  check_keys(o, x);
  REQUIRE(o.result.cam.has_value());
  const CamData& cam = *o.result.cam;
  CHECK(to_hex(cam.ca_ic) == x["CA_IC_decrypted_chip_authentication_data"].get<std::string>());
  CHECK(to_hex(cam.pk_map_ic) == x["chip_mapping_public_key_PK_Map_IC"].get<std::string>());
  CHECK(verify_cam(cam, hx(x["PK_IC_chip_static_public_key"])).ok());
  // The same through a parsed ChipAuthenticationPublicKeyInfo (as found in EF.CardSecurity).
  Bytes set = tlv::encode(0x31, hx(x["ChipAuthenticationPublicKeyInfo_DER"]));
  auto infos = parse_security_infos(set);
  REQUIRE_MESSAGE(infos.ok(), infos.error().to_string());
  REQUIRE(infos->chip_authentication_public_keys.size() == 1);
  CHECK(infos->chip_authentication_public_keys[0].key_id == 13);
  CHECK(verify_cam(cam, *infos).ok());
  // A different static key must fail.
  auto wrong = verify_cam(cam, hx(x["chip_mapping_public_key_PK_Map_IC"]));
  CHECK(wrong.error().code == ErrorCode::VerificationFailed);
  // PACE alone does not authenticate the chip; complete_cam() with the static key does.
  CHECK_FALSE(o.result.chip_authenticated);
  PaceResult good = o.result;
  REQUIRE(complete_cam(good, *infos).ok());
  CHECK(good.chip_authenticated);
  CHECK(complete_cam(good, *infos, 12).error().code == ErrorCode::NotFound);  // no key with that ID
  CHECK_FALSE(good.chip_authenticated);
  // A flipped CA_IC (a chip without the private key PK_IC belongs to) fails.
  PaceResult flipped = o.result;
  flipped.cam->ca_ic.back() ^= 0x01;
  CHECK(verify_cam(*flipped.cam, hx(x["PK_IC_chip_static_public_key"])).error().code ==
        ErrorCode::VerificationFailed);
  CHECK(complete_cam(flipped, *infos).error().code == ErrorCode::VerificationFailed);
  CHECK_FALSE(flipped.chip_authenticated);
}

TEST_CASE("Real chip (NZ): GM ECDH with 3DES, retail-MAC tokens") {
  auto v = vectors("pace_gm_ecdh_3des_real_chip_nz.json");
  const auto& x = v["values"];
  PaceOptions opt;                          // default: DO 84 sent, as in the trace
  const SecureBuffer k_pi = sb(x["K_pi"]);  // a real chip's trace: K_pi, not the password
  FixedOutputRng rng{hx(x["terminal_mapping_private_key"]), hx(x["terminal_ephemeral_private_key"])};
  opt.rng = &rng;
  auto choice = choice_from_card_access(v["parameters"]["ef_cardaccess"]);
  CHECK(choice.info.protocol.cipher == SymCipher::Des3);
  auto o = replay(v, choice, PacePassword::raw(PasswordType::Mrz, SecureBuffer()), std::move(opt), &k_pi);
  check_keys(o, x);
  CHECK(o.result.suite == sm::Suite::Des3);
  auto session = o.make_session();
  REQUIRE(session.ok());
  CHECK(session->suite() == sm::Suite::Des3);
}

TEST_CASE("Real chip (DE): PACE-CAM with PK_IC from EF.CardSecurity") {
  auto v = vectors("pace_cam_ecdh_real_chip_de.json");
  const auto& x = v["values"];
  PaceOptions opt;
  const SecureBuffer k_pi = sb(x["K_pi"]);  // a real chip's trace: K_pi, not the password
  FixedOutputRng rng{hx(x["terminal_mapping_private_key"]), hx(x["terminal_ephemeral_private_key"])};
  opt.rng = &rng;
  // EF.CardAccess offers GM and CAM on parameter 13: CAM is preferred, DO 84 is sent.
  auto choice = choice_from_card_access(v["parameters"]["ef_cardaccess"]);
  CHECK(choice.info.protocol.mapping == PaceMapping::ChipAuthentication);
  CHECK_FALSE(choice.ambiguous);
  auto o = replay(v, choice, PacePassword::raw(PasswordType::Mrz, SecureBuffer()), std::move(opt), &k_pi);
  CHECK(to_hex(o.k_enc.view()) == x["KS_enc"].get<std::string>());
  CHECK(to_hex(o.k_mac.view()) == x["KS_mac"].get<std::string>());
  REQUIRE(o.result.cam.has_value());
  CHECK(to_hex(o.result.cam->ca_ic) == x["CA_IC_computed"].get<std::string>());
  CHECK(verify_cam(*o.result.cam, hx(x["PK_IC_from_EF_CardSecurity"])).ok());
  auto samples = vectors("samples_ef_cardaccess_cardsecurity_dg14_sod.json");
  auto cs = parse_card_security(hx(samples["ef_cardsecurity"][3]["hex"]));
  REQUIRE_MESSAGE(cs.ok(), cs.error().to_string());
  CHECK(verify_cam(*o.result.cam, *cs).ok());
  CHECK_FALSE(o.result.chip_authenticated);
  PaceResult good = o.result;
  REQUIRE(complete_cam(good, *cs).ok());
  CHECK(good.chip_authenticated);
  // Flipped CA_IC: the check fails and the chip stays unauthenticated.
  PaceResult flipped = o.result;
  flipped.cam->ca_ic.front() ^= 0x80;
  CHECK(verify_cam(*flipped.cam, hx(x["PK_IC_from_EF_CardSecurity"])).error().code ==
        ErrorCode::VerificationFailed);
  CHECK(complete_cam(flipped, *cs).error().code == ErrorCode::VerificationFailed);
  CHECK_FALSE(flipped.chip_authenticated);
}

namespace {

/// Runs the BSI worked example (PIN 123456) through establish_pace, then checks the first
/// secure-messaging command of the example through the returned session.
void bsi_worked_example(const char* file) {
  auto v = vectors(file);
  const auto& p = v["pace"];
  const bool ec = v["parameters"]["pace_oid"].get<std::string>() == "04007F00070202040202";
  const std::uint32_t pk_tag_terminal_map = 0x81, pk_tag_chip_map = 0x82;
  transport::ScriptedTransport t;
  const int param = v["parameters"]["pace_parameter_id"].get<int>();
  Bytes mse = hex_bytes("0022C1A4");
  Bytes mse_data = tlv::encode(0x80, hx(v["parameters"]["pace_oid"]));
  append(mse_data, hex_bytes("830103"));
  append(mse_data, {0x84, 0x01, static_cast<std::uint8_t>(param)});
  mse.push_back(static_cast<std::uint8_t>(mse_data.size()));
  append(mse, mse_data);
  t.expect(mse, hex_bytes("9000"));
  t.expect(test::ga_command(false, 0, {}), test::ga_response({{0x80, hx(p["encrypted_nonce_z"])}}));
  t.expect(test::ga_command(false, pk_tag_terminal_map, hx(p["terminal_mapping_public_key"])),
           test::ga_response({{pk_tag_chip_map, hx(p["chip_mapping_public_key"])}}));
  t.expect(test::ga_command(false, 0x83, hx(p["terminal_ephemeral_public_key"])),
           test::ga_response({{0x84, hx(p["chip_ephemeral_public_key"])}}));
  const char* t_pcd = "T_PCD";
  const char* t_picc = "T_PICC";
  t.expect(test::ga_command(true, 0x85, hx(p[t_pcd])), test::ga_response({{0x86, hx(p[t_picc])}}));

  PaceRequest req;
  req.password = PacePassword::pin("123456").value();
  req.card_access = hx(v["files"]["ef_cardaccess"]);
  // The DH example's exponents are 1024-bit: reduced mod q they give the same public keys.
  FixedOutputRng rng =
      ec ? FixedOutputRng{hx(p["terminal_mapping_private_key"]), hx(p["terminal_ephemeral_private_key"])}
         : FixedOutputRng{dh_exponent(p["terminal_mapping_private_key"]),
                          dh_exponent(p["terminal_ephemeral_private_key"])};
  req.options.rng = &rng;
  if (!ec) req.options.policy = weak_dh_policy();  // the DH example runs on ID 0
  auto ch = establish_pace(t, req);
  REQUIRE_MESSAGE(ch.ok(), ch.error().to_string());
  CHECK(t.done());
  CHECK(ch->result.password_type == PasswordType::Pin);
  CHECK(ch->result.protocol.key_agreement == (ec ? KeyAgreement::Ecdh : KeyAgreement::Dh));
  CHECK(to_hex(ch->result.chip_ephemeral_public_key) == p["chip_ephemeral_public_key"].get<std::string>());

  // First protected command after PACE (SSC 1) and its response (SSC 2).
  const auto& s = v["secure_messaging_after_pace"];
  std::string prot_cmd = s.contains("protected_command") ? s["protected_command"].get<std::string>()
                                                         : s["protected_command_computed"].get<std::string>();
  std::string prot_resp = s.contains("protected_response")
                              ? s["protected_response"].get<std::string>()
                              : s["protected_response_computed"].get<std::string>();
  t.expect(prot_cmd, prot_resp);
  sm::SecureMessagingTransport smt(t, std::move(ch->session));
  auto plain = apdu::CommandApdu::parse(hx(s["unprotected_command"]));
  REQUIRE(plain.ok());
  auto r = smt.transmit(*plain);
  REQUIRE_MESSAGE(r.ok(), r.error().to_string());
  CHECK(r->sw() == 0x9000);
  CHECK(t.done());
}

}  // namespace

TEST_CASE("BSI EAC worked example (ECDH): establish_pace with PIN, then SM") {
  bsi_worked_example("bsi_eac_worked_example_ecdh.json");
}

TEST_CASE("BSI EAC worked example (DH): establish_pace with PIN, then SM") {
  bsi_worked_example("bsi_eac_worked_example_dh.json");
}

TEST_CASE("establish_pace reads EF.CardAccess by short EF id (DNIe-style MSE with 84 0D)") {
  auto v = vectors("pace_gm_ecdh_brainpoolp256r1.json");
  const auto& x = v["values"];
  transport::ScriptedTransport t;
  t.expect("00B09C0000", v["parameters"]["ef_cardaccess"].get<std::string>() + "9000");
  bool first = true;
  for (const auto& a : v["apdus"]) {
    std::string cmd = a["command"].get<std::string>();
    if (first) cmd = "0022C1A412800A04007F0007020204020283010184010D";
    first = false;
    t.expect(hx(cmd), hx(a["response"]));
  }
  PaceRequest req;
  req.password =
      PacePassword::mrz(x["document_number"].get<std::string>(), x["date_of_birth"].get<std::string>(),
                        x["date_of_expiry"].get<std::string>())
          .value();
  FixedOutputRng rng{hx(x["terminal_mapping_private_key"]), hx(x["terminal_ephemeral_private_key"])};
  req.options.rng = &rng;
  auto ch = establish_pace(t, req);
  REQUIRE_MESSAGE(ch.ok(), ch.error().to_string());
  CHECK(t.done());
  CHECK(ch->result.protocol_oid == "0.4.0.127.0.7.2.2.4.2.2");
  CHECK(ch->result.parameter_id == 13);
  CHECK(ch->session.is_open());
}

TEST_CASE("establish_pace: SELECT 011C fallback, and pinned protocol without EF.CardAccess") {
  auto v = vectors("pace_gm_ecdh_brainpoolp256r1.json");
  const auto& x = v["values"];
  std::deque<FixedOutputRng> rngs;  // one per run, alive until the end
  auto make_req = [&]() {
    PaceRequest req;
    req.password = PacePassword::raw(PasswordType::Mrz, sb(x["K_sha1_mrz_information"]));
    req.options.parameter_id_do = PaceOptions::ParameterIdDo::Never;
    rngs.push_back(
        FixedOutputRng{hx(x["terminal_mapping_private_key"]), hx(x["terminal_ephemeral_private_key"])});
    req.options.rng = &rngs.back();
    return req;
  };
  {
    transport::ScriptedTransport t;
    t.expect("00B09C0000", "6A82");
    t.expect("00A4000C02011C", "9000");
    t.expect("00B0000000", v["parameters"]["ef_cardaccess"].get<std::string>() + "9000");
    test::script_apdus(t, v);
    auto ch = establish_pace(t, make_req());
    REQUIRE_MESSAGE(ch.ok(), ch.error().to_string());
    CHECK(t.done());
  }
  {
    transport::ScriptedTransport t;
    t.expect("00B09C0000", "6A82");
    t.expect("00A4000C02011C", "6A82");
    test::script_apdus(t, v);
    PaceRequest req = make_req();
    req.selection.protocol_oid = "0.4.0.127.0.7.2.2.4.2.2";
    req.selection.parameter_id = 13;
    auto ch = establish_pace(t, req);
    REQUIRE_MESSAGE(ch.ok(), ch.error().to_string());
    CHECK(t.done());
  }
  {
    transport::ScriptedTransport t;
    t.expect("00B09C0000", "6A82");
    t.expect("00A4000C02011C", "6A82");
    auto ch = establish_pace(t, make_req());  // nothing pinned: the error surfaces
    REQUIRE_FALSE(ch.ok());
    CHECK(ch.error().code == ErrorCode::NotFound);
  }
}
