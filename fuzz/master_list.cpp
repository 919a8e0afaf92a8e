// SPDX-License-Identifier: Apache-2.0
// Fuzz target: CSCA master lists and CRLs (dnie/icao/trust_store.hpp, ICAO 9303-12 §5.2).
#include "dnie/icao/trust_store.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie::icao;
  (void)parse_master_list(input);
  (void)parse_crl(input);
  TrustStore s;
  (void)s.add_master_list(input, "fuzz");
  MasterListOptions unanchored;
  unanchored.accept_unanchored = true;
  unanchored.now = 1;
  (void)s.add_master_list(input, "fuzz", unanchored);
  (void)s.add_certificates(input, "fuzz");
  (void)s.add_crl(input);
  (void)s.audit(1);
  for (const auto& c : s.certificates()) (void)s.revocation(c, c, 1);
}
