// SPDX-License-Identifier: Apache-2.0
// dnie pin status|verify|change, dnie sign. The PIN never comes from the command line.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "dnie/crypto/hash.hpp"
#include "dnie/esign/esign.hpp"

#include "cli.hpp"
#include "exit_codes.hpp"
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
};

Result<crypto::HashAlg> hash_alg(const std::string& name) {
  if (name == "sha1") return crypto::HashAlg::Sha1;
  if (name == "sha224") return crypto::HashAlg::Sha224;
  if (name == "sha256") return crypto::HashAlg::Sha256;
  if (name == "sha384") return crypto::HashAlg::Sha384;
  if (name == "sha512") return crypto::HashAlg::Sha512;
  return Error(ErrorCode::InvalidArgument, "--hash wants sha1, sha224, sha256, sha384 or sha512");
}

int run_sign(const Ctx& ctx, const SignOpts& o) {
  if (o.key != "auth" && o.key != "sign") return usage_error(ctx, "--key wants auth or sign");
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
  auto* sign = app.add_subcommand("sign", "Sign a hash with the authentication or signing key");
  sign->add_option("--key", o->key, "auth or sign (default sign)");
  sign->add_option("--hash", o->hash, "sha1, sha224, sha256 (default), sha384, sha512");
  sign->add_option("--in", o->in, "File to hash and sign");
  sign->add_option("--digest", o->digest, "Digest in hex (of --hash)");
  sign->add_option("--digest-info", o->digest_info, "DER DigestInfo in hex");
  sign->add_option("--out", o->out, "Signature output file (default: hex on stdout)");
  sign->add_flag("--allow-last-try", o->allow_last_try, "Spend the last PIN try (refused by default)");
  sign->callback([&ctx, &rc, o] { rc = run_sign(ctx, *o); });
}

}  // namespace dnie::cli
