// SPDX-License-Identifier: Apache-2.0
// Fuzz target: EF.SOD (CMS SignedData, LDSSecurityObject) and the passive-authentication report
// over it (dnie/icao/sod.hpp, verification.hpp). The report must never fail to be produced.
#include "dnie/icao/sod.hpp"

#include "dnie/icao/verification.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie::icao;
  if (auto sod = parse_sod(input)) {
    if (const auto* ds = sod->ds_certificate())
      (void)verify_signer(sod->signed_data, *sod->signer(), ds->public_key());
  }
  (void)parse_lds_security_object(input);
  LdsContent doc;
  doc.sod = input.to_bytes();
  doc.dgs[1] = input.to_bytes();
  auto rep = verify_document(doc);
  DNIE_FUZZ_ASSERT(rep.find("sod.parse") != nullptr);
}
