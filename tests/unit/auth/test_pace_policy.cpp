// SPDX-License-Identifier: Apache-2.0
// The PACE parameter policy against a hostile chip: a fake card that refuses the DNIe parameters
// (6A80) and offers weak groups in EF.CardAccess (explicit 22-bit DH, explicit 112-bit or singular
// curves, standardized IDs 0, 8, 9) must get nothing derived from the password. Every APDU is
// recorded; no GENERAL AUTHENTICATE may be sent (GA2 carries PK_Map,IFD and GA4 T_IFD, from which
// a weak group gives the password away offline).
#include <algorithm>

#include "dnie/auth/pace.hpp"
#include "dnie/bytes/asn1.hpp"

#include "pace_test_util.hpp"

using namespace dnie;
using namespace dnie::auth;

namespace {

const char* kGmAes128Dh = "0.4.0.127.0.7.2.2.4.1.2";
const char* kGmAes128Ecdh = "0.4.0.127.0.7.2.2.4.2.2";
const char* kCamAes128 = "0.4.0.127.0.7.2.2.4.6.2";

/// What the DNIe middleware (and the session on a DNIe ATR) assumes: ECDH-GM AES-128 on ID 13.
const Bytes kDnieCardAccess = hex_bytes("31143012060A04007F0007020204020202010202010D");

Bytes pace_info(const char* oid, int id) {
  return asn1::sequence({asn1::oid(oid), asn1::integer(std::int64_t{2}), asn1::integer(std::int64_t{id})});
}

/// EF.CardAccess with a PACEInfo on private ID 32 and its PACEDomainParameterInfo.
Bytes explicit_card_access(const char* protocol_oid, const char* dp_oid, const Bytes& algorithm_identifier) {
  Bytes dpi = asn1::sequence({asn1::oid(dp_oid), algorithm_identifier, asn1::integer(std::int64_t{32})});
  return asn1::set({pace_info(protocol_oid, 32), dpi});
}

/// dhpublicnumber (X9.42): p = 2q + 1 with 22 bits, g = 4 of order q.
Bytes dh22_card_access() {
  Bytes ai =
      asn1::sequence({asn1::oid("1.2.840.10046.2.1"),
                      asn1::sequence({asn1::integer(hex_bytes("3AA3B7")), asn1::integer(hex_bytes("04")),
                                      asn1::integer(hex_bytes("1D51DB"))})});
  return explicit_card_access(kGmAes128Dh, "0.4.0.127.0.7.2.2.4.1", ai);
}

/// id-ecPublicKey with SpecifiedECDomain (SEC 1 §C.2).
Bytes ec_card_access(const crypto::CurveParams& cp) {
  Bytes g = concat({Bytes{0x04}, cp.gx, cp.gy});
  Bytes params = asn1::sequence(
      {asn1::integer(std::int64_t{1}), asn1::sequence({asn1::oid("1.2.840.10045.1.1"), asn1::integer(cp.p)}),
       asn1::sequence({asn1::octet_string(cp.a), asn1::octet_string(cp.b)}), asn1::octet_string(g),
       asn1::integer(cp.n), asn1::integer(std::int64_t{cp.h})});
  Bytes ai = asn1::sequence({asn1::oid("1.2.840.10045.2.1"), params});
  return explicit_card_access(kGmAes128Ecdh, "0.4.0.127.0.7.2.2.4.2", ai);
}

/// SEC 2 v1 secp112r1: a sound curve, far too small.
Bytes secp112r1_card_access() {
  return ec_card_access({hex_bytes("DB7C2ABF62E35E668076BEAD208B"), hex_bytes("DB7C2ABF62E35E668076BEAD2088"),
                         hex_bytes("659EF8BA043916EEDE8911702B22"), hex_bytes("09487239995A5EE76B55F9C2F098"),
                         hex_bytes("A89CE5AF8724C0A23E0E0FF77500"), hex_bytes("DB7C2ABF62E35E7628DFAC6561C5"),
                         1});
}

/// y² = x³ over brainpoolP256r1's field with G = (1, 1): singular (discrete logs are easy).
Bytes singular_card_access() {
  crypto::CurveParams cp = crypto::EcGroup::standard(13)->params();
  const std::size_t w = cp.p.size();
  cp.a = Bytes(w, 0);
  cp.b = Bytes(w, 0);
  cp.gx = Bytes(w, 0);
  cp.gx.back() = 1;
  cp.gy = cp.gx;
  return ec_card_access(cp);
}

/// A fake chip: serves `card_access`, refuses MSE:Set AT naming ID 13 with 6A80 (as the attacker
/// who wants the terminal to read EF.CardAccess), accepts any other MSE, and answers GA1 with a
/// nonce so that a terminal that went on would send its mapping key. Records every command.
struct FakeChip {
  Bytes card_access;
  std::vector<Bytes> log;

  transport::FunctionTransport transport() {
    return transport::FunctionTransport([this](ByteView cmd) { return handle(cmd); }, {},
                                        transport::LinkLimits{65535, 65536, true});
  }
  Result<Bytes> handle(ByteView cmd) {
    log.push_back(cmd.to_bytes());
    const std::uint8_t ins = cmd.size() > 1 ? cmd[1] : 0;
    if (ins == 0xB0) return concat({card_access, hex_bytes("9000")});
    if (ins == 0x22) {
      const Bytes dnie_id = hex_bytes("84010D");
      const bool names_13 = std::search(cmd.begin(), cmd.end(), dnie_id.begin(), dnie_id.end()) != cmd.end();
      return hex_bytes(names_13 ? "6A80" : "9000");
    }
    if (ins == 0x86) {
      if (cmd.size() > 6 && cmd[5] == 0x7C && cmd[6] == 0x00)
        return hex_bytes("7C12801095A3A016522EE98D01E76CB6B98B42C39000");  // GA1: a nonce
      return hex_bytes("6300");
    }
    return hex_bytes("6D00");
  }
  std::size_t count(std::uint8_t ins) const {
    std::size_t n = 0;
    for (const auto& c : log) n += c.size() > 1 && c[1] == ins;
    return n;
  }
};

PaceRequest request_with(const PacePolicy& policy) {
  PaceRequest r;
  r.password = PacePassword::can("123456").value();
  r.options.policy = policy;
  return r;
}

struct Case {
  const char* name;
  Bytes card_access;
  const char* refused_default;  ///< expected in the message under the default policy
  const char* refused_dnie;     ///< ... under PacePolicy::dnie()
};

std::vector<Case> hostile_cases() {
  return {
      {"explicit 22-bit DH group", dh22_card_access(),
       "explicit DH, 22-bit p: explicit domain parameters are not allowed",
       "explicit DH, 22-bit p: explicit domain parameters are not allowed"},
      {"explicit secp112r1", secp112r1_card_access(),
       "explicit EC, 112-bit p: explicit domain parameters are not allowed",
       "explicit EC, 112-bit p: explicit domain parameters are not allowed"},
      {"explicit singular curve", singular_card_access(),
       "explicit EC, 256-bit p: explicit domain parameters are not allowed",
       "explicit EC, 256-bit p: explicit domain parameters are not allowed"},
      {"standardized ID 0 (DH 1024)", asn1::set({pace_info(kGmAes128Dh, 0)}),
       "DH 1024 (0) offers 80-bit security, the policy requires 112",
       "domain parameter ID 0 (DH 1024 (0)) is not in the allowed list {13}"},
      {"standardized ID 8 (NIST P-192)", asn1::set({pace_info(kGmAes128Ecdh, 8)}),
       "secp192r1 (8) offers 80-bit security, the policy requires 112",
       "domain parameter ID 8 (secp192r1 (8)) is not in the allowed list {13}"},
      {"standardized ID 9 (brainpoolP192r1)", asn1::set({pace_info(kGmAes128Ecdh, 9)}),
       "brainpoolP192r1 (9) offers 80-bit security, the policy requires 112",
       "domain parameter ID 9 (brainpoolP192r1 (9)) is not in the allowed list {13}"},
      {"ID 0 and ID 8 together", asn1::set({pace_info(kGmAes128Dh, 0), pace_info(kGmAes128Ecdh, 8)}),
       "secp192r1 (8) offers 80-bit security",
       "domain parameter ID 0 (DH 1024 (0)) is not in the allowed list {13}"},
  };
}

}  // namespace

TEST_CASE("hostile chip: weak EF.CardAccess parameters get no GENERAL AUTHENTICATE, under both policies") {
  for (const Case& c : hostile_cases()) {
    for (bool dnie : {false, true}) {
      CAPTURE(c.name);
      CAPTURE(dnie);
      const PacePolicy policy = dnie ? PacePolicy::dnie() : PacePolicy{};
      FakeChip chip{c.card_access, {}};
      auto t = chip.transport();
      // What the session does on a DNIe ATR: the DNIe parameters first (refused by the chip with
      // 6A80), then EF.CardAccess.
      PaceRequest first = request_with(policy);
      first.card_access = kDnieCardAccess;
      auto r1 = establish_pace(t, first);
      REQUIRE_FALSE(r1.ok());
      CHECK(r1.error().code == ErrorCode::Unsupported);
      CHECK(r1.error().sw == 0x6A80);
      auto r2 = establish_pace(t, request_with(policy));
      REQUIRE_FALSE(r2.ok());
      CHECK(r2.error().code == ErrorCode::Unsupported);
      const std::string& msg = r2.error().message;
      CHECK_MESSAGE(msg.find("the card offered only PACE parameters the policy refuses") == 0, msg);
      CHECK_MESSAGE(msg.find(dnie ? c.refused_dnie : c.refused_default) != std::string::npos, msg);
      // The wire: MSE:Set AT for ID 13 (no password-derived data), READ BINARY; nothing else.
      CHECK(chip.count(0x86) == 0);
      CHECK(chip.count(0x22) == 1);
      CHECK(chip.log.size() == 2);
      CHECK(to_hex(chip.log[0]) == "0022C1A412800A04007F0007020204020283010284010D");
      CHECK(to_hex(chip.log[1]) == "00B09C0000");
    }
  }
}

TEST_CASE("hostile chip: opting in to explicit parameters still refuses weak or broken ones") {
  PacePolicy opt_in;
  opt_in.allow_explicit_parameters = true;
  const std::pair<Bytes, const char*> cases[] = {
      {dh22_card_access(), "explicit DH, 22-bit p offers less than 80-bit security, the policy requires 112"},
      {secp112r1_card_access(),
       "explicit EC, 112-bit p offers less than 80-bit security, the policy requires 112"},
      {singular_card_access(),
       "explicit EC, 256-bit p: explicit domain parameters failed validation (EC: the curve "
       "is singular (4a³ + 27b² = 0 mod p))"},
  };
  for (const auto& [ca, why] : cases) {
    CAPTURE(why);
    FakeChip chip{ca, {}};
    auto t = chip.transport();
    auto r = establish_pace(t, request_with(opt_in));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::Unsupported);
    CHECK_MESSAGE(r.error().message.find(why) != std::string::npos, r.error().message);
    CHECK(chip.count(0x86) == 0);
    CHECK(chip.count(0x22) == 0);
  }
}

TEST_CASE("hostile chip: pinned weak parameters without EF.CardAccess are refused before MSE:Set AT") {
  for (int id : {0, 8}) {
    CAPTURE(id);
    FakeChip chip{{}, {}};
    transport::FunctionTransport t(
        [&chip](ByteView cmd) -> Result<Bytes> {
          chip.log.push_back(cmd.to_bytes());
          return hex_bytes("6A82");  // no EF.CardAccess
        },
        {}, {});
    PaceRequest req = request_with({});
    req.selection.protocol_oid = id == 0 ? kGmAes128Dh : kGmAes128Ecdh;
    req.selection.parameter_id = id;
    auto r = establish_pace(t, req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::Unsupported);
    CHECK(r.error().message.find("the parameter policy refuses") != std::string::npos);
    CHECK(chip.count(0x22) == 0);
    CHECK(chip.count(0x86) == 0);
  }
  // A hand-built choice on explicit parameters is refused by the engine itself.
  auto infos = parse_card_access(dh22_card_access()).value();
  PacePolicy anything;
  anything.min_security_bits = 0;
  anything.allow_explicit_parameters = true;
  auto choice = choose_pace(infos, {}, anything);
  REQUIRE_MESSAGE(choice.ok(), choice.error().to_string());
  auto e = PaceEngine::create(*choice, PacePassword::can("123456").value());
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == ErrorCode::Unsupported);
}

TEST_CASE("policy: the best acceptable offer wins; the recorder sees GA when parameters are acceptable") {
  // CAM on P-192 is preferred by rank but refused; GM on ID 13 runs.
  FakeChip chip{asn1::set({pace_info(kCamAes128, 8), pace_info(kGmAes128Ecdh, 13)}), {}};
  auto infos = parse_card_access(chip.card_access).value();
  auto c = choose_pace(infos);
  REQUIRE_MESSAGE(c.ok(), c.error().to_string());
  CHECK(c->info.parameter_id == 13);
  CHECK(c->info.protocol.mapping == PaceMapping::Generic);
  PacePolicy weak;
  weak.min_security_bits = 80;
  CHECK(choose_pace(infos, {}, weak)->info.protocol.mapping == PaceMapping::ChipAuthentication);
  // Positive control for the recorder: on acceptable parameters the terminal does send GA2.
  FakeChip ok_chip{asn1::set({pace_info(kGmAes128Ecdh, 12)}), {}};
  auto t = ok_chip.transport();
  auto r = establish_pace(t, request_with(PacePolicy{}));
  CHECK_FALSE(r.ok());  // the fake chip cannot finish PACE
  CHECK(ok_chip.count(0x86) == 2);
}

TEST_CASE("policy rules: strengths, allow-lists of IDs, mappings and ciphers") {
  auto proto = PaceProtocol::from_oid(kGmAes128Ecdh).value();
  auto dh_proto = PaceProtocol::from_oid(kGmAes128Dh).value();
  const int expected_bits[] = {80,  112, 112, -1,  -1,  -1,  -1,  -1,  80, 80,
                               112, 112, 128, 128, 128, 192, 192, 256, 256};
  PacePolicy def;
  for (int id : {0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}) {
    CAPTURE(id);
    auto d = DomainParameters::standardized(id).value();
    CHECK(d.standardized_id() == id);
    CHECK(d.security_bits() == expected_bits[id]);
    const bool accept = id != 0 && id != 8 && id != 9;
    CHECK(def.check(d.is_dh() ? dh_proto : proto, d).ok() == accept);
    CHECK(PacePolicy::dnie().check(d.is_dh() ? dh_proto : proto, d).ok() == (id == 13));
  }
  auto bp256 = DomainParameters::standardized(13).value();
  PacePolicy gm_only = PacePolicy::dnie();
  gm_only.mappings = {PaceMapping::Generic};
  gm_only.ciphers = {SymCipher::Aes128};
  CHECK(gm_only.check(proto, bp256).ok());
  auto cam = gm_only.check(PaceProtocol::from_oid(kCamAes128).value(), bp256);
  REQUIRE_FALSE(cam.ok());
  CHECK(cam.error().message == "Chip Authentication Mapping is not allowed by the PACE policy");
  auto aes256 = gm_only.check(PaceProtocol::from_oid("0.4.0.127.0.7.2.2.4.2.4").value(), bp256);
  REQUIRE_FALSE(aes256.ok());
  CHECK(aes256.error().code == ErrorCode::Unsupported);
  PacePolicy strict;
  strict.min_security_bits = 128;  // BSI TR-02102-1 level: 256-bit curves and larger
  CHECK_FALSE(strict.check(proto, DomainParameters::standardized(10).value()).ok());
  CHECK(strict.check(proto, bp256).ok());
  CHECK(PacePolicy{}.check(proto, DomainParameters{}).error().message == "unsupported domain parameters");
  // PKCS#3 dhKeyAgreement parameters carry no q: refused even when explicit ones are allowed.
  auto g1 = crypto::DhGroup::standard(1).value();
  auto no_q = parse_domain_parameters(asn1::sequence(
      {asn1::oid("1.2.840.113549.1.3.1"), asn1::sequence({asn1::integer(g1.p()), asn1::integer(Bytes{2})})}));
  REQUIRE_MESSAGE(no_q.ok(), no_q.error().to_string());
  PacePolicy opt_in;
  opt_in.allow_explicit_parameters = true;
  CHECK(opt_in.check(dh_proto, *no_q).error().message ==
        "explicit DH, 2048-bit p: the subgroup order q is not given");
}
