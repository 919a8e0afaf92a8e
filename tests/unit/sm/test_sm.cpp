// SPDX-License-Identifier: Apache-2.0
// Secure messaging against published oracles: ICAO 9303-11 App. D.4 (3DES, every intermediate),
// the BSI EAC worked example (AES), and real-chip AES traces (DE, AT; via gmrtd's test suite).
#include <doctest/doctest.h>

#include "dnie/apdu/status.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/sm/secure_messaging.hpp"
#include "dnie/transport/scripted.hpp"

#include "crypto/cipher.hpp"
#include "test_support.hpp"

using namespace dnie;
using namespace dnie::sm;
using dnie::apdu::CommandApdu;
using dnie::apdu::ResponseApdu;
using dnie::test::hx;

static SmSession session(Suite s, const Bytes& kenc, const Bytes& kmac, const Bytes& ssc, Options o = {}) {
  return SmSession::create(s, SecureBuffer(kenc), SecureBuffer(kmac), SecureBuffer(ssc), o).value();
}

static std::string wrap_hex(SmSession& s, const std::string& plain_hex) {
  auto c = CommandApdu::parse(hex_bytes(plain_hex)).value();
  auto w = s.wrap(c).value();
  return to_hex(w.encode().value());
}

TEST_CASE("ICAO 9303-11 App. D.4: 3DES SM, SELECT EF.COM and two READ BINARY") {
  auto v = test::vectors("sm_3des_appendix_d4.json");
  auto s = session(Suite::Des3, hx(v["parameters"]["KS_enc"]), hx(v["parameters"]["KS_mac"]),
                   hx(v["parameters"]["SSC_initial"]));
  for (const auto& step : v["steps"]) {
    CAPTURE(step["step"].get<std::string>());
    CHECK(wrap_hex(s, step["unprotected_command"]) == step["protected_command_apdu"].get<std::string>());
    auto resp = ResponseApdu::parse(hx(step["protected_response_apdu"])).value();
    auto plain = s.unwrap(resp).value();
    CHECK(plain.sw() == 0x9000);
    CHECK(to_hex(plain.data()) == step["decrypted_response_data"].get<std::string>());
  }
}

TEST_CASE("BSI EAC worked example: first AES-protected command after PACE") {
  auto v = test::vectors("bsi_eac_worked_example_ecdh.json");
  auto sm = v["secure_messaging_after_pace"];
  auto s = session(Suite::Aes, hx(v["pace"]["KS_enc"]), hx(v["pace"]["KS_mac"]), Bytes(16, 0));
  CHECK(wrap_hex(s, sm["unprotected_command"]) == sm["protected_command"].get<std::string>());
  auto plain = s.unwrap(ResponseApdu::parse(hx(sm["protected_response"])).value()).value();
  CHECK(plain.sw() == 0x9000);
}

TEST_CASE("real-chip AES-128 traces: reads after PACE-CAM (DE) through the decorator") {
  auto v = test::vectors("sm_aes_real_chip_traces.json")["vectors"]["aes128_post_pace_cam_reads_DE"];
  transport::ScriptedTransport link;
  for (const auto& st : v["steps"]) link.expect(hx(st["protected_command"]), hx(st["protected_response"]));
  SecureMessagingTransport smt(
      link, session(Suite::Aes, hx(v["KS_enc"]), hx(v["KS_mac"]), hx(v["SSC_initial_after_PACE"])));
  for (const auto& st : v["steps"]) {
    auto r = smt.transmit(CommandApdu::parse(hx(st["unprotected_command"])).value());
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    CHECK(to_hex(r->data()) == st["decrypted_response_data"].get<std::string>());
    CHECK(r->sw() == std::stoi(st["status"].get<std::string>(), nullptr, 16));
  }
  CHECK(link.done());
}

TEST_CASE("real-chip AES traces: MSE:Set AT encoding and AES-256 DO'87' decoding") {
  auto v = test::vectors("sm_aes_real_chip_traces.json")["vectors"];
  auto e = v["aes128_encode_mse_set_at_ca"];
  auto s = session(Suite::Aes, hx(e["KS_enc"]), hx(e["KS_mac"]), hx(e["SSC_before"]));
  CHECK(wrap_hex(s, e["unprotected_command"]) == e["protected_command"].get<std::string>());

  // AES-256 DO'87' (gmrtd trace): IV = E(KSenc, SSC), then CBC decryption and unpadding.
  auto d = v["aes256_decode_do87"];
  Bytes iv = crypto::aes_ecb_encrypt(hx(d["KS_enc"]), hx(d["SSC_for_response"])).value();
  CHECK(to_hex(iv) == d["IV_computed"].get<std::string>());
  Bytes do87 = hx(d["DO87_value"]);
  Bytes plain = crypto::aes_cbc_decrypt(hx(d["KS_enc"]), iv, ByteView(do87).subview(1))->view().to_bytes();
  CHECK(to_hex(crypto::unpad_iso9797_m2(plain).value()) == d["decrypted_data"].get<std::string>());
  // The same DO'87' with a wrong MAC is rejected before decryption and closes the session.
  Bytes ssc = hx(d["SSC_for_response"]);
  ssc.back() = static_cast<std::uint8_t>(ssc.back() - 1);  // unwrap increments first
  auto s2 = session(Suite::Aes, hx(d["KS_enc"]), hx(d["KS_mac"]), ssc);
  Bytes resp = concat(
      {tlv::encode(0x87, do87), hex_bytes("99029000"), hex_bytes("8E080000000000000000"), hex_bytes("9000")});
  CHECK(s2.unwrap(ResponseApdu::parse(resp).value()).error().code == ErrorCode::SecureMessagingError);
  CHECK_FALSE(s2.is_open());
}

TEST_CASE("real-chip chip authentication v1 (AT): commands under old keys, then new keys") {
  auto v = test::vectors("sm_aes_real_chip_traces.json")["vectors"]["aes128_chip_authentication_v1_AT"];
  auto old = v["SM_before_CA"];
  auto s = session(Suite::Aes, hx(old["KS_enc"]), hx(old["KS_mac"]), hx(old["SSC_initial"]));
  {
    auto st = v["steps_under_old_keys"][0];
    CommandApdu c(0x00, 0x22, 0x41, 0xA4, hx(st["unprotected_command_data"]));
    CHECK(to_hex(s.wrap(c)->encode().value()) == st["protected_command"].get<std::string>());
    CHECK(s.unwrap(ResponseApdu::parse(hx(st["protected_response"])).value())->ok());
  }
  {
    auto st = v["steps_under_old_keys"][1];
    CommandApdu c(0x00, 0x86, 0x00, 0x00, hx(st["unprotected_command_data"]), 256);
    CHECK(to_hex(s.wrap(c)->encode().value()) == st["protected_command"].get<std::string>());
    auto r = s.unwrap(ResponseApdu::parse(hx(st["protected_response"])).value()).value();
    CHECK(to_hex(r.data()) == "7C00");
  }
  auto nk = v["first_command_under_new_keys"];
  auto s2 = session(Suite::Aes, hx(v["new_KS_enc"]), hx(v["new_KS_mac"]), Bytes(16, 0));
  CHECK(wrap_hex(s2, nk["unprotected_command"]) == nk["protected_command"].get<std::string>());
  CHECK(s2.unwrap(ResponseApdu::parse(hx(nk["protected_response"])).value())->ok());
}

TEST_CASE("any MAC or format failure closes the session and wipes its keys") {
  auto v = test::vectors("sm_3des_appendix_d4.json");
  auto make = [&v]() {
    return session(Suite::Des3, hx(v["parameters"]["KS_enc"]), hx(v["parameters"]["KS_mac"]),
                   hx(v["parameters"]["SSC_initial"]));
  };
  auto step = v["steps"][1];
  {
    auto s = make();
    (void)wrap_hex(s, v["steps"][0]["unprotected_command"]);
    (void)s.unwrap(ResponseApdu::parse(hx(v["steps"][0]["protected_response_apdu"])).value());
    (void)wrap_hex(s, step["unprotected_command"]);
    Bytes bad = hx(step["protected_response_apdu"]);
    bad[bad.size() - 3] ^= 0x01;  // flip a MAC bit
    auto r = s.unwrap(ResponseApdu::parse(bad).value());
    CHECK(r.error().code == ErrorCode::SecureMessagingError);
    CHECK_FALSE(s.is_open());
    CHECK(s.wrap(CommandApdu(0x00, 0xB0, 0, 0, {}, 4)).error().code == ErrorCode::SecureMessagingError);
  }
  for (const char* resp : {"6987", "6988", "9000", "990290008E08AABBCCDDEEFF00119000", "01029000",
                           "8E0800000000000000009902900090 00"}) {
    auto s = make();
    (void)wrap_hex(s, v["steps"][0]["unprotected_command"]);
    auto r = s.unwrap(ResponseApdu::parse(hex_bytes(resp)).value());
    CHECK_MESSAGE(r.error().code == ErrorCode::SecureMessagingError, resp);
    CHECK_FALSE(s.is_open());
  }
  // A plain status word inside secure messaging is not evidence (anyone on the link can send
  // it): every one of them is an error that closes the channel, and keeps the SW for diagnosis.
  for (const char* plain : {"6A82", "6282", "6B00", "63C3", "63C1", "6982", "6D00", "6A80", "6300", "6581"}) {
    auto s = make();
    (void)wrap_hex(s, v["steps"][0]["unprotected_command"]);
    auto r = s.unwrap(ResponseApdu::parse(hex_bytes(plain)).value());
    REQUIRE_FALSE_MESSAGE(r.ok(), plain);
    CHECK(r.error().code == ErrorCode::SecureMessagingError);
    CHECK(to_hex(be_bytes(r.error().sw, 2)) == plain);
    CHECK_FALSE(s.is_open());
  }
}

TEST_CASE("every response the SM layer returns is authenticated; plain links never are") {
  auto v = test::vectors("sm_3des_appendix_d4.json");
  auto s = session(Suite::Des3, hx(v["parameters"]["KS_enc"]), hx(v["parameters"]["KS_mac"]),
                   hx(v["parameters"]["SSC_initial"]));
  (void)wrap_hex(s, v["steps"][0]["unprotected_command"]);
  auto r = s.unwrap(ResponseApdu::parse(hx(v["steps"][0]["protected_response_apdu"])).value());
  REQUIRE(r.ok());
  CHECK(r->authenticated());
  CHECK(apdu::require_authenticated(*r, "test").ok());
  auto plain = ResponseApdu::parse(hex_bytes("6A82")).value();
  CHECK_FALSE(plain.authenticated());
  auto st = apdu::require_authenticated(plain, "file absent");
  CHECK(st.error().code == ErrorCode::SecureMessagingError);
  CHECK(st.error().sw == 0x6A82);
}

TEST_CASE("frame capacity: largest plain READ BINARY chunk for a 256-byte response") {
  auto aes = session(Suite::Aes, Bytes(16, 1), Bytes(16, 2), Bytes(16, 0));
  auto des = session(Suite::Des3, Bytes(16, 1), Bytes(16, 2), Bytes(8, 0));
  CHECK(aes.max_plain_response(256) == 223);  // DO'87' 87 81 E1 01 + 224 bytes, DO'99', DO'8E'
  CHECK(des.max_plain_response(256) == 231);
  CHECK(aes.max_plain_command(255) == 223);
  CHECK(SmSession::create(Suite::Aes, SecureBuffer(8), SecureBuffer(16), SecureBuffer(16)).error().code ==
        ErrorCode::InvalidArgument);
}

TEST_CASE("decorator: transport failure closes the channel; reconnect closes it too") {
  transport::ScriptedTransport link;
  link.fail_next(Error(ErrorCode::CardRemoved, "gone"));
  SecureMessagingTransport smt(link, session(Suite::Aes, Bytes(16, 1), Bytes(16, 2), Bytes(16, 0)));
  CHECK(smt.is_secure());
  CHECK(smt.limits().max_response_data == 223);
  CHECK(smt.transmit(CommandApdu(0x00, 0xB0, 0, 0, {}, 4)).error().code == ErrorCode::CardRemoved);
  CHECK_FALSE(smt.is_secure());
  SecureMessagingTransport smt2(link, session(Suite::Aes, Bytes(16, 1), Bytes(16, 2), Bytes(16, 0)));
  CHECK(smt2.reconnect(false).ok());
  CHECK_FALSE(smt2.is_secure());
}
