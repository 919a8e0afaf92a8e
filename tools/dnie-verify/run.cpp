// SPDX-License-Identifier: Apache-2.0
#include "run.hpp"

#include <chrono>
#include <utility>

#include "dnie/bytes/asn1.hpp"
#include "dnie/icao/biometrics.hpp"
#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/mrz.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "holder.hpp"
#include "holder_certs.hpp"
#include "options.hpp"

namespace dnie::verify {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

StepRecord& add_step(Evidence& ev, std::string id, std::string label, Clock::time_point t0, bool ok,
                     std::string detail = {}) {
  ev.steps.push_back(
      {std::move(id), std::move(label), ok ? "ok" : "failed", ms_since(t0), std::move(detail)});
  return ev.steps.back();
}

void skip_rest(Evidence& ev, const std::vector<std::pair<std::string, std::string>>& rest,
               const std::string& why) {
  for (const auto& [id, label] : rest) ev.steps.push_back({id, label, "skipped", 0, why});
}

const std::vector<std::pair<std::string, std::string>>& all_steps() {
  static const std::vector<std::pair<std::string, std::string>> s = {
      {"open", "Open reader and card"},
      {"pace", "PACE"},
      {"read", "Read document"},
      {"pa", "Passive authentication"},
      {"ca", "Chip authentication"},
      {"esign", "eSign open (ICC component chain)"},
      {"certificates", "Holder certificates"}};
  return s;
}

void abort_at(Evidence& ev, std::size_t step_index, std::string step, Error e) {
  const auto& s = all_steps();
  skip_rest(ev, {s.begin() + static_cast<std::ptrdiff_t>(step_index) + 1, s.end()},
            "not reached: " + step + " failed");
  ev.aborted = StepFailure{std::move(step), std::move(e)};
}

std::optional<ImageEvidence> image_of(Result<std::vector<icao::BiometricImage>> imgs) {
  ImageEvidence out;
  if (!imgs) {
    out.note = "does not parse: " + imgs.error().message;
    return out;
  }
  if (imgs->empty()) {
    out.note = "no image in the data group";
    return out;
  }
  const auto& img = imgs->front();
  out.source_format = std::string(icao::image_format_name(img.format));
  auto dec = icao::decode_image(img.data);
  if (!dec) {
    out.note = "cannot decode: " + dec.error().message;
    return out;
  }
  out.width = dec->width;
  out.height = dec->height;
  auto png = icao::encode_png(*dec);
  if (!png)
    out.note = "cannot encode PNG: " + png.error().message;
  else
    out.png = std::move(png).value();
  return out;
}

std::string upper_alnum(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= 'a' && c <= 'z')
      out.push_back(static_cast<char>(c - 'a' + 'A'));
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      out.push_back(c);
  }
  return out;
}

// The DNI in a certificate's serialNumber: "99999999R", or the ETSI EN 319 412-1 §5.1.3 form
// "IDCES-99999999R".
std::string cert_dni(const crypto::Certificate& c) {
  std::string sn = c.subject().get("serialNumber");
  if (sn.rfind("IDCES-", 0) == 0) sn = sn.substr(6);
  return upper_alnum(sn);
}

struct PersonalNumbers {
  std::vector<std::pair<std::string, std::string>> sources;  ///< "DG1" → number
};

void check_certificates(Evidence& ev, esign::EsignCard& card, const PersonalNumbers& pn) {
  const char* id = "certificates.serial";
  const char* what = "Holder certificates' serialNumber equals the DNI in DG1/DG11/DG13";
  std::string reason, bad;
  std::string valid_bad, valid_ok;
  std::size_t compared = 0;
  for (auto [kind, name] : {std::pair{esign::KeyKind::Authentication, "authentication"},
                            std::pair{esign::KeyKind::Signing, "signing"}}) {
    auto c = card.certificate(kind);
    if (!c) {
      if (kind == esign::KeyKind::Authentication) {
        ev.report.not_performed(id, what,
                                std::string("authentication certificate not read: ") + c.error().message);
        return;
      }
      continue;
    }
    const std::string dni = cert_dni(c->certificate);
    reason += (reason.empty() ? "" : "; ") + std::string(name) + " " + (dni.empty() ? "(none)" : dni);
    for (const auto& [src, num] : pn.sources) {
      if (num.empty()) continue;
      ++compared;
      if (num != dni)
        bad +=
            (bad.empty() ? "" : "; ") + std::string(name) + " certificate " + dni + " ≠ " + src + " " + num;
    }
    const auto& cert = c->certificate;
    const std::string span = asn1::format_time(cert.not_before()).substr(0, 10) + " to " +
                             asn1::format_time(cert.not_after()).substr(0, 10);
    if (cert.valid_at(ev.now))
      valid_ok += (valid_ok.empty() ? "" : "; ") + std::string(name) + " " + span;
    else
      valid_bad += (valid_bad.empty() ? "" : "; ") + std::string(name) + " " + span;
  }
  if (!bad.empty())
    ev.report.fail(id, what, bad);
  else if (compared == 0)
    ev.report.not_performed(id, what, "no personal number in DG1/DG11/DG13 to compare with");
  else {
    std::string srcs;
    for (const auto& [src, num] : pn.sources) srcs += (srcs.empty() ? "" : ", ") + src;
    ev.report.pass(id, what, reason + " = " + srcs);
  }
  const char* vid = "certificates.valid_now";
  const char* vwhat = "Holder certificates valid now";
  if (!valid_bad.empty())
    ev.report.fail(vid, vwhat, "outside validity: " + valid_bad);
  else if (!valid_ok.empty())
    ev.report.pass(vid, vwhat, valid_ok);
}

}  // namespace

namespace detail {

void collect_holder(Evidence& ev, const icao::LdsContent& doc,
                    std::vector<std::pair<std::string, std::string>>* personal_numbers) {
  using cli::fillers_to_commas;
  using cli::fillers_to_spaces;
  using cli::iso_date;
  using cli::trim_fillers;
  std::optional<icao::Mrz> mrz;
  if (const Bytes* b = doc.dg(1))
    if (auto m = icao::parse_dg1(*b)) mrz = std::move(m).value();
  std::optional<icao::Dg13Spain> dg13;
  if (const Bytes* b = doc.dg(13))
    if (auto d = icao::parse_dg13_spain(*b)) dg13 = std::move(d).value();
  std::optional<icao::Dg11> dg11;
  if (const Bytes* b = doc.dg(11))
    if (auto d = icao::parse_dg11(*b)) dg11 = std::move(d).value();

  auto put = [&ev](std::string k, std::string v) {
    if (!v.empty()) ev.holder.emplace_back(std::move(k), std::move(v));
  };
  auto number = [personal_numbers](const char* src, const std::string& n) {
    if (personal_numbers) personal_numbers->emplace_back(src, upper_alnum(n));
  };
  // As `dnie read` shows them: no MRZ fillers, dates as YYYY-MM-DD (tools/common/holder.hpp).
  if (dg13) {
    const std::string second = trim_fillers(dg13->second_surname);
    put("Surnames", trim_fillers(dg13->first_surname) + (second.empty() ? "" : " " + second));
    put("Name", trim_fillers(dg13->name));
  } else if (mrz) {
    put("Surnames", fillers_to_spaces(mrz->primary_identifier));
    put("Name", fillers_to_spaces(mrz->secondary_identifier));
  }
  if (mrz) {
    ev.mrz_lines = mrz->lines();
    put("Document number", trim_fillers(mrz->document_number));
    put("Personal number (DG1)", trim_fillers(mrz->personal_number()));
    put("Sex", trim_fillers(mrz->sex));
    put("Nationality", trim_fillers(mrz->nationality));
    put("Date of birth (MRZ)", iso_date(mrz->date_of_birth));
    put("Date of expiry (MRZ)", iso_date(mrz->date_of_expiry, true));
    put("Document code", trim_fillers(mrz->document_code));
    put("Issuing state", trim_fillers(mrz->issuing_state));
    number("DG1", mrz->personal_number());
  }
  if (dg11) {
    if (dg11->personal_number) number("DG11", *dg11->personal_number);
    if (dg11->full_date_of_birth) put("Date of birth", iso_date(*dg11->full_date_of_birth));
    if (dg11->place_of_birth) put("Place of birth", fillers_to_commas(*dg11->place_of_birth));
    if (dg11->address) put("Address", fillers_to_commas(*dg11->address));
  }
  if (dg13) {
    number("DG13", dg13->dni_number);
    put("DNI (DG13)", trim_fillers(dg13->dni_number));
    put("Date of expiry", iso_date(dg13->date_of_expiry));
    put("Parents", trim_fillers(dg13->parents));
    put("IDESP (DG13)", trim_fillers(dg13->idesp));
  }
  if (const Bytes* b = doc.dg(2)) ev.face = image_of(icao::parse_dg2(*b));
  if (const Bytes* b = doc.dg(7)) ev.signature = image_of(icao::parse_dg7(*b));
}

}  // namespace detail

Evidence run_verification(const RunOptions& o) {
  Evidence ev;
  ev.reader = o.session.reader;
  ev.trust_summary = o.trust_summary;
  ev.now = o.now != 0 ? o.now : icao::unix_now();
  ev.now_overridden = o.now != 0;
  ev.password_kind = o.mrz.empty() ? "CAN" : "MRZ";

  const auto step = [&o](const char* what) {
    if (o.on_step) o.on_step(what);
  };
  // 1. Open.
  step("opening the reader and the card");
  auto t0 = Clock::now();
  auto opened = vcard_session::open(o.session);  // the virtual card when --reader names it
  if (!opened) {
    add_step(ev, "open", "Open reader and card", t0, false, opened.error().to_string());
    abort_at(ev, 0, "open", opened.error());
    ev.decision = decide(ev.report, ev.aborted);
    return ev;
  }
  auto session = std::move(opened).value();
  ev.reader_kind = std::string(reader_kind_name(session->reader_kind()));
  const auto itf = session->interface_type();
  ev.interface_type = itf == transport::Interface::Contact       ? "contact"
                      : itf == transport::Interface::Contactless ? "contactless"
                                                                 : "unknown";
  ev.atr_hex = to_hex(session->atr());
  add_step(ev, "open", "Open reader and card", t0, true, ev.reader_kind + ", " + ev.interface_type);

  // 2. PACE.
  step(o.mrz.empty() ? "PACE with the CAN" : "PACE with the MRZ");
  t0 = Clock::now();
  Status pace = o.mrz.empty() ? session->pace_can(o.can) : [&]() -> Status {
    auto pw = cli::mrz_password(o.mrz);
    if (!pw) return pw.error();
    return session->pace(*pw);
  }();
  if (!pace) {
    add_step(ev, "pace", "PACE (" + ev.password_kind + ")", t0, false, pace.error().to_string());
    abort_at(ev, 1, "pace", pace.error());
    ev.decision = decide(ev.report, ev.aborted);
    return ev;
  }
  if (const auto* pr = session->pace_result()) ev.pace_protocol = pr->protocol_oid;
  add_step(ev, "pace", "PACE (" + ev.password_kind + ")", t0, true, ev.pace_protocol);

  // 3. Read.
  step("reading the document");
  t0 = Clock::now();
  auto doc = session->read_document({}, o.on_read);
  if (!doc) {
    add_step(ev, "read", "Read document", t0, false, doc.error().to_string());
    abort_at(ev, 2, "read", doc.error());
    ev.decision = decide(ev.report, ev.aborted);
    return ev;
  }
  std::string read_detail;
  for (const auto& [n, b] : doc->dgs) {
    ev.dgs_read.push_back(n);
    read_detail += (read_detail.empty() ? "DG" : " DG") + std::to_string(n);
  }
  for (const auto& [n, e] : doc->unreadable) {
    ev.dgs_unreadable.emplace_back(n, e.message);
    read_detail += " (DG" + std::to_string(n) + " protected)";
  }
  add_step(ev, "read", "Read document", t0, true, read_detail);

  // 4. Passive authentication (timed alone), 5. chip authentication (the session runs PA again
  // and then CA; its time minus the PA time is the CA time).
  icao::PassiveAuthOptions pa;
  pa.trust_store = o.trust;
  pa.now = ev.now;
  step("passive and chip authentication");
  t0 = Clock::now();
  const auto pa_only = icao::verify_document(*doc, pa);
  const double pa_ms = ms_since(t0);
  ev.steps.push_back({"pa", "Passive authentication", "ok", pa_ms,
                      std::to_string(pa_only.count(icao::CheckStatus::Fail)) + " failed, " +
                          std::to_string(pa_only.count(icao::CheckStatus::Pass)) + " passed"});
  t0 = Clock::now();
  ev.report = session->verify(*doc, pa, true);
  double ca_ms = ms_since(t0) - pa_ms;
  if (ca_ms < 0) ca_ms = 0;
  const auto ca = ev.report.status("chip_authentication");
  const icao::Check* cac = ev.report.find("chip_authentication");
  ev.steps.push_back({"ca", "Chip authentication",
                      ca == icao::CheckStatus::Pass   ? "ok"
                      : ca == icao::CheckStatus::Fail ? "failed"
                                                      : "skipped",
                      ca_ms, cac ? cac->reason : std::string()});

  PersonalNumbers pn;
  detail::collect_holder(ev, *doc, &pn.sources);

  // 6. eSign: chip identity and the ICC component chain (601F ← 6020 ← root).
  const char* icc_id = "icc.chain";
  const char* icc_what = "ICC component certificate chain (EF 601F ← EF 6020 ← component root)";
  step("eSign application: ICC chain and holder certificates");
  t0 = Clock::now();
  auto es = session->esign();
  if (!es) {
    add_step(ev, "esign", "eSign open (ICC component chain)", t0, false, es.error().to_string());
    if (es.error().code == ErrorCode::VerificationFailed)
      ev.report.fail(icc_id, icc_what, es.error().message);
    else if (es.error().code == ErrorCode::UntrustedDocument)
      ev.report.fail("icc.anchor", "ICC component chain ends at a trusted component root",
                     es.error().message);
    else
      ev.report.not_performed(icc_id, icc_what, "eSign application not opened: " + es.error().to_string());
    ev.report.not_performed("certificates.serial",
                            "Holder certificates' serialNumber equals the DNI in DG1/DG11/DG13",
                            "eSign application not opened");
    ev.steps.push_back({"certificates", "Holder certificates", "skipped", 0, "eSign application not opened"});
    ev.holder_note = "not validated: the eSign application was not opened";
  } else {
    const auto& chip = (*es)->chip();
    ev.generation = chip.generation;
    if (chip.chain_verified)
      ev.report.pass(icc_id, icc_what, "component CA " + chip.ca_issuer + ", generation " + chip.generation);
    else if (chip.ca_issuer.empty())
      ev.report.not_performed(icc_id, icc_what, "EF 6020 not read (ICC chain check skipped)");
    else
      ev.report.not_performed(icc_id, icc_what,
                              "no component root known for generation " + chip.generation +
                                  " (the r2 root is not published); chain not checked");
    add_step(ev, "esign", "eSign open (ICC component chain)", t0, true,
             "generation " + chip.generation + ", ICC chain " +
                 std::string(icao::check_status_name(ev.report.status(icc_id))));
    // 7. Holder certificates: the DNI against the document, then their own validation (chain to
    // a DNIe root, profile, revocation) at the verification time; informational checks only.
    t0 = Clock::now();
    check_certificates(ev, **es, pn);
    std::string detail = ev.report.find("certificates.serial")->reason;
    step(o.holder.online ? "validating the holder certificates (OCSP)"
                         : "validating the holder certificates");
    holder::ValidationOptions vo = o.holder;
    vo.at = ev.now;
    for (const auto& [src, num] : pn.sources)
      if (!num.empty()) vo.expected_dni.emplace_back(src, num);
    if (o.holder_trust_virtual) cli::trust_virtual_holder(vo, *session);
    if (auto hv = holder::validate_card_certificates(**es, vo)) {
      cli::add_holder_checks(ev.report, *hv);
      detail += "; validation " + std::string(holder::verdict_name(holder::overall_verdict(*hv)));
      ev.holder_certs = std::move(hv).value();
    } else {
      ev.holder_note = "not validated: " + hv.error().to_string();
      detail += "; " + ev.holder_note;
    }
    add_step(ev, "certificates", "Holder certificates", t0,
             ev.report.status("certificates.serial") != icao::CheckStatus::Fail, detail);
  }

  if (auto info = session->info()) {
    ev.chip_serial_hex = to_hex(info->chip_serial);
    ev.idesp = info->idesp;
    ev.card_version = info->version;
    if (ev.generation.empty()) ev.generation = info->generation;
    ev.card_notes = info->notes;
  } else {
    ev.card_notes.push_back("card info not read: " + info.error().message);
  }
  ev.document = std::move(doc).value();
  ev.decision = decide(ev.report, ev.aborted);
  return ev;
}

}  // namespace dnie::verify
