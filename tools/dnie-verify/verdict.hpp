// SPDX-License-Identifier: Apache-2.0
// dnie-verify's verdict (docs/verification.md): every check of the report is classed as
// integrity (a failure proves tampering or a clone), trust (a failure means the evidence cannot be
// tied to a trusted authority), validity (the document is genuine but no longer valid) or
// information (shown, never decisive). Pure functions; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/bytes/error.hpp"
#include "dnie/icao/verification.hpp"

namespace dnie::verify {

enum class Outcome { Genuine, NotGenuine, CannotVerify };
/// "GENUINE", "NOT GENUINE", "CANNOT VERIFY".
std::string_view outcome_name(Outcome o) noexcept;

enum class CheckClass { Integrity, Trust, Validity, Info };
std::string_view check_class_name(CheckClass c) noexcept;  ///< "integrity", "trust", ...
/// The class of a check id; unknown ids are Integrity (a failure is never ignored).
CheckClass classify(std::string_view check_id) noexcept;

/// A step that could not be completed (open, PACE, read): verification stopped there.
struct StepFailure {
  std::string step;  ///< "open", "pace", "read"
  Error error;
};

/// Exit codes of dnie-verify.
enum ExitCode : int {
  kExitGenuine = 0,
  kExitUsage = 1,
  kExitNoCard = 2,
  kExitGenuineExpired = 3,
  kExitNotGenuine = 10,
  kExitCannotVerify = 20,
};

struct Decision {
  Outcome outcome = Outcome::CannotVerify;
  bool document_valid = false;        ///< genuine and not expired
  std::vector<std::string> deciding;  ///< ids of the checks (or "step.<name>") that decided
  std::vector<std::string> reasons;   ///< one sentence per deciding check
  std::vector<std::string> warnings;  ///< failed informational/validity checks
  int exit_code = kExitCannotVerify;
};

/// The essential checks: sod.signature, ds.chain, every dgN.hash (at least dg1.hash) and a chip
/// authenticity proof (chip_authentication, or active_authentication when CA was not performed).
/// NOT GENUINE when an integrity check failed; otherwise CANNOT VERIFY when a trust check failed
/// or an essential check was not performed; otherwise GENUINE (document_valid = no validity
/// check failed). A `step` failure is CANNOT VERIFY (exit 2 when no reader or card).
Decision decide(const icao::VerificationReport& report,
                const std::optional<StepFailure>& step = std::nullopt);

}  // namespace dnie::verify
