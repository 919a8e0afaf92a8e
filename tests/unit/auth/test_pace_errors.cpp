// SPDX-License-Identifier: Apache-2.0
// PACE failures a person can act on, driven through a ScriptedTransport.
#include "fixed_rng.hpp"
#include "pace_test_util.hpp"

using namespace dnie;
using namespace dnie::auth;
using dnie::test::FixedOutputRng;
using dnie::test::hx;
using dnie::test::sb;
using dnie::test::vectors;

namespace {

struct G1 {
  nlohmann::json v = vectors("pace_gm_ecdh_brainpoolp256r1.json");
  std::string response(std::size_t i) const { return v["apdus"][i]["response"].get<std::string>(); }
};

PaceRequest request(PacePassword pw) {
  PaceRequest r;
  r.password = std::move(pw);
  r.card_access = hex_bytes("31143012060A04007F0007020204020202010202010D");
  return r;
}

/// Chip side of G.1 accepting any command, with `last` as the GA4 answer.
void chip_g1(transport::ScriptedTransport& t, const G1& g, std::string_view mse_sw, std::string_view last) {
  t.expect("", std::string(mse_sw));
  t.expect("", g.response(1));
  t.expect("", g.response(2));
  t.expect("", g.response(3));
  t.expect("", std::string(last));
}

}  // namespace

TEST_CASE("wrong CAN: 6300 at mutual authentication -> WrongCan") {
  G1 g;
  transport::ScriptedTransport t;
  chip_g1(t, g, "9000", "6300");
  auto r = establish_pace(t, request(PacePassword::can("123456").value()));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::WrongCan);
  CHECK(r.error().sw == 0x6300);
  CHECK(t.done());
}

TEST_CASE("PIN counters answered to MSE:Set AT") {
  G1 g;
  SUBCASE("63C2 is a warning: PACE goes on; a wrong PIN then leaves 1 try = suspended") {
    transport::ScriptedTransport t;
    chip_g1(t, g, "63C2", "6300");
    auto r = establish_pace(t, request(PacePassword::pin("123456").value()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::PinSuspended);
    CHECK(r.error().tries_left == 1);
    CHECK(t.done());
  }
  SUBCASE("63C3 then 6300 -> WrongPin with 2 tries left") {
    transport::ScriptedTransport t;
    chip_g1(t, g, "63C3", "6300");
    auto r = establish_pace(t, request(PacePassword::pin("123456").value()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::WrongPin);
    CHECK(r.error().tries_left == 2);
  }
  SUBCASE("the chip reports the counter at mutual authentication: 63C2 -> WrongPin, 2 tries") {
    transport::ScriptedTransport t;
    chip_g1(t, g, "9000", "63C2");
    auto r = establish_pace(t, request(PacePassword::pin("123456").value()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::WrongPin);
    CHECK(r.error().tries_left == 2);
  }
  SUBCASE("63C1 -> PinSuspended, nothing more sent") {
    transport::ScriptedTransport t;
    t.expect("", "63C1");
    auto r = establish_pace(t, request(PacePassword::pin("123456").value()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::PinSuspended);
    CHECK(r.error().tries_left == 1);
    CHECK(t.done());
  }
  SUBCASE("63C0 / 6983 -> PinBlocked") {
    for (const char* sw : {"63C0", "6983", "6984"}) {
      transport::ScriptedTransport t;
      t.expect("", sw);
      auto r = establish_pace(t, request(PacePassword::pin("123456").value()));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == ErrorCode::PinBlocked);
    }
  }
  SUBCASE("63C2 with the CAN does not stop PACE") {
    transport::ScriptedTransport t;
    chip_g1(t, g, "63C2", "6300");
    auto r = establish_pace(t, request(PacePassword::can("123456").value()));
    CHECK(r.error().code == ErrorCode::WrongCan);
  }
}

TEST_CASE("MSE:Set AT rejected parameters -> Unsupported") {
  for (const char* sw : {"6A80", "6A88"}) {
    transport::ScriptedTransport t;
    t.expect("", sw);
    auto r = establish_pace(t, request(PacePassword::can("123456").value()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::Unsupported);
  }
}

TEST_CASE("a bad chip token is a ProtocolError and yields nothing") {
  G1 g;
  const auto& x = g.v["values"];
  transport::ScriptedTransport t;
  t.expect("", "9000");
  t.expect("", g.response(1));
  t.expect("", g.response(2));
  t.expect("", g.response(3));
  t.expect("", "7C0A86083ABB9674BCE93C099000");  // last byte of T_IC flipped
  PaceOptions opt;
  FixedOutputRng rng{hx(x["terminal_mapping_private_key"]), hx(x["terminal_ephemeral_private_key"])};
  opt.rng = &rng;
  auto choice = pace_choice_for("0.4.0.127.0.7.2.2.4.2.2", 13).value();
  auto engine = PaceEngine::create(
      choice, PacePassword::raw(PasswordType::Mrz, sb(x["K_sha1_mrz_information"])), std::move(opt));
  REQUIRE(engine.ok());
  auto out = run_pace(t, *engine);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == ErrorCode::ProtocolError);
  CHECK_FALSE(engine->finished());
  CHECK(engine->take_outcome().error().code == ErrorCode::InvalidState);
  CHECK(engine->on_response(apdu::ResponseApdu(0x9000)).error().code == ErrorCode::InvalidState);
}

TEST_CASE("missing or malformed chip data is a ProtocolError") {
  G1 g;
  SUBCASE("no 80 in GA1") {
    transport::ScriptedTransport t;
    t.expect("", "9000");
    t.expect("", "7C0281009000");
    auto r = establish_pace(t, request(PacePassword::can("123456").value()));
    CHECK(r.error().code == ErrorCode::ProtocolError);
  }
  SUBCASE("mapping key not on the curve") {
    transport::ScriptedTransport t;
    t.expect("", "9000");
    t.expect("", g.response(1));
    std::string bad = g.response(2);
    bad[20] = bad[20] == '0' ? '1' : '0';
    t.expect("", bad);
    auto r = establish_pace(t, request(PacePassword::can("123456").value()));
    CHECK(r.error().code == ErrorCode::ProtocolError);
  }
  SUBCASE("CAM without 8A") {
    auto v = vectors("pace_cam_ecdh_brainpoolp256r1.json");
    const auto& x = v["values"];
    transport::ScriptedTransport t;
    for (std::size_t i = 0; i < 4; ++i) t.expect(hx(v["apdus"][i]["command"]), hx(v["apdus"][i]["response"]));
    t.expect("", "7C0A86088596CF055C67C1A39000");
    PaceOptions opt;
    opt.parameter_id_do = PaceOptions::ParameterIdDo::Never;
    FixedOutputRng rng{hx(x["terminal_mapping_private_key"]), hx(x["terminal_ephemeral_private_key"])};
    opt.rng = &rng;
    auto engine = PaceEngine::create(
        pace_choice_for("0.4.0.127.0.7.2.2.4.6.2", 13).value(),
        PacePassword::from_mrz_information(x["mrz_information_ascii"].get<std::string>()).value(),
        std::move(opt));
    REQUIRE(engine.ok());
    auto out = run_pace(t, *engine);
    CHECK(out.error().code == ErrorCode::ProtocolError);
  }
}

TEST_CASE("CardRemoved mid-protocol is propagated") {
  G1 g;
  transport::ScriptedTransport t;
  t.expect("", "9000");
  t.expect("", g.response(1));
  t.fail_next(make_error(ErrorCode::CardRemoved, "card left the field"));
  auto r = establish_pace(t, request(PacePassword::can("123456").value()));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::CardRemoved);
  transport::ScriptedTransport t2;
  t2.fail_next(make_error(ErrorCode::Timeout, "no answer"));
  PaceRequest req = request(PacePassword::can("123456").value());
  req.card_access.clear();
  CHECK(establish_pace(t2, req).error().code == ErrorCode::Timeout);
}

TEST_CASE("engine misuse and option checks") {
  auto choice = pace_choice_for("0.4.0.127.0.7.2.2.4.2.2", 13).value();
  auto e = PaceEngine::create(choice, PacePassword::can("123456").value());
  REQUIRE(e.ok());
  CHECK(e->on_response(apdu::ResponseApdu(0x9000)).error().code == ErrorCode::InvalidState);
  auto mse = e->start();
  REQUIRE(mse.ok());
  CHECK(to_hex(*mse->encode()) == "0022C1A412800A04007F0007020204020283010284010D");  // DNIe's JMC form
  CHECK(e->start().error().code == ErrorCode::InvalidState);
  // GA without Le (as the DNIe middleware sends them).
  PaceOptions no_le;
  no_le.ga_le = false;
  auto e2 = PaceEngine::create(choice, PacePassword::can("123456").value(), std::move(no_le));
  REQUIRE(e2.ok());
  REQUIRE(e2->start().ok());
  auto ga1 = e2->on_response(apdu::ResponseApdu(0x9000));
  REQUIRE(ga1.ok());
  CHECK(to_hex(*(*ga1)->encode()) == "10860000027C00");
  // A DH protocol on EC parameters is refused.
  PaceChoice wrong = choice;
  wrong.info.protocol_oid = "0.4.0.127.0.7.2.2.4.1.2";
  CHECK(PaceEngine::create(wrong, PacePassword::can("123456").value()).error().code ==
        ErrorCode::Unsupported);
  // IM on a curve with p = 1 mod 4 (NIST P-224, ID 10) is refused.
  CHECK(pace_choice_for("0.4.0.127.0.7.2.2.4.4.2", 10).error().code == ErrorCode::Unsupported);
}

TEST_CASE("random ephemeral keys: full run against the chip side of G.1 mapping stays well-formed") {
  // Without injected keys the terminal's GA2/GA3 commands differ from the vector, but every
  // command must still be a well-formed GA with a valid point.
  G1 g;
  transport::ScriptedTransport t;
  chip_g1(t, g, "9000", "6300");
  PaceRequest req =
      request(PacePassword::raw(PasswordType::Mrz, sb(g.v["values"]["K_sha1_mrz_information"])));
  auto r = establish_pace(t, req);
  CHECK(r.error().code == ErrorCode::WrongCan);
  CHECK(t.exchanges() == 5);
}
