// SPDX-License-Identifier: Apache-2.0
// dnie-verify's decision: the library's assessment (icao::assess, docs/verification.md) plus the
// steps that could not be completed (no card, wrong CAN...) and the tool's exit codes. Pure
// functions; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/bytes/error.hpp"
#include "dnie/icao/verification.hpp"

#include "exit_codes.hpp"

namespace dnie::verify {

using icao::Authenticity;
using icao::CheckClass;

/// A step that could not be completed (open, PACE, read): verification stopped there.
struct StepFailure {
  std::string step;  ///< "open", "pace", "read"
  Error error;
};

/// Exit codes: the tools' one table (tools/common/exit_codes.hpp, docs/cli.md).
using namespace dnie::cli;

struct Decision {
  icao::Assessment assessment;  ///< the library's verdict and its reasons
  int exit_code = cli::kExitCannotVerify;
  Authenticity outcome() const noexcept { return assessment.authenticity; }
  bool document_valid() const noexcept { return outcome() == Authenticity::Genuine && !assessment.expired; }
};

/// icao::assess(report), or CANNOT VERIFY when a `step` failed (the exit code then says why when
/// the table has a code for it: 2 no card, 3 wrong CAN, 6 terminated...; 10 otherwise).
Decision decide(const icao::VerificationReport& report,
                const std::optional<StepFailure>& step = std::nullopt);

}  // namespace dnie::verify
