// SPDX-License-Identifier: Apache-2.0
#include "holder_certs.hpp"

#include <algorithm>
#include <filesystem>

#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/mrz.hpp"

#include "exit_codes.hpp"
#include "files.hpp"
#include "holder.hpp"
#include "text.hpp"

namespace dnie::cli {

namespace {

// A CRL or OCSP response is a few KiB; a CRL of a large CA a few MiB.
constexpr std::size_t kMaxEvidence = std::size_t{16} << 20;

Result<holder::EvidenceFile> evidence(const std::string& path) {
  DNIE_ASSIGN_OR_RETURN(Bytes data, read_input_file(path, kMaxEvidence));
  return holder::EvidenceFile{std::filesystem::path(path).filename().string(), std::move(data)};
}

}  // namespace

Result<holder::ValidationOptions> validation_options(const HolderCheckOptions& o) {
  holder::ValidationOptions v;
  for (const auto& f : o.crl_files) {
    DNIE_ASSIGN_OR_RETURN(auto e, evidence(f));
    v.crls.push_back(std::move(e));
  }
  for (const auto& f : o.ocsp_files) {
    DNIE_ASSIGN_OR_RETURN(auto e, evidence(f));
    v.ocsp_responses.push_back(std::move(e));
  }
  v.online = o.online;
  if (o.timeout_ms > 0) v.http.timeout_ms = o.timeout_ms;
  v.http.connect_timeout_ms = std::min(v.http.connect_timeout_ms, v.http.timeout_ms);
  v.at = o.at;
  v.now = o.now;
  return v;
}

bool trust_virtual_holder(holder::ValidationOptions& vo, const Session& session) {
  const auto& t = session.options().offered_holder_trust;
  if (t.empty()) return false;
  vo.extra.insert(vo.extra.end(), t.begin(), t.end());
  vo.allow_test_roots = true;
  // The CRL of the card's TEST CA, as evidence next to any --crl given.
  const auto& crls = session.options().offered_holder_crls;
  vo.crls.insert(vo.crls.end(), crls.begin(), crls.end());
  return true;
}

std::vector<std::pair<std::string, std::string>> document_dni(const icao::LdsContent& doc) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&out](const char* src, const std::string& n) {
    if (!trim_fillers(n).empty()) out.emplace_back(src, trim_fillers(n));
  };
  if (const Bytes* b = doc.dg(1))
    if (auto m = icao::parse_dg1(*b)) add("DG1", m->personal_number());
  if (const Bytes* b = doc.dg(11))
    if (auto d = icao::parse_dg11(*b); d && d->personal_number) add("DG11", *d->personal_number);
  if (const Bytes* b = doc.dg(13))
    if (auto d = icao::parse_dg13_spain(*b)) add("DG13", d->dni_number);
  return out;
}

int exit_code_for(holder::CertificateVerdict v) noexcept {
  switch (v) {
    case holder::CertificateVerdict::Valid:
      return kExitOk;
    case holder::CertificateVerdict::Invalid:
      return kExitNotGenuine;
    case holder::CertificateVerdict::Revoked:
      return kExitRevoked;
    case holder::CertificateVerdict::Expired:
      return kExitGenuineExpired;
    case holder::CertificateVerdict::CannotVerify:
      return kExitCannotVerify;
  }
  return kExitCannotVerify;
}

const char* key_name(esign::KeyKind k) noexcept {
  return k == esign::KeyKind::Signing ? "signing" : "authentication";
}

nlohmann::json holder_json(const std::vector<holder::CertificateValidation>& v) {
  auto j = nlohmann::json::parse(sanitize_utf8(holder::to_json(v)), nullptr, false);
  if (j.is_discarded()) return {{"verdict", std::string(holder::verdict_name(holder::overall_verdict(v)))}};
  return j;
}

nlohmann::json holder_json(const holder::CertificateValidation& v) {
  auto j = nlohmann::json::parse(sanitize_utf8(holder::to_json(v)), nullptr, false);
  if (j.is_discarded()) return {{"verdict", std::string(holder::verdict_name(v.verdict))}};
  return j;
}

std::vector<std::string> holder_lines(const holder::CertificateValidation& v, bool all_checks) {
  std::vector<std::string> out;
  // A revocation reason is the revocation line below.
  for (const auto& r : v.reasons)
    if (r.rfind("revocation:", 0) != 0) out.push_back("reason: " + for_terminal(r));
  std::string rev = "revocation: ";
  if (!v.revocation_checked) {
    std::string why = v.revocation.detail;
    if (why.rfind("not checked: ", 0) == 0) why = why.substr(13);
    rev += "not checked" + (why.empty() ? std::string() : " (" + for_terminal(why) + ")");
  } else {
    rev += v.revocation_label();
    if (!v.revocation.source.empty()) rev += " — " + for_terminal(v.revocation.source);
    if (!v.revocation.detail.empty()) rev += ": " + for_terminal(v.revocation.detail);
  }
  out.push_back(rev);
  for (const auto& c : v.report.checks) {
    if (c.status == icao::CheckStatus::Pass && !all_checks) continue;
    const char* mark = c.status == icao::CheckStatus::Pass   ? "ok  "
                       : c.status == icao::CheckStatus::Fail ? "FAIL"
                                                             : "--  ";
    out.push_back(std::string("  ") + mark + " " + for_terminal(c.id) + (c.reason.empty() ? "" : ": ") +
                  for_terminal(c.reason));
  }
  return out;
}

void add_holder_checks(icao::VerificationReport& report,
                       const std::vector<holder::CertificateValidation>& v) {
  for (const auto& c : v) {
    const std::string id = std::string("holder.") + key_name(c.key);
    const std::string what = std::string("Holder ") + key_name(c.key) +
                             " certificate: trusted DNIe chain, profile, DNI and revocation "
                             "(its own verdict; docs/relying-parties.md)";
    std::string reason(holder::verdict_name(c.verdict));
    for (std::size_t i = 0; i < c.reasons.size(); ++i) reason += (i ? "; " : ": ") + c.reasons[i];
    switch (c.verdict) {
      case holder::CertificateVerdict::Valid:
        report.pass(id, what, reason);
        break;
      case holder::CertificateVerdict::CannotVerify:
        report.not_performed(id, what, reason);
        break;
      default:
        report.fail(id, what, reason);
        break;
    }
  }
}

}  // namespace dnie::cli
