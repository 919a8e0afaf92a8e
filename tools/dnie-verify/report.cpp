// SPDX-License-Identifier: Apache-2.0
#include "report.hpp"

#include <cstdio>

#include "dnie/bytes/asn1.hpp"
#include "dnie/version.hpp"

#include "holder_certs.hpp"
#include "text.hpp"

namespace dnie::verify {
namespace {

using cli::for_terminal;

// Card, file and user text on the terminal: shown, never obeyed (tools/common/text.hpp).
std::string t(const std::string& s) { return for_terminal(s); }

std::string fmt_ms(double ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f ms", ms);
  return b;
}

// HTML text: control characters and invalid UTF-8 made visible first (as on the terminal), then
// the five characters HTML gives a meaning.
std::string html_escape(std::string_view raw) {
  const std::string s = for_terminal(raw);
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o.push_back(c);
    }
  }
  return o;
}

const char* status_word(icao::CheckStatus s) {
  return s == icao::CheckStatus::Pass ? "PASS" : s == icao::CheckStatus::Fail ? "FAIL" : "N/P ";
}

std::string holder_headline(const Evidence& ev) {
  if (!ev.holder_certs) return ev.holder_note.empty() ? std::string("not validated") : ev.holder_note;
  return std::string(holder::verdict_name(holder::overall_verdict(*ev.holder_certs)));
}

bool holder_test_anchor(const Evidence& ev) {
  if (!ev.holder_certs) return false;
  for (const auto& v : *ev.holder_certs)
    if (v.test_anchor) return true;
  return false;
}

std::string day(std::int64_t t) { return asn1::format_time(t).substr(0, 10); }

std::string headline(const Evidence& ev) {
  std::string h = ev.decision.assessment.label();
  if (ev.decision.document_valid()) h += " (document valid)";
  return h;
}

}  // namespace

std::string base64(ByteView data) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (unsigned(data[i]) << 16) | (unsigned(data[i + 1]) << 8) | unsigned(data[i + 2]);
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += k[(v >> 6) & 63];
    out += k[v & 63];
  }
  if (i < data.size()) {
    unsigned v = unsigned(data[i]) << 16;
    if (i + 1 < data.size()) v |= unsigned(data[i + 1]) << 8;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < data.size() ? k[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

nlohmann::json evidence_json(const Evidence& ev) {
  using nlohmann::json;
  json j;
  j["tool"] = "dnie-verify";
  j["version"] = DNIE_VERSION_STRING;
  j["generated_at"] = ev.generated_at;
  j["clock"] = {{"now", asn1::format_time(ev.now)}, {"overridden", ev.now_overridden}};
  const icao::Assessment& a = ev.decision.assessment;
  j["verdict"] = {{"outcome", icao::authenticity_name(a.authenticity)},
                  {"label", a.label()},
                  {"expired", a.expired},
                  {"document_valid", ev.decision.document_valid()},
                  {"exit_code", ev.decision.exit_code},
                  {"deciding_checks", a.deciding},
                  {"reasons", a.reasons},
                  {"warnings", a.warnings}};
  j["reader"] = {{"spec", ev.reader}, {"kind", ev.reader_kind}, {"interface", ev.interface_type}};
  j["card"] = {{"atr", ev.atr_hex},
               {"chip_serial", ev.chip_serial_hex},
               {"idesp", ev.idesp},
               {"version", ev.card_version},
               {"generation", ev.generation},
               {"notes", ev.card_notes},
               {"pace_protocol", ev.pace_protocol},
               {"password", ev.password_kind}};
  j["mode"] = ev.mode;
  j["trust"] = ev.trust_summary;
  j["trust_store"] = {{"source", ev.trust_source},
                      {"default", ev.trust_source == "default"},
                      {"test_only", ev.trust_test_only},
                      {"csca_certificates", ev.trust_anchors}};
  if (ev.mode == "offline") {
    json files = json::array();
    for (const auto& f : ev.offline_files)
      files.push_back({{"name", f.name}, {"bytes", f.size}, {"sha256", f.sha256}});
    j["offline"] = {{"directory", ev.offline_dir},
                    {"files", files},
                    {"repeated", ev.offline_repeated},
                    {"not_repeated", ev.offline_not_repeated}};
  }
  json steps = json::array();
  for (const auto& s : ev.steps)
    steps.push_back(
        {{"id", s.id}, {"label", s.label}, {"status", s.status}, {"ms", s.ms}, {"detail", s.detail}});
  j["steps"] = steps;
  if (ev.aborted)
    j["aborted"] = {{"step", ev.aborted->step},
                    {"error", error_code_name(ev.aborted->error.code)},
                    {"message", ev.aborted->error.message}};
  json checks = json::array();
  for (const auto& c : ev.report.checks)
    checks.push_back({{"id", c.id},
                      {"class", icao::check_class_name(icao::classify_check(c.id))},
                      {"description", c.description},
                      {"status", icao::check_status_name(c.status)},
                      {"reason", c.reason}});
  j["checks"] = checks;
  j["data_groups"] = {{"read", ev.dgs_read}};
  json unread = json::object();
  for (const auto& [n, why] : ev.dgs_unreadable) unread["DG" + std::to_string(n)] = why;
  j["data_groups"]["unreadable"] = unread;
  json holder = json::object();
  for (const auto& [k, v] : ev.holder) holder[k] = v;
  j["holder"] = holder;
  if (!ev.mrz_lines.empty()) j["mrz"] = ev.mrz_lines;
  auto img = [](const std::optional<ImageEvidence>& i) -> json {
    if (!i) return nullptr;
    return {{"format", i->source_format},
            {"width", i->width},
            {"height", i->height},
            {"png_bytes", i->png.size()},
            {"note", i->note}};
  };
  j["images"] = {{"face_dg2", img(ev.face)}, {"signature_dg7", img(ev.signature)}};
  // The holder certificates' own verdict (holder::to_json); never the document's.
  if (ev.holder_certs) {
    j["holder_certificates"] = cli::holder_json(*ev.holder_certs);
  } else {
    j["holder_certificates"] = nullptr;
    j["holder_certificates_note"] = ev.holder_note;
  }
  return j;
}

std::string evidence_text(const Evidence& ev, bool quiet) {
  std::string o;
  if (quiet) return "VERDICT: " + headline(ev) + "\n";
  o += "dnie-verify " DNIE_VERSION_STRING " — " +
       (ev.mode == "offline" ? "offline re-verification of the saved files in " + t(ev.offline_dir)
                             : "reader " + t(ev.reader));
  if (!ev.reader_kind.empty() && ev.mode != "offline")
    o += " (" + t(ev.reader_kind) + ", " + t(ev.interface_type) + ")";
  o += "\nTrust: " + t(ev.trust_summary) + "\n";
  if (ev.trust_test_only)
    o += "WARNING: TEST trust store (--trust-virtual): the virtual card's TEST CSCA is trusted; this is not\n"
         "         evidence about a real document.\n";
  o += "\nSteps\n";
  char b[512];
  for (const auto& s : ev.steps) {
    std::snprintf(b, sizeof b, "  %-34s %-7s %10s  ", t(s.label).c_str(), t(s.status).c_str(),
                  s.status == "skipped" ? "" : fmt_ms(s.ms).c_str());
    o += b + t(s.detail) + "\n";
  }
  if (!ev.holder.empty()) {
    o += "\nHolder\n";
    for (const auto& [k, v] : ev.holder) o += "  " + t(k) + ": " + t(v) + "\n";
  }
  if (!ev.report.checks.empty()) {
    o += "\nChecks\n";
    for (const auto& c : ev.report.checks) {
      std::snprintf(b, sizeof b, "  %s  %-24s ", status_word(c.status), t(c.id).c_str());
      o += b + t(c.description);
      if (!c.reason.empty()) o += " — " + t(c.reason);
      o += "\n";
    }
  }
  o += "\nHolder certificates: " + t(holder_headline(ev)) + " (their own verdict; not the document's)\n";
  if (ev.holder_certs) {
    for (const auto& v : *ev.holder_certs) {
      o += "  " + std::string(cli::key_name(v.key)) + ": " + std::string(holder::verdict_name(v.verdict)) +
           " — " + t(v.certificate.subject().get("CN")) + ", " + day(v.certificate.not_before()) + " to " +
           day(v.certificate.not_after()) + ", issuer " + t(v.certificate.issuer().get("CN")) + "\n";
      for (const auto& l : cli::holder_lines(v, false)) o += "    " + l + "\n";
    }
    if (holder_test_anchor(ev))
      o += "  WARNING: the virtual card's TEST holder root is trusted (--trust-virtual)\n";
  }
  if (ev.mode == "offline") {
    o += "\nOffline: what the saved files can prove\n";
    for (const auto& f : ev.offline_files)
      o += "  file " + t(f.name) + " (" + std::to_string(f.size) + " bytes, SHA-256 " + f.sha256 + ")\n";
    for (const auto& r : ev.offline_repeated) o += "  repeated: " + t(r) + "\n";
    for (const auto& r : ev.offline_not_repeated) o += "  NOT repeated: " + t(r) + "\n";
  }
  o += "\nVERDICT: " + headline(ev) + "\n";
  for (const auto& r : ev.decision.assessment.reasons) o += "  reason: " + t(r) + "\n";
  for (const auto& w : ev.decision.assessment.warnings) o += "  warning: " + t(w) + "\n";
  return o;
}

std::string evidence_html(const Evidence& ev, const std::string& json_sha256) {
  const Authenticity oc = ev.decision.outcome();
  const char* colour = oc == Authenticity::NotGenuine     ? "#b00020"
                       : oc == Authenticity::CannotVerify ? "#8a6d00"
                       : ev.decision.document_valid()     ? "#1b7f3a"
                                                          : "#c25e00";
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>DNIe verification: " +
       html_escape(headline(ev)) +
       "</title>\n<style>\n"
       "body{font-family:sans-serif;margin:2em;color:#222;max-width:70em}\n"
       ".verdict{color:#fff;padding:.8em 1.2em;font-size:1.6em;font-weight:bold;border-radius:6px}\n"
       "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;"
       "text-align:left;vertical-align:top}th{background:#f2f2f2}\n"
       ".pass{color:#1b7f3a;font-weight:bold}.fail{color:#b00020;font-weight:bold}.np{color:#777}\n"
       ".imgs img{border:1px solid #999;margin-right:1.5em;max-height:16em;background:#fff}\n"
       ".mono{font-family:monospace;word-break:break-all}.small{font-size:.85em;color:#555}\n"
       "</style></head><body>\n";
  h += "<h1>DNIe document verification</h1>\n";
  if (ev.trust_test_only)
    h +=
        "<div class=\"verdict\" style=\"background:#b00020\">TEST TRUST STORE (--trust-virtual): the virtual "
        "card's TEST CSCA is trusted. This report is not evidence about a real document.</div>\n";
  if (ev.mode == "offline")
    h += "<div class=\"verdict\" style=\"background:#555\">OFFLINE re-verification of saved files (" +
         html_escape(ev.offline_dir) +
         "): passive authentication only; chip authentication needs the card.</div>\n";
  h += "<div class=\"verdict\" style=\"background:" + std::string(colour) + "\">" +
       html_escape(headline(ev)) + "</div>\n<p class=\"small\">Trust: " + html_escape(ev.trust_summary) +
       "</p>\n<ul>\n";
  for (const auto& r : ev.decision.assessment.reasons) h += "<li><b>" + html_escape(r) + "</b></li>\n";
  for (const auto& w : ev.decision.assessment.warnings) h += "<li>warning: " + html_escape(w) + "</li>\n";
  h += "</ul>\n";

  h += "<h2>Holder</h2>\n<div class=\"imgs\">";
  auto img = [&h](const std::optional<ImageEvidence>& i, const char* what) {
    if (i && !i->png.empty())
      h += "<figure style=\"display:inline-block\"><img alt=\"" + std::string(what) +
           "\" src=\"data:image/png;base64," + base64(i->png) + "\"><figcaption class=\"small\">" + what +
           " (" + html_escape(i->source_format) + ", " + std::to_string(i->width) + "×" +
           std::to_string(i->height) + ")</figcaption></figure>";
    else
      h += "<p class=\"np\">" + std::string(what) + ": " + html_escape(i ? i->note : "not read") + "</p>";
  };
  img(ev.face, "Face (DG2)");
  img(ev.signature, "Signature (DG7)");
  h += "</div>\n<table>\n";
  for (const auto& [k, v] : ev.holder)
    h += "<tr><th>" + html_escape(k) + "</th><td>" + html_escape(v) + "</td></tr>\n";
  h += "</table>\n";

  h += "<h2>Checks</h2>\n<table><tr><th>Check</th><th>Class</th><th>Status</th><th>Description</"
       "th><th>Reason</th></tr>\n";
  for (const auto& c : ev.report.checks) {
    const char* cls = c.status == icao::CheckStatus::Pass   ? "pass"
                      : c.status == icao::CheckStatus::Fail ? "fail"
                                                            : "np";
    h += "<tr><td class=\"mono\">" + html_escape(c.id) + "</td><td>" +
         std::string(icao::check_class_name(icao::classify_check(c.id))) + "</td><td class=\"" + cls + "\">" +
         std::string(icao::check_status_name(c.status)) + "</td><td>" + html_escape(c.description) +
         "</td><td>" + html_escape(c.reason) + "</td></tr>\n";
  }
  h += "</table>\n";

  // The holder certificates: their own verdict (docs/relying-parties.md), not the document's.
  h += "<h2>Holder certificates</h2>\n<p><b>Holder certificates: " + html_escape(holder_headline(ev)) +
       "</b> <span class=\"small\">(their own verdict: it does not change the document's)</span></p>\n";
  if (ev.holder_certs) {
    if (holder_test_anchor(ev))
      h += "<p class=\"fail\">The virtual card's TEST holder root is trusted (--trust-virtual).</p>\n";
    for (const auto& v : *ev.holder_certs) {
      const char* cls = v.verdict == holder::CertificateVerdict::Valid          ? "pass"
                        : v.verdict == holder::CertificateVerdict::CannotVerify ? "np"
                                                                                : "fail";
      h += "<h3>" + std::string(cli::key_name(v.key)) + " certificate: <span class=\"" + cls + "\">" +
           std::string(holder::verdict_name(v.verdict)) + "</span></h3>\n<table>\n";
      const auto r = [&h](const char* k, const std::string& val) {
        h += "<tr><th>" + std::string(k) + "</th><td>" + html_escape(val) + "</td></tr>\n";
      };
      r("Subject", v.certificate.subject().to_string());
      r("Issuer", v.certificate.issuer().to_string());
      r("Valid", day(v.certificate.not_before()) + " to " + day(v.certificate.not_after()));
      r("Serial", to_hex(v.certificate.serial()));
      r("SHA-256", v.certificate.fingerprint_sha256());
      r("Chain", v.anchor.empty() ? std::string("no trusted path") : "to " + v.anchor);
      r("Validated at", asn1::format_time(v.at));
      std::string rev = v.revocation_label();
      if (!v.revocation.source.empty()) rev += " (" + v.revocation.source + ")";
      if (!v.revocation.detail.empty()) rev += ": " + v.revocation.detail;
      r("Revocation", rev);
      for (const auto& why : v.reasons) r("Reason", why);
      h += "</table>\n<table><tr><th>Check</th><th>Status</th><th>Description</th><th>Reason</th></tr>\n";
      for (const auto& c : v.report.checks) {
        const char* ccls = c.status == icao::CheckStatus::Pass   ? "pass"
                           : c.status == icao::CheckStatus::Fail ? "fail"
                                                                 : "np";
        h += "<tr><td class=\"mono\">" + html_escape(c.id) + "</td><td class=\"" + ccls + "\">" +
             std::string(icao::check_status_name(c.status)) + "</td><td>" + html_escape(c.description) +
             "</td><td>" + html_escape(c.reason) + "</td></tr>\n";
      }
      h += "</table>\n";
    }
  }

  h += "<h2>Steps and "
       "timings</h2>\n<table><tr><th>Step</th><th>Status</th><th>Time</th><th>Detail</th></tr>\n";
  for (const auto& s : ev.steps)
    h += "<tr><td>" + html_escape(s.label) + "</td><td>" + html_escape(s.status) + "</td><td>" +
         (s.status == "skipped" ? std::string() : fmt_ms(s.ms)) + "</td><td>" + html_escape(s.detail) +
         "</td></tr>\n";
  h += "</table>\n";

  if (ev.mode == "offline") {
    h += "<h2>Offline: what the saved files can "
         "prove</h2>\n<table><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr>\n";
    for (const auto& f : ev.offline_files)
      h += "<tr><td>" + html_escape(f.name) + "</td><td>" + std::to_string(f.size) +
           "</td><td class=\"mono\">" + f.sha256 + "</td></tr>\n";
    h += "</table>\n<ul>\n";
    for (const auto& r : ev.offline_repeated) h += "<li>repeated: " + html_escape(r) + "</li>\n";
    for (const auto& r : ev.offline_not_repeated)
      h += "<li><b>not repeated</b>: " + html_escape(r) + "</li>\n";
    h += "</ul>\n";
  }
  h += "<h2>Card and reader</h2>\n<table>\n";
  auto row = [&h](const char* k, const std::string& v) {
    if (!v.empty())
      h += "<tr><th>" + std::string(k) + "</th><td class=\"mono\">" + html_escape(v) + "</td></tr>\n";
  };
  row("Reader",
      ev.reader + (ev.reader_kind.empty() ? "" : " (" + ev.reader_kind + ", " + ev.interface_type + ")"));
  row("ATR", ev.atr_hex);
  row("Chip serial", ev.chip_serial_hex);
  row("IDESP", ev.idesp);
  row("Card version", ev.card_version);
  row("Generation", ev.generation);
  row("PACE", ev.password_kind + (ev.pace_protocol.empty() ? "" : " " + ev.pace_protocol));
  row("Trust store", ev.trust_summary);
  for (const auto& n : ev.card_notes) row("Note", n);
  h += "</table>\n";

  h += "<h2>Evidence</h2>\n<table>\n";
  row("JSON evidence SHA-256", json_sha256.empty() ? std::string("(no JSON evidence written)") : json_sha256);
  row("Tool", "dnie-verify " DNIE_VERSION_STRING);
  row("Generated", ev.generated_at);
  row("Clock for validity checks",
      asn1::format_time(ev.now) + (ev.now_overridden ? " (overridden with --now)" : ""));
  h += "</table>\n</body></html>\n";
  return h;
}

}  // namespace dnie::verify
