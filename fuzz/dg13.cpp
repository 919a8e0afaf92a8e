// SPDX-License-Identifier: Apache-2.0
// Fuzz target: DG13 in the Spanish layout (dnie/icao/data_groups.hpp).
#include "dnie/icao/data_groups.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  auto d = dnie::icao::parse_dg13_spain(input);
  if (d) DNIE_FUZZ_ASSERT(d->fields.size() >= 9);
}
