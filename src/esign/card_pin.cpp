// SPDX-License-Identifier: Apache-2.0
// EsignCard PIN and signature operations (ISO/IEC 7816-4 VERIFY; ISO/IEC 7816-8 MSE:SET DST and
// PSO:COMPUTE DIGITAL SIGNATURE; RFC 8017 §8.2 PKCS#1 v1.5; docs/dnie-card.md §4.4, §4.5).
#include "dnie/bytes/log.hpp"
#include "dnie/crypto/rsa.hpp"

#include "esign/card_internal.hpp"

namespace dnie::esign {

namespace {

constexpr std::string_view kComponent = "esign";

Result<apdu::ResponseApdu> send(transport::Transport& t, const apdu::CommandApdu& c) {
  DNIE_ASSIGN_OR_RETURN(auto r, transport::transceive(t, c, false));
  if (r.sw() == apdu::sw::kMemoryFailure)
    return make_error(ErrorCode::CardTerminated, "the card is terminated (65 81)").with_sw(r.sw());
  return r;
}

/// Runs `f` on the live PIN channel; a transport/SM failure marks the channel for relink.
template <typename F>
auto in_pin_channel(EsignCard::Impl& s, F f) -> decltype(f(s.current())) {
  auto r = f(s.current());
  if (!r &&
      (r.error().code == ErrorCode::SecureMessagingError || r.error().code == ErrorCode::TransportError ||
       r.error().code == ErrorCode::CardRemoved || r.error().code == ErrorCode::Timeout))
    s.state = ChannelState::NeedsRelink;
  return r;
}

Status do_verify(EsignCard::Impl& s, const SecureBuffer& pin, bool allow_last_try) {
  DNIE_TRY(validate_pin(pin));
  DNIE_TRY(s.ensure_pin_channel());
  // The counter is read (authenticated) before every VERIFY: tries spent by another application
  // or on another terminal since the last one are seen (never assumed).
  DNIE_TRY(in_pin_channel(s, [&](transport::Transport& t) { return pin_verify(t, pin, allow_last_try); }));
  s.pin_verified = true;
  return ok_status();
}

}  // namespace

Status validate_pin(const SecureBuffer& pin) {
  // Only what cannot be a DNIe PIN is refused here: the card's PIN has 8 to 16 characters
  // (docs/dnie-card.md §4.4); the proven clients send any characters the user typed, so letters,
  // digits, symbols and non-ASCII bytes go to the card, which decides. Control characters never
  // come from a keyboard and are refused (a NUL or a line end read from a file by mistake).
  if (pin.size() < 8 || pin.size() > 16)
    return make_error(ErrorCode::InvalidArgument, "the PIN has 8 to 16 characters");
  for (std::size_t i = 0; i < pin.size(); ++i)
    if (pin[i] < 0x20 || pin[i] == 0x7F)
      return make_error(ErrorCode::InvalidArgument, "the PIN contains a control character");
  return ok_status();
}

Error pin_status_error(std::uint16_t sw, std::string_view what) {
  const std::string w(what);
  if (apdu::is_counter(sw)) {
    const int n = apdu::counter_value(sw);
    if (n == 0)
      return make_error(ErrorCode::PinBlocked, w + ": the PIN is blocked").with_sw(sw).with_tries(0);
    return make_error(ErrorCode::WrongPin, w + ": wrong PIN").with_sw(sw).with_tries(n);
  }
  if (sw == apdu::sw::kAuthMethodBlocked || sw == apdu::sw::kReferenceDataNotUsable)
    return make_error(ErrorCode::PinBlocked, w + ": the PIN is blocked").with_sw(sw).with_tries(0);
  if (sw == apdu::sw::kMemoryFailure)
    return make_error(ErrorCode::CardTerminated, w + ": card terminated").with_sw(sw);
  return apdu::sw_error(sw, w);
}

Result<int> pin_tries_left(transport::Transport& t) {
  apdu::CommandApdu q(0x00, 0x20, 0x00, 0x00, {}, apdu::kLeMax);
  DNIE_ASSIGN_OR_RETURN(auto r, send(t, q));
  // A plain 63 C3 could come from anyone on the link: the count decides whether the PIN may be
  // sent, so only a MAC-verified answer counts (the PIN channel is always under CWA SM).
  DNIE_TRY(apdu::require_authenticated(r, "PIN retries query"));
  if (apdu::is_counter(r.sw())) {
    const int n = apdu::counter_value(r.sw());
    if (n == 0) return pin_status_error(r.sw(), "PIN retries query");
    return n;
  }
  if (r.ok()) return -1;  // already verified in this channel: the card does not tell
  return pin_status_error(r.sw(), "PIN retries query");
}

Status pin_verify(transport::Transport& t, const SecureBuffer& pin, bool allow_last_try) {
  DNIE_TRY(validate_pin(pin));
  // Spend the last try only with consent (docs/dnie-card.md, PIN).
  DNIE_ASSIGN_OR_RETURN(int n, pin_tries_left(t));
  if (n == 1 && !allow_last_try)
    return make_error(ErrorCode::LastTryRefused, "one PIN try left: pass allow_last_try to spend it")
        .with_tries(1);
  apdu::CommandApdu v(0x00, 0x20, 0x00, 0x00, pin.view());  // ASCII, no padding
  DNIE_ASSIGN_OR_RETURN(auto r, send(t, v));
  if (!r.ok()) return pin_status_error(r.sw(), "VERIFY");
  return ok_status();
}

Status verify_card_signature(const crypto::Certificate& cert, ByteView digest_info, ByteView signature) {
  auto parsed = crypto::parse_digest_info(digest_info);
  if (!parsed) return make_error(ErrorCode::InvalidArgument, "not a DigestInfo of SHA-1/224/256/384/512");
  const crypto::RsaPublicKey* pub = cert.public_key().rsa();
  if (pub == nullptr) return make_error(ErrorCode::Unsupported, "the certificate key is not RSA");
  if (!pub->verify_pkcs1_v15(parsed->alg, parsed->digest, signature))
    return make_error(ErrorCode::VerificationFailed,
                      "the card's signature does not verify with the certificate");
  return ok_status();
}

Result<int> EsignCard::tries_left() {
  DNIE_TRY(m_impl->ensure_pin_channel());
  return in_pin_channel(*m_impl, [](transport::Transport& t) { return pin_tries_left(t); });
}

Status EsignCard::verify_pin(const SecureBuffer& pin, bool allow_last_try) {
  return do_verify(*m_impl, pin, allow_last_try);
}

Status EsignCard::change_pin(const SecureBuffer& old_pin, const SecureBuffer& new_pin, bool allow_last_try) {
  Impl& s = *m_impl;
  DNIE_TRY(validate_pin(old_pin));
  DNIE_TRY(validate_pin(new_pin));
  // The card wants a verified PIN before CHANGE PIN (jmulticard Dnie.changePIN); do_verify also
  // applies the last-try guard.
  DNIE_TRY(do_verify(s, old_pin, allow_last_try));
  SecureBuffer data(ByteView(hex_bytes("01")));
  const std::uint8_t lo = static_cast<std::uint8_t>(old_pin.size()),
                     ln = static_cast<std::uint8_t>(new_pin.size());
  data.append(ByteView(&lo, 1));
  data.append(old_pin.view());
  data.append(ByteView(&ln, 1));
  data.append(new_pin.view());
  // SELECT MF, SELECT 0000 (the PIN file), 90 24 00 00 01‖len‖old‖len‖new (jmulticard
  // Dnie.changePIN). Which channel the card wants is not published: jmulticard ends up in the
  // user channel, the VERIFY just ran in the PIN channel. Tried in the PIN channel first; on
  // 69 82 (security status: nothing checked, no try spent) again in the user channel, which
  // keeps the verified state (docs/dnie-card.md).
  auto attempt = [&]() -> Result<apdu::ResponseApdu> {
    DNIE_TRY(s.select_mf());
    DNIE_TRY(s.select_fid(0x0000));
    return s.exchange(apdu::CommandApdu(0x90, 0x24, 0x00, 0x00, data.view()));
  };
  DNIE_ASSIGN_OR_RETURN(auto r, attempt());
  if (r.sw() == apdu::sw::kSecurityStatusNotSatisfied && s.state == ChannelState::Pin) {
    log(LogLevel::Info, kComponent, "CHANGE PIN refused in the PIN channel (69 82); trying the user channel");
    DNIE_TRY(s.open_channel(auth::CwaChannel::User));
    DNIE_ASSIGN_OR_RETURN(r, attempt());
  }
  if (s.state == ChannelState::User) s.state = ChannelState::NeedsRelink;  // spent, as after a signature
  s.pin_verified = false;
  if (!r.ok()) return pin_status_error(r.sw(), "CHANGE PIN");
  log(LogLevel::Info, kComponent, "PIN changed");
  return ok_status();
}

Result<Bytes> EsignCard::sign_hash(KeyKind key, crypto::HashAlg alg, ByteView digest, const SecureBuffer& pin,
                                   bool allow_last_try) {
  if (digest.size() != crypto::hash_size(alg))
    return make_error(ErrorCode::InvalidArgument,
                      "digest length does not match " + std::string(crypto::hash_name(alg)));
  DNIE_ASSIGN_OR_RETURN(Bytes di, crypto::digest_info(alg, digest));
  return sign_digest_info(key, di, pin, allow_last_try);
}

Result<Bytes> EsignCard::sign_digest_info(KeyKind key, ByteView digest_info, const SecureBuffer& pin,
                                          bool allow_last_try) {
  Impl& s = *m_impl;
  if (!crypto::parse_digest_info(digest_info))
    return make_error(ErrorCode::InvalidArgument, "not a DigestInfo of SHA-1/224/256/384/512");
  // The certificate is read (once) before any channel, to check the signature afterwards.
  DNIE_ASSIGN_OR_RETURN(CardCertificate cert, certificate(key));
  if (cert.certificate.public_key().rsa() == nullptr)
    return make_error(ErrorCode::Unsupported, "the certificate key is not RSA");
  const std::int64_t ref = cert.key ? cert.key->key_reference : static_cast<std::int64_t>(key);
  // PIN channel → VERIFY → user channel (replaces the PIN channel).
  DNIE_TRY(do_verify(s, pin, allow_last_try));
  DNIE_TRY(s.open_channel(auth::CwaChannel::User));
  // From here the user channel is spent by this signature: the next one starts from a relink.
  s.pin_verified = false;
  // SELECT MF before MSE:SET DST, as jmulticard's signature does (docs/dnie-card.md).
  if (auto st = s.select_mf(); !st) {
    s.state = ChannelState::NeedsRelink;
    return std::move(st).error();
  }
  const std::uint8_t mse_data[] = {0x84, 0x02, 0x01, static_cast<std::uint8_t>(ref)};
  apdu::CommandApdu mse(0x00, 0x22, 0x41, 0xB6, ByteView(mse_data, sizeof mse_data));
  auto mr = s.exchange(mse);
  if (!mr) {
    s.state = ChannelState::NeedsRelink;
    return std::move(mr).error();
  }
  if (!mr->ok()) {
    s.state = ChannelState::NeedsRelink;
    return apdu::sw_error(mr->sw(), "MSE:SET DST");
  }
  // PSO:CDS without Le, as jmulticard's PsoSignHashApduCommand (docs/dnie-card.md): with Le the
  // CWA wrap would carry DO'97' next to DO'87', which the card answers with 69 88.
  apdu::CommandApdu cds(0x00, 0x2A, 0x9E, 0x9A, digest_info);
  auto cr = s.exchange(cds);
  s.state = ChannelState::NeedsRelink;
  if (!cr) return std::move(cr).error();
  if (!cr->ok()) return apdu::sw_error(cr->sw(), "PSO:COMPUTE DIGITAL SIGNATURE");
  Bytes sig = cr->data();
  DNIE_TRY(verify_card_signature(cert.certificate, digest_info, sig));
  log(LogLevel::Info, kComponent,
      std::string("signature made with the ") + (key == KeyKind::Signing ? "signing" : "authentication") +
          " key");
  return sig;
}

}  // namespace dnie::esign
