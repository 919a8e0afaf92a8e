// SPDX-License-Identifier: Apache-2.0
// Chip Authentication v1 replayed against a real Austrian passport trace (gmrtd test suite,
// tests/data/vectors/sm_aes_real_chip_traces.json, aes128_chip_authentication_v1_AT): the
// protected APDUs, the new session keys and the first command under them, byte for byte.
#include "dnie/auth/chip_auth.hpp"
#include "dnie/icao/data_groups.hpp"
#include "dnie/transport/scripted.hpp"

#include "fixed_rng.hpp"
#include "test_support.hpp"

using namespace dnie;
using dnie::test::hx;
using dnie::test::vectors;

namespace {

sm::SmSession old_session(const nlohmann::json& v) {
  auto s = sm::SmSession::create(sm::Suite::Aes, SecureBuffer(hx(v["SM_before_CA"]["KS_enc"])),
                                 SecureBuffer(hx(v["SM_before_CA"]["KS_mac"])),
                                 SecureBuffer(hx(v["SM_before_CA"]["SSC_initial"])));
  REQUIRE(s.ok());
  return std::move(*s);
}

void script(transport::ScriptedTransport& t, const nlohmann::json& v, bool corrupt_last) {
  for (const auto& step : v["steps_under_old_keys"])
    t.expect(hx(step["protected_command"]), hx(step["protected_response"]));
  Bytes last = hx(v["first_command_under_new_keys"]["protected_response"]);
  if (corrupt_last) last[last.size() - 3] ^= 0x01;  // a chip without the key cannot MAC correctly
  t.expect(hx(v["first_command_under_new_keys"]["protected_command"]), last);
}

}  // namespace

TEST_CASE("CA v1 (ECDH, AES-128) on a real chip trace: keys and APDUs byte for byte") {
  const auto v = vectors("sm_aes_real_chip_traces.json")["vectors"]["aes128_chip_authentication_v1_AT"];
  auto dg14 = icao::parse_dg14(hx(v["dg14"]));
  REQUIRE(dg14.ok());
  auto plan = auth::plan_chip_authentication(*dg14);
  REQUIRE(plan.ok());
  CHECK(plan->public_key.public_key == hx(v["chip_static_public_key_from_DG14"]));

  // K and the session keys.
  auto k =
      plan->public_key.params.ec->ecdh(hx(v["terminal_ephemeral_private_key"]), plan->public_key.public_key);
  REQUIRE(k.ok());
  CHECK(to_hex(k->view()) == v["shared_secret_K_computed"].get<std::string>());
  auto keys = auth::derive_chip_auth_keys(k->view(), auth::SymCipher::Aes128);
  REQUIRE(keys.ok());
  CHECK(to_hex(keys->k_enc.view()) == v["new_KS_enc"].get<std::string>());
  CHECK(to_hex(keys->k_mac.view()) == v["new_KS_mac"].get<std::string>());

  transport::ScriptedTransport inner;
  script(inner, v, false);
  sm::SecureMessagingTransport t(inner, old_session(v));
  auth::ChipAuthOptions o;
  test::FixedOutputRng rng{hx(v["terminal_ephemeral_private_key"])};  // the trace's terminal key
  o.rng = &rng;
  o.confirm_fid = 0x010E;
  auto r = auth::run_chip_authentication(t, *dg14, o);
  REQUIRE_MESSAGE(r.ok(), r.error().to_string());
  CHECK(r->confirmed);
  CHECK(r->suite == sm::Suite::Aes);
  CHECK(r->protocol_oid == "0.4.0.127.0.7.2.2.3.2.2");
  CHECK(r->terminal_ephemeral_public_key == hx(v["terminal_ephemeral_public_key"]));
  CHECK(inner.done());
  CHECK(t.is_secure());
}

TEST_CASE("CA v1: a cloned chip fails the first command under the new keys") {
  const auto v = vectors("sm_aes_real_chip_traces.json")["vectors"]["aes128_chip_authentication_v1_AT"];
  auto dg14 = icao::parse_dg14(hx(v["dg14"]));
  REQUIRE(dg14.ok());
  transport::ScriptedTransport inner;
  script(inner, v, true);
  sm::SecureMessagingTransport t(inner, old_session(v));
  auth::ChipAuthOptions o;
  test::FixedOutputRng rng{hx(v["terminal_ephemeral_private_key"])};  // the trace's terminal key
  o.rng = &rng;
  o.confirm_fid = 0x010E;
  auto r = auth::run_chip_authentication(t, *dg14, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::VerificationFailed);
  CHECK(r.error().message.find("chip authentication failed") == 0);
  CHECK_FALSE(t.is_secure());
}

TEST_CASE("CA v1: refusals and missing keys") {
  const auto v = vectors("sm_aes_real_chip_traces.json")["vectors"]["aes128_chip_authentication_v1_AT"];
  auto dg14 = icao::parse_dg14(hx(v["dg14"]));
  REQUIRE(dg14.ok());
  CHECK(auth::plan_chip_authentication(*dg14, 7).error().code == ErrorCode::Unsupported);
  CHECK(auth::plan_chip_authentication(auth::SecurityInfos{}).error().code == ErrorCode::Unsupported);
  // Without an open channel.
  transport::ScriptedTransport inner;
  auto s = old_session(v);
  s.close();
  sm::SecureMessagingTransport t(inner, std::move(s));
  CHECK(auth::run_chip_authentication(t, *dg14).error().code == ErrorCode::InvalidState);
}
