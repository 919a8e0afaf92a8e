// SPDX-License-Identifier: Apache-2.0
// Fuzz target: DG1 and MRZ parsing (dnie/icao/mrz.hpp, ICAO 9303-3/4/5/6, 9303-10 §4.7.1).
#include <string>

#include "dnie/icao/mrz.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie::icao;
  auto m = parse_dg1(input);
  std::string text(input.begin(), input.end());
  auto m2 = parse_mrz(text);
  for (auto* r : {&m, &m2}) {
    if (!*r) continue;
    const Mrz& z = **r;
    (void)z.personal_number();
    (void)z.mrz_information();
    (void)z.failed_checks();
    DNIE_FUZZ_ASSERT(!z.checks.empty());
    DNIE_FUZZ_ASSERT(z.lines().size() == (z.format == MrzFormat::Td1 ? 3u : 2u));
  }
  (void)split_mrz_name(text);
  (void)mrz_check_digit(text);
}
