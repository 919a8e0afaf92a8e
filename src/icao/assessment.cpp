// SPDX-License-Identifier: Apache-2.0
// Assessment of a verification report: GENUINE / NOT GENUINE / CANNOT VERIFY (docs/verification.md).
// Integrity failures prove tampering or a clone (ICAO 9303-11 §5.1 passive authentication, §6.2
// chip authentication); trust failures only mean the evidence cannot be tied to an authority the
// verifier trusts (ICAO 9303-12 §5: the CSCA is distributed out of band).
#include <array>

#include "dnie/icao/verification.hpp"

namespace dnie::icao {

std::string_view authenticity_name(Authenticity a) noexcept {
  switch (a) {
    case Authenticity::Genuine:
      return "GENUINE";
    case Authenticity::NotGenuine:
      return "NOT GENUINE";
    case Authenticity::CannotVerify:
      break;
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

CheckClass classify_check(std::string_view id) noexcept {
  // Trust: the chain to an authority the verifier trusts (untrusted is not forged).
  static constexpr std::array<std::string_view, 4> trust = {"ds.chain", "csca.valid_at_signing",
                                                            "csca.key_usage", "icc.anchor"};
  // Validity: a genuine document past its date.
  static constexpr std::array<std::string_view, 1> validity = {"document.expiry"};
  // Information: expected to fail on old but genuine documents (DS keys are retired early;
  // DNIe certificates expire after 5 years while the card lasts 10), or a record of the session.
  static constexpr std::array<std::string_view, 3> info = {"ds.valid_now", "certificates.valid_now",
                                                           "session.channel"};
  for (auto t : trust)
    if (id == t) return CheckClass::Trust;
  for (auto t : validity)
    if (id == t) return CheckClass::Validity;
  for (auto t : info)
    if (id == t) return CheckClass::Info;
  // Holder certificate checks copied into a document report (dnie::holder, prefixed "holder."):
  // the certificates are not covered by EF.SOD and expire or are revoked on their own; they have
  // their own verdict (docs/relying-parties.md).
  if (id.rfind("holder.", 0) == 0) return CheckClass::Info;
  return CheckClass::Integrity;
}

std::string Assessment::label() const {
  std::string s(authenticity_name(authenticity));
  if (authenticity == Authenticity::Genuine && expired) s += ", EXPIRED";
  return s;
}

namespace {

std::string line(const Check& c) {
  std::string s = c.id + ": " + c.description;
  if (!c.reason.empty()) s += " — " + c.reason;
  return s;
}

bool is_dg_hash(const std::string& id) {
  return id.size() > 7 && id.rfind("dg", 0) == 0 && id.compare(id.size() - 5, 5, ".hash") == 0;
}

}  // namespace

Assessment assess(const VerificationReport& report) {
  Assessment a;
  std::vector<const Check*> integrity, trust, validity;
  for (const auto& c : report.checks) {
    if (c.status != CheckStatus::Fail) continue;
    switch (classify_check(c.id)) {
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
        a.warnings.push_back(line(c));
        break;
    }
  }
  for (const auto* c : validity) a.warnings.push_back(line(*c));

  if (!integrity.empty()) {
    a.authenticity = Authenticity::NotGenuine;
    for (const auto* c : integrity) {
      a.deciding.push_back(c->id);
      a.reasons.push_back(line(*c));
    }
    return a;
  }

  // Essential checks that did not pass. Data groups that were read have a Pass or Fail hash check
  // (a Fail is integrity); groups the card protects (DG3: EAC) are NotPerformed and not
  // essential. DG1 is mandatory (ICAO 9303-10 §4.7).
  std::vector<std::string> missing;
  auto need = [&](const std::string& id) {
    if (report.status(id) != CheckStatus::Pass) missing.push_back(id);
  };
  need("sod.signature");
  need("ds.chain");
  need("dg1.hash");
  for (const auto& c : report.checks)
    if (is_dg_hash(c.id) && c.status != CheckStatus::NotPerformed) need(c.id);
  // The chip is the original: chip authentication (ICAO 9303-11 §6.2), or active
  // authentication (§6.1) for a document without it.
  if (report.status("chip_authentication") != CheckStatus::Pass &&
      report.status("active_authentication") != CheckStatus::Pass)
    missing.emplace_back(report.find("active_authentication") && !report.find("chip_authentication")
                             ? "active_authentication"
                             : "chip_authentication");

  if (!trust.empty() || !missing.empty()) {
    a.authenticity = Authenticity::CannotVerify;
    for (const auto* c : trust) {
      a.deciding.push_back(c->id);
      a.reasons.push_back(line(*c));
    }
    for (const auto& id : missing) {
      bool dup = false;
      for (const auto& x : a.deciding) dup = dup || x == id;
      if (dup) continue;
      a.deciding.push_back(id);
      const Check* c = report.find(id);
      a.reasons.push_back(c ? line(*c) + " (essential check not passed)"
                            : id + ": essential check not performed");
    }
    return a;
  }

  a.authenticity = Authenticity::Genuine;
  a.expired = !validity.empty();
  for (const auto* c : validity) {
    a.deciding.push_back(c->id);
    a.reasons.push_back("genuine but no longer valid — " + line(*c));
  }
  return a;
}

}  // namespace dnie::icao
