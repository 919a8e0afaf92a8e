// SPDX-License-Identifier: Apache-2.0
// dnie pin status|verify|change, dnie sign (raw PKCS#1 or, with --cms, a detached CAdES-BES). The
// PIN never comes from the command line.
#include <filesystem>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/x509.hpp"
#include "dnie/esign/esign.hpp"
#include "dnie/holder/signing.hpp"

#include "cli.hpp"
#include "exit_codes.hpp"
#include "holder_certs.hpp"
#include "progress.hpp"
#include "secrets.hpp"
#include "text.hpp"

namespace dnie::cli {

namespace {

// PACE when contactless, then the eSign application.
Result<esign::EsignCard*> open_esign(const Ctx& ctx, std::unique_ptr<Session>& holder) {
  DNIE_ASSIGN_OR_RETURN(holder, open_session(ctx));
  if (holder->interface_type() != transport::Interface::Contact) DNIE_TRY(authenticate(ctx, *holder, true));
  return holder->esign();
}

SecretSource pin_source(const Ctx& ctx, const std::string& prompt) {
  SecretSource src;
  src.fd = ctx.g.pin_fd;
  src.env = ctx.g.pin_env;
  src.prompt = prompt;
  return src;
}

int run_status(const Ctx& ctx) {
  std::unique_ptr<Session> s;
  auto card = open_esign(ctx, s);
  if (!card) return fail(ctx, card.error());
  auto n = (*card)->tries_left();
  if (!n) return fail(ctx, n.error());
  const int rc = *n == 0 ? kExitPinBlocked : kExitOk;
  if (ctx.g.json())
    return print_json(ctx, {{"pin_tries_left", *n}, {"generation", (*card)->chip().generation}}, rc);
  std::string state = *n < 0 ? "unknown" : std::to_string(*n);
  if (*n == 1) state += ctx.style.yellow(" (last try: the PIN must be resumed with the CAN before use)");
  if (*n == 0) state += ctx.style.red(" (blocked)");
  field_styled(ctx, "PIN tries left", state);
  return rc;
}

int run_verify(const Ctx& ctx, bool allow_last_try) {
  std::unique_ptr<Session> s;
  auto card = open_esign(ctx, s);
  if (!card) return fail(ctx, card.error());
  auto pin = read_secret(pin_source(ctx, "PIN: "));
  if (!pin) return fail(ctx, pin.error());
  auto r = (*card)->verify_pin(*pin, allow_last_try);
  if (!r) return fail(ctx, r.error());
  if (ctx.g.json()) return print_json(ctx, {{"pin_verified", true}});
  if (!ctx.g.quiet) std::printf("%s\n", ctx.style.green("PIN verified").c_str());
  return kExitOk;
}

int run_change(const Ctx& ctx, bool allow_last_try) {
  std::unique_ptr<Session> s;
  auto card = open_esign(ctx, s);
  if (!card) return fail(ctx, card.error());
  auto old_pin = read_secret(pin_source(ctx, "Current PIN: "));
  if (!old_pin) return fail(ctx, old_pin.error());
  SecretSource ns = pin_source(ctx, "New PIN: ");
  ns.env = "DNIE_NEW_PIN";
  ns.what = "new PIN";
  auto new_pin = read_secret(ns);
  if (!new_pin) return fail(ctx, new_pin.error());
  if (ctx.g.pin_fd < 0 && !std::getenv("DNIE_NEW_PIN") && interactive()) {
    auto again = prompt_secret("New PIN again: ");
    if (!again) return fail(ctx, again.error());
    if (!again->equals(new_pin->view())) return usage_error(ctx, "the new PINs do not match");
  }
  if (auto v = esign::validate_pin(*new_pin); !v) return fail(ctx, v.error());
  auto r = (*card)->change_pin(*old_pin, *new_pin, allow_last_try);
  if (!r) return fail(ctx, r.error());
  if (ctx.g.json()) return print_json(ctx, {{"pin_changed", true}});
  if (!ctx.g.quiet) std::printf("%s\n", ctx.style.green("PIN changed").c_str());
  return kExitOk;
}

struct SignOpts {
  std::string key = "sign", hash = "sha256", in, digest, digest_info, out;
  bool allow_last_try = false;
  bool cms = false;           ///< --cms: detached CAdES-BES (holder::sign_cades)
  bool pem = false;           ///< --pem: the .p7s as PEM ("CMS", RFC 7468 §9) instead of DER
  HolderCheckOptions holder;  ///< --crl, --ocsp-response, --online, --timeout, --trust-virtual
};

Result<crypto::HashAlg> hash_alg(const std::string& name) {
  if (name == "sha1") return crypto::HashAlg::Sha1;
  if (name == "sha224") return crypto::HashAlg::Sha224;
  if (name == "sha256") return crypto::HashAlg::Sha256;
  if (name == "sha384") return crypto::HashAlg::Sha384;
  if (name == "sha512") return crypto::HashAlg::Sha512;
  return Error(ErrorCode::InvalidArgument, "--hash wants sha1, sha224, sha256, sha384 or sha512");
}

// True when the PIN will be asked on the terminal (no --pin-fd, no variable set).
bool pin_prompted(const Ctx& ctx) {
  const char* env = ctx.g.pin_env.empty() ? nullptr : std::getenv(ctx.g.pin_env.c_str());
  return ctx.g.pin_fd < 0 && env == nullptr && interactive();
}

// dnie sign --cms: the file's digest, the certificate's revocation when a source is given, what
// will be signed shown BEFORE the PIN is asked, then the card signs a detached CAdES-BES
// (ETSI EN 319 122-1) that openssl cms, NSS cmsutil and the SDK's verify_cades() accept.
int run_sign_cms(const Ctx& ctx, const SignOpts& o, crypto::HashAlg alg) {
  if (o.in.empty()) return usage_error(ctx, "--cms signs a file: give --in FILE");
  if (!o.digest.empty() || !o.digest_info.empty())
    return usage_error(ctx, "--cms signs a file (--in); --digest and --digest-info are for raw signatures");
  if (alg != crypto::HashAlg::Sha256 && alg != crypto::HashAlg::Sha384 && alg != crypto::HashAlg::Sha512)
    return usage_error(ctx, "--cms wants --hash sha256, sha384 or sha512");
  if (o.holder.timeout_ms < 0) return usage_error(ctx, "--timeout wants milliseconds");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(o.in, ec))
    return usage_error(ctx, "--in " + o.in + ": not a readable regular file");
  const std::string out = o.out.empty() ? o.in + ".p7s" : o.out;
  auto vo = validation_options(o.holder);
  if (!vo) return fail(ctx, vo.error());
  auto content = holder::digest_file(o.in, alg);
  if (!content) return usage_error(ctx, "--in " + o.in + ": " + content.error().message);

  std::unique_ptr<Session> s;
  auto card = open_esign(ctx, s);
  if (!card) return fail(ctx, card.error());
  const auto key = o.key == "auth" ? esign::KeyKind::Authentication : esign::KeyKind::Signing;
  std::vector<std::string> notes;
  std::optional<holder::CertificateValidation> known;
  if (o.holder.trust_virtual && !trust_virtual_holder(*vo, *s))
    notes.push_back(
        "--trust-virtual: this is not the virtual card; only the DNIe roots shipped with the SDK "
        "are trusted");
  // Revocation is checked when a source was given, or the virtual card's CRL (--trust-virtual).
  if (o.holder.revocation_requested() || !vo->crls.empty()) {
    if (o.holder.online && progress_wanted(ctx.g.quiet, ctx.g.json_on_stdout()))
      progress_text("  asking the OCSP responder...");
    auto v = holder::validate_card_certificates(**card, *vo, {key});
    end_progress(ctx);
    if (!v) return fail(ctx, v.error());
    known = std::move(v->front());
  }
  auto preview = holder::preview_signature(**card, key, *content, known ? &*known : nullptr);
  if (!preview) return fail(ctx, preview.error());
  // What will be signed, before the PIN: on stderr (the signature may go to standard output).
  // --quiet hides it only when the PIN does not come from the terminal.
  if (!ctx.g.quiet || pin_prompted(ctx)) {
    std::fprintf(stderr, "%s\n",
                 ctx.style.err_color ? "\033[1mAbout to sign (CAdES-BES, detached):\033[0m"
                                     : "About to sign (CAdES-BES, detached):");
    std::fprintf(stderr, "  File: %s\n", for_terminal(o.in).c_str());
    for (const auto& l : preview->lines()) std::fprintf(stderr, "  %s\n", for_terminal(l).c_str());
    if (!known)
      std::fprintf(
          stderr, "  (revocation not checked: give --crl FILE, --ocsp-response FILE or --online%s)\n",
          s->options().offered_holder_crls.empty() ? "" : "; --trust-virtual uses the virtual card's CRL");
    for (const auto& n : notes) std::fprintf(stderr, "note: %s\n", for_terminal(n).c_str());
  }
  if (known && known->verdict == holder::CertificateVerdict::Revoked) {
    // No PIN is asked for a signature nobody could accept.
    const int rc = exit_code_for(known->verdict);
    const std::string why = "the " + std::string(key_name(key)) +
                            " certificate is REVOKED: no signature made, no PIN asked (" +
                            known->revocation.source + ": " + known->revocation.detail + ")";
    if (ctx.g.json())
      (void)print_json(ctx,
                       {{"error", {{"code", "Revoked"}, {"message", why}, {"exit_code", rc}}},
                        {"preview", nlohmann::json::parse(sanitize_utf8(preview->to_json()), nullptr, false)},
                        {"validation", holder_json(*known)}},
                       rc);
    std::fprintf(stderr, "dnie: error: %s\n", for_terminal(why).c_str());
    return rc;
  }

  holder::CadesOptions co;
  co.allow_last_try = o.allow_last_try;
  for (const auto& t : s->options().offered_holder_trust)
    if (t.anchor) co.extra_chain.push_back(t.certificate);  // the virtual card's TEST root
  auto pin = read_secret(pin_source(ctx, "PIN: "));
  if (!pin) return fail(ctx, pin.error());
  auto cms = holder::sign_cades(**card, key, *content, *pin, co);
  if (!cms) return fail(ctx, cms.error());
  const std::string pem = o.pem ? crypto::pem_encode("CMS", *cms) : std::string();
  const ByteView data = o.pem ? ByteView::of(pem) : ByteView(*cms);
  if (auto w = write_file(ctx, out, data); !w) return fail(ctx, w.error());
  if (ctx.g.json()) {
    nlohmann::json j = {{"format", "CAdES-BES (detached)"},
                        {"key", o.key},
                        {"hash", o.hash},
                        {"in", o.in},
                        {"out", out},
                        {"encoding", o.pem ? "pem" : "der"},
                        {"bytes", cms->size()},
                        {"preview", nlohmann::json::parse(sanitize_utf8(preview->to_json()), nullptr, false)},
                        {"notes", notes}};
    j["validation"] = known ? holder_json(*known) : nlohmann::json();
    return print_json(ctx, j);
  }
  if (!ctx.g.quiet)
    std::fprintf(stderr, "wrote %zu-byte CAdES-BES signature (detached, %s, %s key, %s) to %s\n", cms->size(),
                 std::string(crypto::hash_name(alg)).c_str(), key_name(key), o.pem ? "PEM" : "DER",
                 for_terminal(out).c_str());
  return kExitOk;
}

int run_sign(const Ctx& ctx, const SignOpts& o) {
  if (o.key != "auth" && o.key != "sign") return usage_error(ctx, "--key wants auth or sign");
  if (o.cms) {
    auto alg = hash_alg(o.hash);
    if (!alg) return fail(ctx, alg.error());
    return run_sign_cms(ctx, o, *alg);
  }
  if (o.pem || o.holder.revocation_requested() || o.holder.trust_virtual || o.holder.timeout_ms != 0)
    return usage_error(ctx,
                       "--pem, --crl, --ocsp-response, --online, --timeout and --trust-virtual need --cms");
  const int inputs = int(!o.in.empty()) + int(!o.digest.empty()) + int(!o.digest_info.empty());
  if (inputs != 1) return usage_error(ctx, "give exactly one of --in FILE, --digest HEX, --digest-info HEX");
  auto alg = hash_alg(o.hash);
  if (!alg) return fail(ctx, alg.error());
  Bytes digest, di;
  if (!o.in.empty()) {
    auto data = read_file(o.in);
    if (!data) return fail(ctx, data.error());
    digest = crypto::hash(*alg, *data);
  } else if (!o.digest.empty()) {
    auto d = from_hex(o.digest);
    if (!d) return usage_error(ctx, "--digest is not hex");
    if (d->size() != crypto::hash_size(*alg))
      return usage_error(
          ctx, fmt::format("--digest has {} bytes; {} wants {}", d->size(), o.hash, crypto::hash_size(*alg)));
    digest = std::move(*d);
  } else {
    auto d = from_hex(o.digest_info);
    if (!d) return usage_error(ctx, "--digest-info is not hex");
    di = std::move(*d);
  }
  std::unique_ptr<Session> s;
  auto card = open_esign(ctx, s);
  if (!card) return fail(ctx, card.error());
  auto pin = read_secret(pin_source(ctx, "PIN: "));
  if (!pin) return fail(ctx, pin.error());
  const auto key = o.key == "auth" ? esign::KeyKind::Authentication : esign::KeyKind::Signing;
  auto sig = di.empty() ? (*card)->sign_hash(key, *alg, digest, *pin, o.allow_last_try)
                        : (*card)->sign_digest_info(key, di, *pin, o.allow_last_try);
  if (!sig) return fail(ctx, sig.error());
  if (!o.out.empty()) {
    if (auto w = write_file(ctx, o.out, *sig); !w) return fail(ctx, w.error());
  }
  if (ctx.g.json()) {
    nlohmann::json j = {{"key", o.key}, {"signature_bytes", sig->size()}, {"verified", true}};
    if (di.empty()) j["hash"] = o.hash;
    if (o.out.empty())
      j["signature"] = hex(*sig);
    else
      j["out"] = o.out;
    return print_json(ctx, j);
  }
  if (o.out.empty()) {
    std::printf("%s\n", hex(*sig).c_str());
  } else if (!ctx.g.quiet) {
    std::fprintf(stderr, "wrote %zu-byte signature (verified with the %s certificate) to %s\n", sig->size(),
                 o.key.c_str(), for_terminal(o.out).c_str());
  }
  return kExitOk;
}

}  // namespace

void add_pin_commands(CLI::App& app, Ctx& ctx, int& rc) {
  auto* pin = app.add_subcommand("pin", "PIN status, verification and change (the PIN is never an argument)");
  pin->require_subcommand(1);
  auto last = std::make_shared<bool>(false);
  pin->add_subcommand("status", "PIN tries left (spends none)")->callback([&ctx, &rc] {
    rc = run_status(ctx);
  });
  auto* verify = pin->add_subcommand("verify", "Verify the PIN (from --pin-fd, $DNIE_PIN or the prompt)");
  verify->add_flag("--allow-last-try", *last, "Spend the last try (refused by default)");
  verify->callback([&ctx, &rc, last] { rc = run_verify(ctx, *last); });
  auto* change = pin->add_subcommand(
      "change", "Change the PIN (old: --pin-fd/$DNIE_PIN/prompt; new: next fd line/$DNIE_NEW_PIN/prompt)");
  change->add_flag("--allow-last-try", *last, "Spend the last try (refused by default)");
  change->callback([&ctx, &rc, last] { rc = run_change(ctx, *last); });

  auto o = std::make_shared<SignOpts>();
  auto* sign = app.add_subcommand(
      "sign", "Sign a hash with the authentication or signing key, or a file as CAdES-BES (--cms)");
  sign->add_option("--key", o->key, "auth or sign (default sign)");
  sign->add_option("--hash", o->hash, "sha1, sha224, sha256 (default), sha384, sha512");
  sign->add_option("--in", o->in, "File to hash and sign");
  sign->add_option("--digest", o->digest, "Digest in hex (of --hash)");
  sign->add_option("--digest-info", o->digest_info, "DER DigestInfo in hex");
  sign->add_option("--out", o->out,
                   "Signature output file (default: hex on stdout; with --cms: the --in file name + .p7s)");
  sign->add_flag("--allow-last-try", o->allow_last_try, "Spend the last PIN try (refused by default)");
  sign->add_flag(
      "--cms", o->cms,
      "A detached CAdES-BES signature of --in (a .p7s for openssl cms, NSS, Autofirma); what will be "
      "signed is shown before the PIN");
  sign->add_flag("--pem", o->pem, "With --cms: write PEM (-----BEGIN CMS-----) instead of DER");
  sign->add_option("--crl", o->holder.crl_files,
                   "With --cms: check the certificate's revocation in this CRL first (repeatable)")
      ->type_name("FILE");
  sign->add_option("--ocsp-response", o->holder.ocsp_files,
                   "With --cms: check the certificate's revocation in this OCSP response first (repeatable)")
      ->type_name("FILE");
  sign->add_flag("--online", o->holder.online,
                 "With --cms: ask the certificate's OCSP responder first (network)");
  sign->add_option("--timeout", o->holder.timeout_ms, "With --online: give up after MS milliseconds")
      ->type_name("MS");
  sign->add_flag(
      "--trust-virtual", o->holder.trust_virtual,
      "With --cms: trust the virtual card's TEST holder root and check its CA's CRL (never for real cards)");
  sign->callback([&ctx, &rc, o] { rc = run_sign(ctx, *o); });
}

}  // namespace dnie::cli
