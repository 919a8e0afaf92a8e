// SPDX-License-Identifier: Apache-2.0
// Fuzz target: EF.COM, DG11, DG12, DG14 and DG15 parsers (dnie/icao/data_groups.hpp, lds.hpp).
#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/lds.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie::icao;
  (void)parse_com(input);
  (void)parse_dg11(input);
  (void)parse_dg12(input);
  if (auto d = parse_dg14(input)) (void)active_authentication_signature_oid(*d);
  if (auto d = parse_dg15(input)) (void)dg15_public_key(*d);
}
