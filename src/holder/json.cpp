// SPDX-License-Identifier: Apache-2.0
// JSON renderings of the holder layer's results (validation, signature preview, signature
// verification): one text for the C API, the CLI's --json and dnie-verify's evidence.
#include <cstdio>

#include "dnie/bytes/asn1.hpp"
#include "dnie/holder/signing.hpp"
#include "dnie/holder/validation.hpp"

#include "holder/holder_internal.hpp"

namespace dnie::holder {

namespace detail {

std::string json_string(std::string_view v) { return "\"" + json_escape(v) + "\""; }

std::string json_strings(const std::vector<std::string>& v) {
  std::string o = "[";
  for (std::size_t i = 0; i < v.size(); ++i) o += (i ? "," : "") + json_string(v[i]);
  return o + "]";
}

std::string json_checks(const icao::VerificationReport& r) {
  std::string o = "[";
  for (std::size_t i = 0; i < r.checks.size(); ++i) {
    const auto& c = r.checks[i];
    o += std::string(i ? "," : "") + "{\"id\":" + json_string(c.id) +
         ",\"description\":" + json_string(c.description) +
         ",\"status\":" + json_string(icao::check_status_name(c.status)) +
         ",\"reason\":" + json_string(c.reason) + "}";
  }
  return o + "]";
}

}  // namespace detail

namespace {

using detail::json_string;

std::string time_or_null(const std::optional<std::int64_t>& t) {
  return t ? json_string(asn1::format_time(*t)) : std::string("null");
}

std::string revocation_json(const crypto::RevocationResult& r, const std::string& status) {
  return "{\"status\":" + json_string(status) + ",\"source\":" + json_string(r.source) +
         ",\"detail\":" + json_string(r.detail) + ",\"responder\":" + json_string(r.responder) +
         ",\"revocation_time\":" + time_or_null(r.revocation_time) +
         ",\"revocation_reason\":" + json_string(r.revocation_reason) +
         ",\"this_update\":" + time_or_null(r.this_update) +
         ",\"next_update\":" + time_or_null(r.next_update) + "}";
}

}  // namespace

std::string to_json(const CertificateValidation& v) {
  const auto& c = v.certificate;
  std::vector<std::string> path;
  for (const auto& p : v.path) path.push_back(p.subject().to_string());
  std::string sources = "[";
  for (std::size_t i = 0; i < v.revocation_sources.size(); ++i)
    sources += (i ? "," : "") +
               revocation_json(v.revocation_sources[i],
                               std::string(crypto::revocation_status_name(v.revocation_sources[i].status)));
  sources += "]";
  std::string rev = revocation_json(v.revocation, v.revocation_label());
  rev.insert(rev.size() - 1, ",\"sources\":" + sources);
  return "{\"key\":" + json_string(v.key == esign::KeyKind::Signing ? "signing" : "authentication") +
         ",\"verdict\":" + json_string(verdict_name(v.verdict)) +
         ",\"reasons\":" + detail::json_strings(v.reasons) +
         ",\"subject\":" + json_string(c.subject().to_string()) +
         ",\"issuer\":" + json_string(c.issuer().to_string()) +
         ",\"dni\":" + json_string(certificate_dni(c)) + ",\"serial\":" + json_string(to_hex(c.serial())) +
         ",\"not_before\":" + json_string(asn1::format_time(c.not_before())) +
         ",\"not_after\":" + json_string(asn1::format_time(c.not_after())) +
         ",\"fingerprint\":" + json_string(c.fingerprint_sha256()) +
         ",\"path\":" + detail::json_strings(path) + ",\"anchor\":" + json_string(v.anchor) +
         ",\"test_anchor\":" + (v.test_anchor ? "true" : "false") +
         ",\"at\":" + json_string(asn1::format_time(v.at)) + ",\"revocation\":" + rev +
         ",\"checks\":" + detail::json_checks(v.report) + "}";
}

std::string to_json(const std::vector<CertificateValidation>& v) {
  std::string o = "{\"verdict\":" + json_string(verdict_name(overall_verdict(v))) + ",\"certificates\":[";
  for (std::size_t i = 0; i < v.size(); ++i) o += (i ? "," : "") + to_json(v[i]);
  return o + "]}";
}

std::string SignaturePreview::to_json() const {
  return "{\"key\":" + json_string(key == esign::KeyKind::Signing ? "signing" : "authentication") +
         ",\"hash\":" + json_string(crypto::hash_name(content.hash)) +
         ",\"digest\":" + json_string(to_hex(content.digest)) + ",\"size\":" + std::to_string(content.size) +
         ",\"holder\":" + json_string(holder) + ",\"dni\":" + json_string(dni) +
         ",\"issuer\":" + json_string(issuer) +
         ",\"not_before\":" + json_string(asn1::format_time(not_before)) +
         ",\"not_after\":" + json_string(asn1::format_time(not_after)) +
         ",\"valid_now\":" + (valid_now ? "true" : "false") +
         ",\"fingerprint\":" + json_string(fingerprint_sha256) +
         ",\"revocation\":" + json_string(revocation) +
         ",\"revocation_detail\":" + json_string(revocation_detail) +
         ",\"verdict\":" + (verdict ? json_string(verdict_name(*verdict)) : std::string("null")) + "}";
}

std::string SignatureValidation::to_json() const {
  return "{\"verdict\":" + json_string(verdict_name(verdict)) +
         ",\"reasons\":" + detail::json_strings(reasons) + ",\"signing_time\":" + time_or_null(signing_time) +
         ",\"checks\":" + detail::json_checks(report) +
         ",\"signer\":" + (signer ? holder::to_json(*signer) : std::string("null")) + "}";
}

}  // namespace dnie::holder
