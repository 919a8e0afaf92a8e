// SPDX-License-Identifier: Apache-2.0
// dnie read: PACE, the document, the holder's data (text or JSON), photo, signature, raw files.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "dnie/icao/biometrics.hpp"
#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/mrz.hpp"
#include "dnie/icao/trust_store.hpp"
#include "dnie/icao/verification.hpp"

#include "cli.hpp"
#include "exit_codes.hpp"
#include "files.hpp"
#include "holder.hpp"
#include "text.hpp"
#include "trust.hpp"

namespace dnie::cli {

namespace {

struct ReadOpts {
  std::vector<int> dgs;
  std::string photo, signature_image, raw_dir;
  TrustOptions trust;  ///< --trust/--csca, --trust-virtual, --no-default-trust, --trust-unanchored-list
  bool verify = false;
};

struct Holder {
  std::string name, surnames, first_surname, second_surname, dni_number, document_number, idesp, nationality,
      sex, date_of_birth, place_of_birth, date_of_expiry, address, parents;
};

std::string trim(const std::string& s) { return trim_fillers(s); }
std::string fillers(const std::string& s) { return fillers_to_commas(s); }

Holder holder_of(const icao::LdsContent& doc) {
  Holder h;
  if (const Bytes* b = doc.dg(1)) {
    if (auto m = icao::parse_dg1(*b)) {
      h.surnames = m->primary_identifier;
      h.name = m->secondary_identifier;
      h.document_number = m->document_number;
      h.dni_number = m->personal_number();
      h.nationality = trim(m->nationality);
      h.sex = trim(m->sex);
      h.date_of_birth = iso_date(m->date_of_birth);
      h.date_of_expiry = iso_date(m->date_of_expiry, true);
    }
  }
  if (const Bytes* b = doc.dg(11)) {
    if (auto d = icao::parse_dg11(*b)) {
      if (d->full_name) {
        auto n = icao::split_mrz_name(*d->full_name);
        if (!n.primary.empty()) h.surnames = n.primary;
        if (!n.secondary.empty()) h.name = n.secondary;
      }
      if (d->personal_number) h.dni_number = trim(*d->personal_number);
      if (d->full_date_of_birth) h.date_of_birth = iso_date(*d->full_date_of_birth);
      if (d->place_of_birth) h.place_of_birth = fillers(*d->place_of_birth);
      if (d->address) h.address = fillers(*d->address);
    }
  }
  if (const Bytes* b = doc.dg(13)) {
    if (auto d = icao::parse_dg13_spain(*b)) {
      auto set = [](std::string& into, const std::string& v) {
        if (!trim(v).empty()) into = trim(v);
      };
      set(h.first_surname, d->first_surname);
      set(h.second_surname, d->second_surname);
      if (!h.first_surname.empty()) h.surnames = trim(h.first_surname + " " + h.second_surname);
      set(h.name, d->name);
      set(h.dni_number, d->dni_number);
      if (!trim(d->date_of_birth).empty()) h.date_of_birth = iso_date(d->date_of_birth);
      if (!trim(d->date_of_expiry).empty()) h.date_of_expiry = iso_date(d->date_of_expiry);
      set(h.nationality, d->nationality);
      set(h.idesp, d->idesp);
      set(h.sex, d->sex);
      std::string place = trim(d->birth_town);
      if (!trim(d->birth_province).empty()) place += (place.empty() ? "" : ", ") + trim(d->birth_province);
      set(h.place_of_birth, place);
      set(h.parents, d->parents);
      std::string addr = trim(d->address);
      for (const auto* p : {&d->residence_town, &d->residence_province, &d->residence_country})
        if (!trim(*p).empty()) addr += (addr.empty() ? "" : ", ") + trim(*p);
      set(h.address, addr);
    }
  }
  if (h.idesp.empty()) h.idesp = h.document_number;
  return h;
}

std::string lower_ext(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

// First image of DG2/DG7 to PNG/JPEG (by extension), or as stored for .jp2/.j2k.
Status write_image(const Ctx& ctx, const Bytes& dg, bool signature, const std::string& path) {
  auto imgs = signature ? icao::parse_dg7(dg) : icao::parse_dg2(dg);
  if (!imgs) return std::move(imgs).error();
  if (imgs->empty()) return Error(ErrorCode::NotFound, signature ? "no image in DG7" : "no image in DG2");
  const Bytes& data = imgs->front().data;
  const std::string ext = lower_ext(path);
  if (ext == ".jp2" || ext == ".j2k" || ext == ".bin") return write_file(ctx, path, data);
  const bool png = ext == ".png";
  if (!png && ext != ".jpg" && ext != ".jpeg")
    return Error(ErrorCode::InvalidArgument,
                 "image file must end in .png, .jpg, .jpeg, .jp2 or .j2k: " + for_terminal(path));
  if (!png && icao::detect_image_format(data) == icao::ImageFormat::Jpeg) return write_file(ctx, path, data);
  auto dec = icao::decode_image(data);
  if (!dec) return std::move(dec).error();
  auto enc = png ? icao::encode_png(*dec) : icao::encode_jpeg(*dec);
  if (!enc) return std::move(enc).error();
  return write_file(ctx, path, *enc);
}

// Card text as it is: json_dump() replaces invalid UTF-8 and escapes control characters.
nlohmann::json holder_json(const Holder& h) {
  return {{"name", h.name},
          {"surnames", h.surnames},
          {"first_surname", h.first_surname},
          {"second_surname", h.second_surname},
          {"dni_number", h.dni_number},
          {"document_number", h.document_number},
          {"idesp", h.idesp},
          {"nationality", h.nationality},
          {"sex", h.sex},
          {"date_of_birth", h.date_of_birth},
          {"place_of_birth", h.place_of_birth},
          {"date_of_expiry", h.date_of_expiry},
          {"address", h.address},
          {"parents", h.parents}};
}

int run_read(const Ctx& ctx, const ReadOpts& o) {
  for (int dg : o.dgs)
    if (dg < 1 || dg > 16) return usage_error(ctx, "--dg wants data group numbers 1..16");
  std::vector<int> dgs = o.dgs;
  auto need = [&dgs](int n) {
    if (!dgs.empty() && std::find(dgs.begin(), dgs.end(), n) == dgs.end()) dgs.push_back(n);
  };
  if (!o.photo.empty()) need(2);
  if (!o.signature_image.empty()) need(7);
  // The trust store for --verify (the default store when no --trust is given), before the card:
  // a file that does not parse is a usage error.
  std::optional<LoadedTrust> trust;
  if (o.verify) {
    TrustOptions to = o.trust;
    to.vcard_dir = ctx.g.vcard_dir;
    auto t = load_trust(to);
    if (!t) return fail(ctx, t.error());
    trust.emplace(std::move(t).value());
    if (!ctx.g.quiet)
      for (const auto& w : trust->warnings)
        std::fprintf(stderr, "dnie: warning: %s\n", for_terminal(w).c_str());
  } else if (!o.trust.paths.empty() || o.trust.virtual_test) {
    return usage_error(ctx, "--trust/--csca and --trust-virtual need --verify");
  }
  auto s = open_session(ctx);
  if (!s) return fail(ctx, s.error());
  Session& session = **s;
  auto p = authenticate(ctx, session, true);
  if (!p) return fail(ctx, p.error());
  auto doc = session.read_document(dgs, progress_bar(ctx));
  end_progress(ctx);
  if (!doc) return fail(ctx, doc.error());
  const ApduStats st = session.stats();
  const Holder h = holder_of(*doc);
  if (!o.raw_dir.empty()) {
    if (auto r = write_lds_dump(*doc, o.raw_dir, ctx.g.force); !r) return fail(ctx, r.error());
  }
  if (!o.photo.empty()) {
    if (!doc->has(2)) return fail(ctx, Error(ErrorCode::NotFound, "DG2 (photo) was not read"));
    if (auto r = write_image(ctx, *doc->dg(2), false, o.photo); !r) return fail(ctx, r.error());
  }
  if (!o.signature_image.empty()) {
    if (!doc->has(7)) return fail(ctx, Error(ErrorCode::NotFound, "DG7 (signature image) was not read"));
    if (auto r = write_image(ctx, *doc->dg(7), true, o.signature_image); !r) return fail(ctx, r.error());
  }
  // Passive + chip authentication; the chain needs a trusted CSCA (trust loaded above).
  std::optional<icao::VerificationReport> report;
  if (o.verify) {
    icao::PassiveAuthOptions pa;
    if (trust->store.size() != 0) pa.trust_store = &trust->store;
    report = session.verify(*doc, pa);
  }
  std::optional<icao::Assessment> assessment;
  if (report) assessment = report->assessment();
  int verdict_rc = kExitOk;
  if (assessment && assessment->authenticity == icao::Authenticity::NotGenuine) verdict_rc = kExitNotGenuine;
  if (assessment && assessment->authenticity == icao::Authenticity::CannotVerify)
    verdict_rc = kExitCannotVerify;
  if (assessment && assessment->authenticity == icao::Authenticity::Genuine && assessment->expired)
    verdict_rc = kExitGenuineExpired;
  if (ctx.g.trace_stdout) {
    std::printf("# %zu APDUs, %zu bytes sent, %zu bytes received\n", st.apdus, st.bytes_sent,
                st.bytes_received);
    return verdict_rc;
  }
  if (ctx.g.json()) {
    nlohmann::json files = nlohmann::json::object(), unread = nlohmann::json::object();
    if (!doc->com.empty()) files["EF.COM"] = doc->com.size();
    if (!doc->sod.empty()) files["EF.SOD"] = doc->sod.size();
    for (const auto& [n, b] : doc->dgs) files["DG" + std::to_string(n)] = b.size();
    for (const auto& [n, e] : doc->unreadable) unread["DG" + std::to_string(n)] = e.message;
    nlohmann::json j = {{"reader", session.options().reader},
                        {"holder", holder_json(h)},
                        {"file_sizes", files},
                        {"unreadable", unread},
                        {"apdus", st.apdus},
                        {"bytes_sent", st.bytes_sent},
                        {"bytes_received", st.bytes_received}};
    if (const Bytes* b = doc->dg(1)) {
      if (auto m = icao::parse_dg1(*b))
        j["mrz"] = {{"format", std::string(icao::mrz_format_name(m->format))},
                    {"lines", m->lines()},
                    {"checks_ok", m->checks_ok()}};
    }
    if (!o.photo.empty()) j["photo"] = o.photo;
    if (report) {
      nlohmann::json checks = nlohmann::json::array();
      for (const auto& c : report->checks)
        checks.push_back({{"id", c.id},
                          {"status", std::string(icao::check_status_name(c.status))},
                          {"description", c.description},
                          {"reason", c.reason}});
      j["verification"] = {{"verdict", std::string(icao::authenticity_name(assessment->authenticity))},
                           {"label", assessment->label()},
                           {"expired", assessment->expired},
                           {"reasons", assessment->reasons},
                           {"checks", checks},
                           {"trust",
                            {{"summary", trust->summary},
                             {"source", trust->source},
                             {"test_only", trust->test_only},
                             {"csca_certificates", trust->store.size()}}}};
    }
    return print_json(ctx, j, verdict_rc);
  }
  std::printf("%s\n", ctx.style.bold("DNIe holder data").c_str());
  field(ctx, "Name", h.name);
  field(ctx, "Surnames", h.surnames);
  field(ctx, "DNI number", h.dni_number);
  field(ctx, "Document (IDESP)", h.idesp);
  if (h.document_number != h.idesp) field(ctx, "Document number", h.document_number);
  field(ctx, "Nationality", h.nationality);
  field(ctx, "Sex", h.sex);
  field(ctx, "Date of birth", h.date_of_birth);
  field(ctx, "Place of birth", h.place_of_birth);
  field(ctx, "Expiry date", h.date_of_expiry);
  field(ctx, "Address", h.address);
  field(ctx, "Parents", h.parents);
  if (!ctx.g.quiet) {
    std::string files;
    for (const auto& [n, b] : doc->dgs)
      files += fmt::format("{}DG{} {} B", files.empty() ? "" : ", ", n, b.size());
    field(ctx, "Data groups", files);
    for (const auto& [n, e] : doc->unreadable) field(ctx, "DG" + std::to_string(n), e.message);
    field(ctx, "APDUs", std::to_string(st.apdus));
    if (!o.photo.empty()) field(ctx, "Photo", o.photo);
    if (!o.signature_image.empty()) field(ctx, "Signature image", o.signature_image);
    if (!o.raw_dir.empty()) field(ctx, "Raw files", o.raw_dir);
  }
  if (report) {
    const std::string vs = assessment->label();
    field_styled(ctx, "Verification",
                 assessment->authenticity == icao::Authenticity::Genuine && !assessment->expired
                     ? ctx.style.green(vs)
                     : ctx.style.red(vs));
    for (const auto& r : assessment->reasons) std::printf("  reason: %s\n", for_terminal(r).c_str());
    for (const auto& c : report->checks) {
      if (c.status == icao::CheckStatus::Pass && ctx.g.quiet) continue;
      const char* mark = c.status == icao::CheckStatus::Pass   ? "ok"
                         : c.status == icao::CheckStatus::Fail ? "FAIL"
                                                               : "--";
      std::printf("  %-4s %s%s%s\n", mark, for_terminal(c.id).c_str(), c.reason.empty() ? "" : ": ",
                  for_terminal(c.reason).c_str());
    }
    std::printf("  trust: %s\n", for_terminal(trust->summary).c_str());
    if (trust->test_only)
      std::printf("  %s\n",
                  ctx.style.yellow("the virtual card's TEST CSCA is trusted: not for real cards").c_str());
  }
  return verdict_rc;
}

}  // namespace

void add_read_command(CLI::App& app, Ctx& ctx, int& rc) {
  auto o = std::make_shared<ReadOpts>();
  auto* read =
      app.add_subcommand("read", "PACE with the CAN (or MRZ), read the document, print the holder's data");
  read->add_option("--dg", o->dgs, "Data groups to read, e.g. 1,2,11 (default: all readable)")
      ->type_name("N,...")
      ->delimiter(',');
  read->add_option("--photo", o->photo, "Write the DG2 face image (.png, .jpg; .jp2 as stored)")
      ->type_name("FILE");
  read->add_option("--signature-image", o->signature_image, "Write the DG7 signature image (.png, .jpg)")
      ->type_name("FILE");
  read->add_option("--raw", o->raw_dir,
                   "Dump EF.COM, EF.SOD and the data groups into DIR (mode 0700; `dnie-verify --offline DIR` "
                   "re-checks them)")
      ->type_name("DIR");
  read->add_flag(
      "--verify", o->verify,
      "Passive and chip authentication: exit 0 GENUINE, 7 NOT GENUINE, 10 CANNOT VERIFY, 11 GENUINE, "
      "EXPIRED");
  read->add_option("--trust,--csca", o->trust.paths,
                   "CSCA trust for --verify: PEM/DER/.ml/.crl file or directory (repeatable; default: the "
                   "CSCA SPAIN store shipped with the tools; `virtual`: as --trust-virtual)")
      ->type_name("PATH");
  read->add_flag("--trust-virtual", o->trust.virtual_test,
                 "Trust the virtual card's TEST CSCA (never for real cards)");
  read->add_flag("--no-default-trust", o->trust.no_default, "Do not load the default trust store");
  read->add_flag("--trust-unanchored-list", o->trust.list_options.accept_unanchored,
                 "Take the CSCAs of a master list whose signer does not chain to a CSCA given before it");
  read->callback([&ctx, &rc, o] { rc = run_read(ctx, *o); });
}

}  // namespace dnie::cli
