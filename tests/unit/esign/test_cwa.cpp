// SPDX-License-Identifier: Apache-2.0
// CWA-14890 engine against a scripted card built from the TEST key sets (cwa_card.hpp).
#include "dnie/esign/keysets.hpp"
#include "dnie/transport/scripted.hpp"

#include "cwa_card.hpp"
#include "fixed_rng.hpp"

using namespace dnie;
using dnie::test::CwaCard;

namespace {

const auth::CwaKeySet& test_set(const char* id) {
  static esign::KeySetRegistry reg = esign::KeySetRegistry::builtin().value();
  return *reg.find(id);
}

crypto::RsaPrivateKey icc_key(std::string_view seed) {
  crypto::DeterministicRng rng(ByteView::of(seed));
  return crypto::RsaPrivateKey::generate(1024, rng).value();
}

CwaCard make_card(const auth::CwaKeySet& ks, std::string_view seed = "icc-1") {
  return CwaCard(crypto::RsaPublicKey::from_components(ks.root_modulus, ks.root_exponent).value(),
                 icc_key(seed));
}

/// Fixed randomness through the engine's RNG: RND.IFD = v…, KIFD = v+1…, PRND2 = v+2….
struct Fixed {
  test::FixedOutputRng rng;
  auth::CwaOptions options;
  explicit Fixed(std::uint8_t v)
      : rng{Bytes(8, v), Bytes(32, static_cast<std::uint8_t>(v + 1)),
            Bytes(74, static_cast<std::uint8_t>(v + 2))} {
    options.rng = &rng;
  }
};

/// Runs the engine step by step against the card.
Result<auth::CwaSessionKeys> handshake(auth::CwaEngine& e, CwaCard& card) {
  DNIE_ASSIGN_OR_RETURN(auto cmd, e.start());
  for (int i = 0; i < 12; ++i) {
    Bytes raw = cmd.encode().value();
    auto resp = apdu::ResponseApdu::parse(card.handle(raw)).value();
    DNIE_ASSIGN_OR_RETURN(auto next, e.on_response(resp));
    if (!next) return e.take_keys();
    cmd = std::move(*next);
  }
  return make_error(ErrorCode::InternalError, "loop");
}

}  // namespace

TEST_CASE("session keys: fixed vector computed independently (Python hashlib)") {
  // Kicc = 00..1F, Kifd = 20..3F: K = 20 20 ... ; Kenc = SHA-1(K‖00000001)[0..15], Kmac with 2.
  Bytes kicc, kifd;
  for (int i = 0; i < 32; ++i) {
    kicc.push_back(static_cast<std::uint8_t>(i));
    kifd.push_back(static_cast<std::uint8_t>(0x20 + i));
  }
  auto k = auth::cwa_derive_keys(kicc, kifd, hex_bytes("0102030405060708"), hex_bytes("1112131415161718"));
  REQUIRE(k);
  CHECK(to_hex(k->k_enc.view()) == "18333BF4B883D6528E56E3E8BEC1B05E");
  CHECK(to_hex(k->k_mac.view()) == "F691D4280E169DF1C4C6FE7CD493D751");
  CHECK(to_hex(k->ssc.view()) == "0506070815161718");
  CHECK_FALSE(auth::cwa_derive_keys(kicc, ByteView(kifd).first(31), hex_bytes("0102030405060708"),
                                    hex_bytes("1112131415161718")));
}

TEST_CASE("CWA engine: command bytes follow docs/dnie-card.md §4.3") {
  const auto& ks = test_set("test-r1-pin");
  CwaCard card = make_card(ks);
  Fixed f(1);
  auto e = auth::CwaEngine::create(ks, card.sn_icc, card.icc.public_key(), f.options).value();
  std::vector<std::string> cmds;
  auto cmd = e.start().value();
  for (int i = 0; i < 8; ++i) {
    Bytes raw = cmd.encode().value();
    cmds.push_back(to_hex(raw));
    auto next = e.on_response(apdu::ResponseApdu::parse(card.handle(raw)).value());
    REQUIRE_MESSAGE(next, next.error().to_string());
    if (!*next) break;
    cmd = std::move(**next);
  }
  REQUIRE(cmds.size() == 8);
  CHECK(cmds[0] == "002281B6048302020F");
  CHECK(cmds[1].rfind("002A00AECB7F2181C7", 0) == 0);  // test certificates: 203 bytes
  CHECK(cmds[2] == "002281B60A83086573534449600006");
  CHECK(cmds[3].rfind("002A00AECB7F2181C7", 0) == 0);
  CHECK(cmds[4] == "0022C1A412830C0000000040000000000000018402021F");
  CHECK(cmds[5] ==
        "00880000100101010101010101"
        "4000000000000001");
  CHECK(cmds[6] == "0084000008");
  CHECK(cmds[7].rfind("0082000080", 0) == 0);
  CHECK(e.step() == auth::CwaStep::Done);
  CHECK(card.authenticated);
}

TEST_CASE("CWA engine: handshake against the card for every test key set; keys agree") {
  for (const char* id : {"test-r1-pin", "test-r1-user", "test-r2-pin", "test-r2-user"}) {
    CAPTURE(id);
    const auto& ks = test_set(id);
    for (std::uint8_t round = 0; round < 4; ++round) {  // several RNDs: both min(S, N−S) branches
      CwaCard card = make_card(ks, std::string("icc-") + id);
      card.prnd1[0] = round;
      card.rnd_icc[7] = round;
      Fixed f(static_cast<std::uint8_t>(0x40 + round));
      auto e = auth::CwaEngine::create(ks, card.sn_icc, card.icc.public_key(), f.options);
      REQUIRE(e);
      auto keys = handshake(*e, card);
      REQUIRE_MESSAGE(keys, keys.error().to_string());
      CHECK(card.authenticated);
      // Card side, computed here with SHA-1 directly (CWA 14890-1 §8.6).
      Bytes k(32);
      for (int i = 0; i < 32; ++i) k[i] = static_cast<std::uint8_t>(card.kicc[i] ^ card.kifd_seen[i]);
      Bytes enc = crypto::hash(crypto::HashAlg::Sha1, concat({k, hex_bytes("00000001")}));
      Bytes mac = crypto::hash(crypto::HashAlg::Sha1, concat({k, hex_bytes("00000002")}));
      CHECK(keys->k_enc.equals(ByteView(enc).first(16)));
      CHECK(keys->k_mac.equals(ByteView(mac).first(16)));
      CHECK(to_hex(keys->ssc.view()) ==
            to_hex(concat({ByteView(card.rnd_icc).subview(4), ByteView(card.rnd_ifd).subview(4)})));
      CHECK(card.kifd_seen == Bytes(32, static_cast<std::uint8_t>(0x41 + round)));
      CHECK(f.rng.remaining() == 0);
    }
  }
}

TEST_CASE("CWA driver: run_cwa over a transport returns the 3DES session") {
  const auto& ks = test_set("test-r2-user");
  CwaCard card = make_card(ks);
  transport::FunctionTransport t([&](ByteView c) -> Result<Bytes> { return card.handle(c); }, {}, {});
  auto e = auth::CwaEngine::create(ks, card.sn_icc, card.icc.public_key()).value();  // system RNG
  auto s = auth::run_cwa(t, e);
  REQUIRE_MESSAGE(s, s.error().to_string());
  CHECK(s->suite() == sm::Suite::Des3);
  CHECK_FALSE(s->options().append_le);
  CHECK(s->options().mac_length == 8);
  CHECK(card.commands == 8);
}

TEST_CASE("CWA engine: failures") {
  const auto& ks = test_set("test-r1-user");
  SUBCASE("card with another ICC key than the certificate: INTERNAL AUTHENTICATE fails") {
    CwaCard card = make_card(ks);
    auto other = icc_key("other");
    Fixed f(3);
    auto e = auth::CwaEngine::create(ks, card.sn_icc, other.public_key(), f.options).value();
    auto k = handshake(e, card);
    REQUIRE_FALSE(k);
    CHECK(k.error().code == ErrorCode::VerificationFailed);
    CHECK(e.step() == auth::CwaStep::Failed);
  }
  SUBCASE("r2 card given r1 certificates: 6A80 → Unsupported (wrong generation)") {
    CwaCard card = make_card(test_set("test-r2-user"));
    Fixed f(3);
    auto e = auth::CwaEngine::create(ks, card.sn_icc, card.icc.public_key(), f.options).value();
    auto k = handshake(e, card);
    REQUIRE_FALSE(k);
    CHECK(k.error().code == ErrorCode::Unsupported);
    CHECK(k.error().sw == 0x6A80);
  }
  SUBCASE("status words") {
    CHECK(auth::cwa_status_error(0x6982, auth::CwaStep::MseRoot, auth::CwaChannel::Pin).code ==
          ErrorCode::PinBlocked);
    CHECK(auth::cwa_status_error(0x6982, auth::CwaStep::MseRoot, auth::CwaChannel::User).code ==
          ErrorCode::AccessDenied);
    CHECK(auth::cwa_status_error(0x6581, auth::CwaStep::InternalAuth, auth::CwaChannel::User).code ==
          ErrorCode::CardTerminated);
    CHECK(auth::cwa_status_error(0x6300, auth::CwaStep::ExternalAuth, auth::CwaChannel::User).code ==
          ErrorCode::ProtocolError);
  }
  SUBCASE("engine misuse and bad inputs") {
    CwaCard card = make_card(ks);
    CHECK_FALSE(auth::CwaEngine::create(ks, hex_bytes("0011"), card.icc.public_key()));
    auto e = auth::CwaEngine::create(ks, card.sn_icc, card.icc.public_key()).value();
    CHECK_FALSE(e.on_response(apdu::ResponseApdu(0x9000)));
    REQUIRE(e.start());
    CHECK_FALSE(e.start());
    CHECK_FALSE(e.take_keys());
    CHECK_FALSE(e.on_response(apdu::ResponseApdu(hex_bytes("01"), 0x9000)));  // MSE answers no data
  }
  SUBCASE("GET CHIP INFO") {
    auto sn = auth::cwa_parse_chip_info(apdu::ResponseApdu(hex_bytes("01020304050607"), 0x9000));
    REQUIRE(sn);
    CHECK(to_hex(*sn) == "0001020304050607");
    CHECK_FALSE(auth::cwa_parse_chip_info(apdu::ResponseApdu(hex_bytes("0102"), 0x9000)));
    CHECK(to_hex(auth::cwa_get_chip_info_command().encode().value()) == "90B8000007");
  }
}

TEST_CASE("CV certificates: ISO 9796-2 sign/recover round trip and tampering") {
  crypto::DeterministicRng rng(ByteView::of("cv"));
  auto signer = crypto::RsaPrivateKey::generate(1024, rng).value();
  auto subject = crypto::RsaPrivateKey::generate(1024, rng).value();
  auth::CvBody body{hex_bytes("0102030405060708"),
                    hex_bytes("0000000011223344556677 88"),
                    Bytes(7, 0),
                    subject.public_key().modulus(),
                    subject.public_key().exponent(),
                    {},
                    0x41};
  Bytes msg = auth::encode_cv_body(body);
  auto cert = auth::make_cv_certificate(msg, body.car, signer).value();
  auto parsed = auth::parse_cv_certificate(cert).value();
  CHECK(parsed.remainder.size() == 160 - 106);
  auto rec = auth::recover_cv_message(parsed, signer.public_key());
  REQUIRE(rec);
  CHECK(*rec == msg);
  parsed.remainder[3] ^= 1;
  CHECK(auth::recover_cv_message(parsed, signer.public_key()).error().code == ErrorCode::VerificationFailed);
  CHECK_FALSE(auth::recover_cv_message(auth::parse_cv_certificate(cert).value(), subject.public_key()));
  CHECK_FALSE(auth::parse_cv_certificate(hex_bytes("7F2103420100")));
}
