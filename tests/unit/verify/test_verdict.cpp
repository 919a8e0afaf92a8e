// SPDX-License-Identifier: Apache-2.0
// dnie-verify's verdict rules on synthetic reports (tools/dnie-verify/verdict.hpp).
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "dnie/holder/validation.hpp"

#include "holder_certs.hpp"
#include "verdict.hpp"

using namespace dnie;
using Outcome = dnie::icao::Authenticity;

namespace {
icao::VerificationReport all_pass() {
  icao::VerificationReport r;
  for (const char* id : {"dg1.hash", "dg2.hash", "sod.signature", "ds.chain", "chip_authentication",
                         "mrz.dg11", "document.expiry", "icc.chain", "certificates.serial"})
    r.pass(id, id);
  r.not_performed("dg3.hash", "dg3", "access denied");
  return r;
}
}  // namespace

TEST_CASE("verdict rules") {
  SUBCASE("all essential checks pass: GENUINE, exit 0") {
    auto d = verify::decide(all_pass());
    CHECK(d.outcome() == Outcome::Genuine);
    CHECK(d.document_valid());
    CHECK(d.exit_code == 0);
  }
  SUBCASE("expired: GENUINE but not valid, exit 3") {
    auto r = all_pass();
    r.fail("document.expiry", "expiry", "expired 2023-06-15");
    auto d = verify::decide(r);
    CHECK(d.outcome() == Outcome::Genuine);
    CHECK_FALSE(d.document_valid());
    CHECK(d.exit_code == 11);
    CHECK(d.assessment.deciding == std::vector<std::string>{"document.expiry"});
  }
  SUBCASE("integrity failures win over trust failures: NOT GENUINE, exit 10") {
    auto r = all_pass();
    r.fail("dg11.hash", "dg11", "hash differs");
    r.fail("ds.chain", "chain", "no CSCA");
    auto d = verify::decide(r);
    CHECK(d.outcome() == Outcome::NotGenuine);
    CHECK(d.exit_code == 7);
    CHECK(d.assessment.deciding == std::vector<std::string>{"dg11.hash"});
  }
  SUBCASE("untrusted chain: CANNOT VERIFY, exit 20") {
    auto r = all_pass();
    r.fail("ds.chain", "chain", "no CSCA");
    auto d = verify::decide(r);
    CHECK(d.outcome() == Outcome::CannotVerify);
    CHECK(d.exit_code == 10);
  }
  SUBCASE("essential check not performed: CANNOT VERIFY") {
    auto r = all_pass();
    r.not_performed("chip_authentication", "ca", "DG14 not read");
    auto d = verify::decide(r);
    CHECK(d.outcome() == Outcome::CannotVerify);
    CHECK(d.assessment.deciding == std::vector<std::string>{"chip_authentication"});
  }
  SUBCASE("informational failures are warnings only") {
    auto r = all_pass();
    r.fail("ds.valid_now", "ds now", "expired");
    auto d = verify::decide(r);
    CHECK(d.outcome() == Outcome::Genuine);
    CHECK(d.document_valid());
    CHECK(d.assessment.warnings.size() == 1);
  }
  SUBCASE("a failed step: CANNOT VERIFY; no reader: exit 2") {
    auto d = verify::decide({}, verify::StepFailure{"pace", Error(ErrorCode::WrongCan, "PACE failed")});
    CHECK(d.outcome() == Outcome::CannotVerify);
    CHECK(d.exit_code == 3);  // the table's code for a wrong CAN
    CHECK(d.assessment.reasons.at(0).find("wrong CAN") != std::string::npos);
    auto sm = verify::decide({}, verify::StepFailure{"read", Error(ErrorCode::SecureMessagingError, "MAC")});
    CHECK(sm.exit_code == 10);
    auto n = verify::decide({}, verify::StepFailure{"open", Error(ErrorCode::ReaderNotFound, "none")});
    CHECK(n.exit_code == 2);
  }
  SUBCASE("unknown check ids are integrity checks") {
    CHECK(icao::classify_check("something.new") == icao::CheckClass::Integrity);
    CHECK(icao::classify_check("ds.chain") == icao::CheckClass::Trust);
    CHECK(icao::classify_check("document.expiry") == icao::CheckClass::Validity);
  }
}

TEST_CASE("holder certificate verdicts: the one exit-code table, informational in a document report") {
  using holder::CertificateVerdict;
  CHECK(cli::exit_code_for(CertificateVerdict::Valid) == 0);
  CHECK(cli::exit_code_for(CertificateVerdict::Invalid) == 7);
  CHECK(cli::exit_code_for(CertificateVerdict::CannotVerify) == 10);
  CHECK(cli::exit_code_for(CertificateVerdict::Expired) == 11);
  CHECK(cli::exit_code_for(CertificateVerdict::Revoked) == 12);
  CHECK(cli::kExitRevoked == 12);
  CHECK(std::string(cli::exit_codes_help()).find("12 REVOKED") != std::string::npos);

  // Each verdict as a holder.* check: revoked, invalid or expired certificates are warnings of a
  // GENUINE document, never its verdict.
  for (auto v : {CertificateVerdict::Valid, CertificateVerdict::Invalid, CertificateVerdict::Revoked,
                 CertificateVerdict::Expired, CertificateVerdict::CannotVerify}) {
    CAPTURE(holder::verdict_name(v));
    std::vector<holder::CertificateValidation> certs(2);
    certs[0].key = esign::KeyKind::Authentication;
    certs[1].key = esign::KeyKind::Signing;
    for (auto& c : certs) {
      c.verdict = v;
      c.reasons = {"revocation: because"};
    }
    auto r = all_pass();
    cli::add_holder_checks(r, certs);
    const auto want = v == CertificateVerdict::Valid          ? icao::CheckStatus::Pass
                      : v == CertificateVerdict::CannotVerify ? icao::CheckStatus::NotPerformed
                                                              : icao::CheckStatus::Fail;
    CHECK(r.status("holder.authentication") == want);
    CHECK(r.status("holder.signing") == want);
    CHECK(r.find("holder.signing")->reason.rfind(std::string(holder::verdict_name(v)), 0) == 0);
    const auto d = verify::decide(r);
    CHECK(d.outcome() == Outcome::Genuine);
    CHECK(d.exit_code == 0);
    CHECK(d.assessment.warnings.size() == (want == icao::CheckStatus::Fail ? 2u : 0u));
  }
}
