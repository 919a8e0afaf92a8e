// SPDX-License-Identifier: Apache-2.0
// Fuzz target: DG2 / DG7 biometric containers and ISO/IEC 19794-5 records (dnie/icao/biometrics.hpp).
#include "dnie/icao/biometrics.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie::icao;
  for (auto r : {parse_dg2(input), parse_dg7(input), parse_iso19794_5(input)}) {
    if (!r) continue;
    for (const auto& img : *r) DNIE_FUZZ_ASSERT(!img.data.empty());
  }
  (void)detect_image_format(input);
}
