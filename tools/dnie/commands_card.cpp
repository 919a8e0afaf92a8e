// SPDX-License-Identifier: Apache-2.0
// dnie readers | info | certs
#include <ctime>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "dnie/esign/esign.hpp"
#include "dnie/esign/pkcs15.hpp"
#include "dnie/holder/validation.hpp"
#include "dnie/vcard_session/vcard_session.hpp"

#include "cli.hpp"
#include "exit_codes.hpp"
#include "holder_certs.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "text.hpp"

namespace dnie::cli {

namespace {

std::string interface_name(transport::Interface i) {
  switch (i) {
    case transport::Interface::Contact:
      return "contact";
    case transport::Interface::Contactless:
      return "contactless";
    default:
      return "unknown";
  }
}

std::string date(std::int64_t t) {
  if (t == 0) return {};
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string usage_text(std::optional<unsigned> ku) {
  if (!ku) return {};
  std::string out;
  auto add = [&out](const char* s) { out += out.empty() ? s : std::string(", ") + s; };
  if (*ku & crypto::kDigitalSignature) add("digitalSignature");
  if (*ku & crypto::kNonRepudiation) add("nonRepudiation");
  if (*ku & crypto::kKeyEncipherment) add("keyEncipherment");
  if (*ku & crypto::kDataEncipherment) add("dataEncipherment");
  if (*ku & crypto::kKeyAgreement) add("keyAgreement");
  if (*ku & crypto::kKeyCertSign) add("keyCertSign");
  if (*ku & crypto::kCrlSign) add("cRLSign");
  return out;
}

// ---- readers ---------------------------------------------------------------------------
int run_readers(const Ctx& ctx) {
  std::vector<std::string> notes;
  auto readers = vcard_session::list_readers(!ctx.g.no_nfc, &notes);
  if (ctx.g.json()) {
    nlohmann::json j;
    j["readers"] = nlohmann::json::array();
    for (std::size_t i = 0; i < readers.size(); ++i) {
      const auto& r = readers[i];
      nlohmann::json e = {{"index", i},
                          {"spec", r.spec},
                          {"name", r.name},
                          {"kind", std::string(reader_kind_name(r.kind))},
                          {"card_present", r.card_present}};
      if (!r.atr.empty()) e["atr"] = hex(r.atr);
      if (!r.atr_info.description.empty()) e["card"] = r.atr_info.description;
      j["readers"].push_back(e);
    }
    j["notes"] = notes;
    return print_json(ctx, j);
  }
  for (std::size_t i = 0; i < readers.size(); ++i) {
    const auto& r = readers[i];
    std::printf("%zu: %s  [%s]  spec=%s\n", i, ctx.style.bold(for_terminal(r.name)).c_str(),
                std::string(reader_kind_name(r.kind)).c_str(), for_terminal(r.spec).c_str());
    if (r.card_present)
      std::printf("     card: %s%s%s\n",
                  r.atr_info.description.empty() ? "present" : for_terminal(r.atr_info.description).c_str(),
                  r.atr.empty() ? "" : "  ATR ", hex(r.atr).c_str());
    else if (r.kind != ReaderKind::Virtual)
      std::printf("     no card\n");
  }
  if (!ctx.g.quiet) {
    for (const auto& n : notes) std::fprintf(stderr, "note: %s\n", for_terminal(n).c_str());
    std::fprintf(
        stderr,
        "virtual card: --reader virtual[:profile] (profiles: genuine, altered-dg, cloned-chip, expired,\n"
        "  untrusted-csca, terminated, blocked-pin, r1, r2, revoked, hostile-text; "
        "virtual-contact[:profile]\n"
        "  for contact)\n");
  }
  return kExitOk;
}

// ---- info ------------------------------------------------------------------------------
int run_info(const Ctx& ctx, bool pin_tries) {
  auto s = open_session(ctx);
  if (!s) return fail(ctx, s.error());
  Session& session = **s;
  const bool contactless = session.interface_type() == transport::Interface::Contactless;
  auto pace = authenticate(ctx, session, pin_tries && contactless);
  if (!pace) return fail(ctx, pace.error());
  auto info = session.info(pin_tries);
  if (!info) return fail(ctx, info.error());
  CardInfo ci = std::move(*info);
  if (ci.generation.empty() && (session.secure() || !contactless)) {
    if (auto e = session.esign()) {
      ci.generation = (*e)->chip().generation;
      if (ci.idesp.empty()) ci.idesp = (*e)->chip().idesp;
    }
  }
  if (ctx.g.json()) {
    nlohmann::json j = {{"reader", ci.reader},
                        {"reader_kind", std::string(reader_kind_name(ci.reader_kind))},
                        {"interface", interface_name(ci.interface_type)},
                        {"atr", hex(ci.atr)},
                        {"card", ci.atr_info.description},
                        {"terminated", ci.atr_info.terminated},
                        {"pace", session.secure()},
                        {"generation", ci.generation},
                        {"idesp", ci.idesp},
                        {"version", ci.version},
                        {"chip_serial", hex(ci.chip_serial)},
                        {"notes", ci.notes}};
    if (ci.dnie_confirmed) j["dnie_confirmed"] = *ci.dnie_confirmed;
    if (ci.pin_tries_left) j["pin_tries_left"] = *ci.pin_tries_left;
    j["apdus"] = session.stats().apdus;
    return print_json(ctx, j);
  }
  field(ctx, "Reader", ci.reader + " (" + std::string(reader_kind_name(ci.reader_kind)) + ")");
  field(ctx, "Card", ci.atr_info.description.empty() ? "unknown" : ci.atr_info.description);
  field(ctx, "Interface", interface_name(ci.interface_type));
  field(ctx, "ATR", hex(ci.atr));
  field(ctx, "Generation", ci.generation);
  field(ctx, "IDESP", ci.idesp);
  field(ctx, "Version", ci.version);
  field(ctx, "Chip serial", hex(ci.chip_serial));
  if (ci.pin_tries_left) field(ctx, "PIN tries left", std::to_string(*ci.pin_tries_left));
  if (!ctx.g.quiet)
    for (const auto& n : ci.notes) std::fprintf(stderr, "note: %s\n", for_terminal(n).c_str());
  return kExitOk;
}

// ---- certs -----------------------------------------------------------------------------
std::string cert_role(const esign::CardCertificate& c) {
  if (c.key && c.key->key_reference == 1) return "auth";
  if (c.key && c.key->key_reference == 2) return "sign";
  if (c.object.authority) return "ca";
  if (c.info.non_repudiation) return "sign";
  return c.key ? "auth" : "ca";
}

struct CertsOpts {
  std::string export_what, format = "pem", out;
  bool validate = false;      ///< --validate
  std::string at;             ///< --at DATE
  HolderCheckOptions holder;  ///< --crl, --ocsp-response, --online, --timeout, --trust-virtual
};

std::string styled_verdict(const Ctx& ctx, holder::CertificateVerdict v) {
  const std::string name(holder::verdict_name(v));
  switch (v) {
    case holder::CertificateVerdict::Valid:
      return ctx.style.green(name);
    case holder::CertificateVerdict::CannotVerify:
    case holder::CertificateVerdict::Expired:
      return ctx.style.yellow(name);
    default:
      return ctx.style.red(name);
  }
}

// The authentication and signing certificates validated (docs/relying-parties.md): chain to a
// DNIe root, profile, the DNI of the document when PACE ran, revocation from the sources given.
Result<std::vector<holder::CertificateValidation>> validate(const Ctx& ctx, const CertsOpts& o,
                                                            Session& session, holder::ValidationOptions vo,
                                                            std::vector<std::string>& notes) {
  if (o.holder.trust_virtual && !trust_virtual_holder(vo, session))
    notes.push_back(
        "--trust-virtual: this is not the virtual card; only the DNIe roots shipped with the SDK "
        "are trusted");
  if (session.secure()) {
    auto doc = session.read_document({1, 11, 13}, progress_bar(ctx));
    end_progress(ctx);
    if (doc)
      vo.expected_dni = document_dni(*doc);
    else
      notes.push_back("the DNI of the document was not read (" + doc.error().message +
                      "): holder.dni is not performed");
  } else {
    notes.push_back("no PACE (contact interface): the DNI of the document is not compared (holder.dni)");
  }
  // The document's DNI is read first, then the eSign application is opened on the same channel.
  DNIE_ASSIGN_OR_RETURN(esign::EsignCard * card, session.esign());
  if (vo.online && progress_wanted(ctx.g.quiet, ctx.g.json_on_stdout()))
    progress_text("  asking the OCSP responders...");
  auto v = holder::validate_card_certificates(*card, vo);
  end_progress(ctx);
  return v;
}

int run_certs(const Ctx& ctx, const CertsOpts& o) {
  if (!o.export_what.empty() && o.export_what != "auth" && o.export_what != "sign" && o.export_what != "ca")
    return usage_error(ctx, "--export wants auth, sign or ca");
  if (o.format != "pem" && o.format != "der") return usage_error(ctx, "--format wants pem or der");
  if (o.format == "der" && !o.export_what.empty() && o.out.empty())
    return usage_error(ctx, "DER output needs --out FILE");
  const bool holder_options =
      o.holder.revocation_requested() || o.holder.trust_virtual || !o.at.empty() || o.holder.timeout_ms != 0;
  if (holder_options && !o.validate)
    return usage_error(
        ctx, "--crl, --ocsp-response, --online, --timeout, --at and --trust-virtual need --validate");
  if (o.validate && !o.export_what.empty())
    return usage_error(ctx, "--validate and --export exclude each other");
  if (o.holder.timeout_ms < 0) return usage_error(ctx, "--timeout wants milliseconds");
  // Files and dates before the card: a CRL that cannot be read is a usage error.
  std::optional<holder::ValidationOptions> vo;
  if (o.validate) {
    HolderCheckOptions ho = o.holder;
    if (!o.at.empty()) {
      auto t = parse_date(o.at);
      if (!t) return usage_error(ctx, "--at wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
      ho.at = *t;
    }
    auto v = validation_options(ho);
    if (!v) return fail(ctx, v.error());
    vo.emplace(std::move(v).value());
  }
  auto s = open_session(ctx);
  if (!s) return fail(ctx, s.error());
  Session& session = **s;
  if (session.interface_type() != transport::Interface::Contact) {
    auto p = authenticate(ctx, session, true);
    if (!p) return fail(ctx, p.error());
  }
  std::vector<std::string> notes;
  std::optional<std::vector<holder::CertificateValidation>> validation;
  if (o.validate) {
    auto v = validate(ctx, o, session, std::move(*vo), notes);
    if (!v) return fail(ctx, v.error());
    validation.emplace(std::move(v).value());
  }
  auto card = session.esign();
  if (!card) return fail(ctx, card.error());
  auto certs = (*card)->certificates();
  if (!certs) return fail(ctx, certs.error());
  if (!o.export_what.empty()) {
    for (const auto& c : *certs) {
      if (cert_role(c) != o.export_what) continue;
      const std::string pem = c.pem();
      if (o.out.empty() || o.out == "-") {
        std::printf("%s", pem.c_str());
        return kExitOk;
      }
      auto w =
          o.format == "pem" ? write_file(ctx, o.out, ByteView::of(pem)) : write_file(ctx, o.out, c.der());
      if (!w) return fail(ctx, w.error());
      if (!ctx.g.quiet)
        std::fprintf(stderr, "wrote %s certificate to %s (%s)\n", o.export_what.c_str(),
                     for_terminal(o.out).c_str(), o.format.c_str());
      return kExitOk;
    }
    return fail(ctx, Error(ErrorCode::NotFound, "no " + o.export_what + " certificate on the card"));
  }
  if (validation) {
    const auto overall = holder::overall_verdict(*validation);
    const int rc = exit_code_for(overall);
    if (ctx.g.json()) {
      nlohmann::json j = holder_json(*validation);
      j["notes"] = notes;
      j["exit_code"] = rc;
      return print_json(ctx, j, rc);
    }
    bool test_anchor = false;
    for (const auto& v : *validation) {
      test_anchor = test_anchor || v.test_anchor;
      const std::string role = v.key == esign::KeyKind::Signing ? "sign" : "auth";
      std::printf("%s\n", ctx.style.bold("[" + role + "] " + key_name(v.key) + " certificate").c_str());
      field(ctx, "  Subject", v.certificate.subject().to_string());
      field(ctx, "  Issuer", v.certificate.issuer().to_string());
      field(ctx, "  Valid", date(v.certificate.not_before()) + " .. " + date(v.certificate.not_after()));
      field(ctx, "  Chain", v.anchor.empty() ? "no trusted path" : "to " + v.anchor);
      field_styled(ctx, "  Verdict", styled_verdict(ctx, v.verdict));
      for (const auto& l : holder_lines(v, !ctx.g.quiet)) std::printf("  %s\n", l.c_str());
    }
    field_styled(ctx, "Certificates", styled_verdict(ctx, overall));
    if (test_anchor)
      std::printf("%s\n", ctx.style
                              .yellow("the virtual card's TEST holder root is trusted (--trust-virtual): "
                                      "not for real cards")
                              .c_str());
    if (!ctx.g.quiet)
      for (const auto& n : notes) std::fprintf(stderr, "note: %s\n", for_terminal(n).c_str());
    return rc;
  }
  if (ctx.g.json()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : *certs) {
      arr.push_back({{"role", cert_role(c)},
                     {"label", c.object.label},
                     {"subject_cn", c.info.common_name},
                     {"serial_number", c.info.dni_number},
                     {"issuer", c.info.issuer},
                     {"not_before", date(c.info.not_before)},
                     {"not_after", date(c.info.not_after)},
                     {"key_usage", usage_text(c.info.key_usage)},
                     {"fingerprint_sha256", c.info.fingerprint_sha256}});
    }
    return print_json(ctx, {{"certificates", arr}});
  }
  for (const auto& c : *certs) {
    std::printf("%s\n", ctx.style.bold("[" + cert_role(c) + "] " + for_terminal(c.object.label)).c_str());
    field(ctx, "  Subject CN", c.info.common_name);
    field(ctx, "  serialNumber", c.info.dni_number);
    field(ctx, "  Issuer", c.info.issuer);
    field(ctx, "  Valid", date(c.info.not_before) + " .. " + date(c.info.not_after));
    field(ctx, "  Key usage", usage_text(c.info.key_usage));
    field(ctx, "  SHA-256", c.info.fingerprint_sha256);
  }
  return kExitOk;
}

}  // namespace

void add_card_commands(CLI::App& app, Ctx& ctx, int& rc) {
  auto* readers = app.add_subcommand("readers", "List PC/SC readers, libnfc devices and the virtual card");
  readers->add_flag("--no-nfc", ctx.g.no_nfc, "Do not probe libnfc devices");
  readers->callback([&ctx, &rc] { rc = run_readers(ctx); });

  auto* info = app.add_subcommand("info", "Card type, generation, interface, IDESP, version, chip serial");
  auto pin_tries = std::make_shared<bool>(false);
  info->add_flag("--pin-tries", *pin_tries, "Include the PIN tries left (spends none; needs PACE on NFC)");
  info->callback([&ctx, &rc, pin_tries] { rc = run_info(ctx, *pin_tries); });

  auto* certs = app.add_subcommand(
      "certs", "List the card's certificates, export one (PEM/DER) or validate them (--validate)");
  auto co = std::make_shared<CertsOpts>();
  certs->add_option("--export", co->export_what, "Export one certificate: auth, sign or ca");
  certs->add_option("--format", co->format, "pem (default) or der");
  certs->add_option("--out", co->out, "Output file (default: PEM to stdout)");
  certs->add_flag("--validate", co->validate,
                  "Validate the authentication and signing certificates: chain to a DNIe root, profile, DNI, "
                  "revocation (exit 0 VALID, 7 INVALID, 10 CANNOT VERIFY, 11 EXPIRED, 12 REVOKED)");
  certs
      ->add_option("--crl", co->holder.crl_files,
                   "With --validate: a CRL of the issuing CA (DER or PEM; repeatable)")
      ->type_name("FILE");
  certs
      ->add_option("--ocsp-response", co->holder.ocsp_files,
                   "With --validate: an OCSP response obtained elsewhere (DER; repeatable)")
      ->type_name("FILE");
  certs->add_flag("--online", co->holder.online,
                  "With --validate: ask the OCSP responder named in each certificate (network)");
  certs
      ->add_option("--timeout", co->holder.timeout_ms,
                   "With --online: give up after MS milliseconds (default 5000)")
      ->type_name("MS");
  certs
      ->add_option("--at", co->at,
                   "With --validate: validity at this time, YYYY-MM-DD[THH:MM:SSZ] (default: now)")
      ->type_name("DATE");
  certs->add_flag("--trust-virtual", co->holder.trust_virtual,
                  "With --validate: trust the virtual card's TEST holder root and use its CA's CRL (never "
                  "for real cards)");
  certs->callback([&ctx, &rc, co] { rc = run_certs(ctx, *co); });
}

}  // namespace dnie::cli
