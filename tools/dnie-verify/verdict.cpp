// SPDX-License-Identifier: Apache-2.0
#include "verdict.hpp"

#include <array>

namespace dnie::verify {

std::string_view outcome_name(Outcome o) noexcept {
  switch (o) {
    case Outcome::Genuine:
      return "GENUINE";
    case Outcome::NotGenuine:
      return "NOT GENUINE";
    case Outcome::CannotVerify:
      return "CANNOT VERIFY";
  }
  return "CANNOT VERIFY";
}

std::string_view check_class_name(CheckClass c) noexcept {
  switch (c) {
    case CheckClass::Integrity:
      return "integrity";
    case CheckClass::Trust:
      return "trust";
    case CheckClass::Validity:
      return "validity";
    case CheckClass::Info:
      return "info";
  }
  return "integrity";
}

CheckClass classify(std::string_view id) noexcept {
  // Trust: the chain to a CSCA the verifier trusts (untrusted ≠ forged).
  static constexpr std::array<std::string_view, 4> trust = {"ds.chain", "csca.valid_at_signing",
                                                            "csca.key_usage", "icc.anchor"};
  // Validity: a genuine document past its date.
  static constexpr std::array<std::string_view, 1> validity = {"document.expiry"};
  // Information: expected to fail on old but genuine documents (DS keys are retired early;
  // DNIe certificates expire after 5 years while the card lasts 10).
  static constexpr std::array<std::string_view, 2> info = {"ds.valid_now", "certificates.valid_now"};
  for (auto t : trust)
    if (id == t) return CheckClass::Trust;
  for (auto t : validity)
    if (id == t) return CheckClass::Validity;
  for (auto t : info)
    if (id == t) return CheckClass::Info;
  return CheckClass::Integrity;
}

namespace {

std::string line(const icao::Check& c) {
  std::string s = c.id + ": " + c.description;
  if (!c.reason.empty()) s += " — " + c.reason;
  return s;
}

}  // namespace

Decision decide(const icao::VerificationReport& report, const std::optional<StepFailure>& step) {
  Decision d;
  if (step) {
    d.outcome = Outcome::CannotVerify;
    d.deciding.push_back("step." + step->step);
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
    d.reasons.push_back(step->step + " failed (" + std::string(error_code_name(step->error.code)) +
                        "): " + why);
    const bool no_card = step->error.code == ErrorCode::ReaderNotFound ||
                         step->error.code == ErrorCode::NoCard || step->error.code == ErrorCode::NoService;
    d.exit_code = no_card ? kExitNoCard : kExitCannotVerify;
    return d;
  }

  std::vector<const icao::Check*> integrity, trust, validity;
  for (const auto& c : report.checks) {
    if (c.status != icao::CheckStatus::Fail) continue;
    switch (classify(c.id)) {
      case CheckClass::Integrity:
        integrity.push_back(&c);
        break;
      case CheckClass::Trust:
        trust.push_back(&c);
        break;
      case CheckClass::Validity:
        validity.push_back(&c);
        break;
      case CheckClass::Info:
        d.warnings.push_back(line(c));
        break;
    }
  }
  for (const auto* c : validity) d.warnings.push_back(line(*c));

  if (!integrity.empty()) {
    d.outcome = Outcome::NotGenuine;
    for (const auto* c : integrity) {
      d.deciding.push_back(c->id);
      d.reasons.push_back(line(*c));
    }
    d.exit_code = kExitNotGenuine;
    return d;
  }

  // Essential checks that were not performed (or failed for lack of trust).
  std::vector<std::string> missing;
  auto need = [&](std::string_view id) {
    if (report.status(id) != icao::CheckStatus::Pass) missing.emplace_back(id);
  };
  need("sod.signature");
  need("ds.chain");
  // Data groups that were read have a Pass or Fail hash check (a Fail is integrity); groups the
  // card protects (DG3) are NotPerformed and not essential. DG1 is mandatory.
  need("dg1.hash");
  if (report.status("chip_authentication") != icao::CheckStatus::Pass &&
      report.status("active_authentication") != icao::CheckStatus::Pass)
    missing.emplace_back(report.find("chip_authentication") ? "chip_authentication"
                                                            : "active_authentication");

  if (!trust.empty() || !missing.empty()) {
    d.outcome = Outcome::CannotVerify;
    for (const auto* c : trust) {
      d.deciding.push_back(c->id);
      d.reasons.push_back(line(*c));
    }
    for (const auto& id : missing) {
      bool dup = false;
      for (const auto& x : d.deciding) dup = dup || x == id;
      if (dup) continue;
      d.deciding.push_back(id);
      const icao::Check* c = report.find(id);
      d.reasons.push_back(c ? line(*c) + " (essential check not performed)"
                            : id + ": essential check absent");
    }
    d.exit_code = kExitCannotVerify;
    return d;
  }

  d.outcome = Outcome::Genuine;
  d.document_valid = validity.empty();
  for (const auto* c : validity) {
    d.deciding.push_back(c->id);
    d.reasons.push_back("genuine but no longer valid — " + line(*c));
  }
  d.exit_code = d.document_valid ? kExitGenuine : kExitGenuineExpired;
  return d;
}

}  // namespace dnie::verify
