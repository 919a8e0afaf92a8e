// SPDX-License-Identifier: Apache-2.0
#include "verdict.hpp"

namespace dnie::verify {

Decision decide(const icao::VerificationReport& report, const std::optional<StepFailure>& step) {
  Decision d;
  if (step) {
    icao::Assessment& a = d.assessment;
    a.authenticity = Authenticity::CannotVerify;
    a.deciding.push_back("step." + step->step);
    std::string why = step->error.message;
    switch (step->error.code) {
      case ErrorCode::WrongCan:
        why = "PACE rejected the access number (wrong CAN or MRZ): " + why;
        break;
      case ErrorCode::CardTerminated:
        why = "the card is terminated (life cycle TERMINATED): " + why;
        break;
      default:
        // A terminated DNIe answers 69 85 to everything over the contactless interface.
        if (step->error.sw == 0x6985)
          why = "the card refuses to work (69 85), as a terminated (cancelled) card does: " + why;
        break;
    }
    a.reasons.push_back(step->step + " failed (" + std::string(error_code_name(step->error.code)) +
                        "): " + why);
    const int specific = cli::exit_code_for(step->error.code);
    d.exit_code =
        specific == cli::kExitIo || specific == cli::kExitNotGenuine ? cli::kExitCannotVerify : specific;
    return d;
  }
  d.assessment = icao::assess(report);
  switch (d.assessment.authenticity) {
    case Authenticity::Genuine:
      d.exit_code = d.assessment.expired ? cli::kExitGenuineExpired : cli::kExitOk;
      break;
    case Authenticity::NotGenuine:
      d.exit_code = cli::kExitNotGenuine;
      break;
    case Authenticity::CannotVerify:
      d.exit_code = cli::kExitCannotVerify;
      break;
  }
  return d;
}

}  // namespace dnie::verify
