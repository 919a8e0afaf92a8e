// SPDX-License-Identifier: Apache-2.0
// Fuzz target: SecurityInfos parsers (EF.CardAccess, DG14, EF.CardSecurity) and the PACE choice
// (dnie/auth/security_infos.hpp).
#include "dnie/auth/security_infos.hpp"

#include "driver.hpp"

namespace {

void check(const dnie::Result<dnie::auth::SecurityInfos>& r) {
  if (!r) {
    DNIE_FUZZ_ASSERT(r.error().code == dnie::ErrorCode::MalformedData);
    return;
  }
  const auto& s = *r;
  const std::size_t total = s.pace.size() + s.pace_domain_parameters.size() + s.chip_authentication.size() +
                            s.chip_authentication_domain_parameters.size() +
                            s.chip_authentication_public_keys.size() + s.terminal_authentication.size() +
                            s.other.size();
  DNIE_FUZZ_ASSERT(total == s.oids.size());
  auto c = dnie::auth::choose_pace(s);
  if (c) {
    DNIE_FUZZ_ASSERT(c->info.version == 2);
    DNIE_FUZZ_ASSERT(c->params.supported());
    // The default policy: standardized parameters of at least 112-bit security only.
    DNIE_FUZZ_ASSERT(c->params.standardized_id() >= 0 && c->params.security_bits() >= 112);
  } else {
    DNIE_FUZZ_ASSERT(c.error().code == dnie::ErrorCode::Unsupported);
  }
  // Explicit parameters of any size, through full validation (SEC 1 / SP 800-56A checks).
  dnie::auth::PacePolicy any;
  any.min_security_bits = 0;
  any.allow_explicit_parameters = true;
  auto e = dnie::auth::choose_pace(s, {}, any);
  if (e) DNIE_FUZZ_ASSERT(e->params.supported());
}

}  // namespace

DNIE_FUZZ_TARGET {
  using namespace dnie::auth;
  check(parse_security_infos(input));
  check(parse_card_access(input));
  check(parse_dg14(input));
  check(parse_card_security(input));
  (void)parse_domain_parameters(input);
}
