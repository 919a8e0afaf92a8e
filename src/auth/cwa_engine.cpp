// SPDX-License-Identifier: Apache-2.0
// CWA 14890-1 §8.4–§8.6 device authentication, terminal side, without I/O: command building,
// INTERNAL/EXTERNAL AUTHENTICATE cryptography (ISO/IEC 9796-2, RFC 8017 raw RSA) and session keys.
#include "dnie/apdu/status.hpp"
#include "dnie/auth/cwa14890.hpp"
#include "dnie/crypto/hash.hpp"

#include "auth/key_pair.hpp"
#include "crypto/bigint.hpp"

namespace dnie::auth {

namespace {

constexpr std::size_t kPrndLen = 74, kKeyLen = 32, kShaLen = 20, kRndLen = 8;

/// SIG_min = min(SIG, N − SIG) (ISO/IEC 9796-2 as profiled by CWA 14890-1 §8.5).
Result<SecureBuffer> min_sig(ByteView s, ByteView modulus) {
  crypto::BigInt bs = crypto::BigInt::from_bytes(s), bn = crypto::BigInt::from_bytes(modulus);
  DNIE_ASSIGN_OR_RETURN(crypto::BigInt other, bn.sub(bs));
  return (other < bs ? other : bs).to_secret(modulus.size());
}

bool framed(ByteView f) { return f.size() == 128 && f[0] == 0x6A && f[127] == 0xBC; }

}  // namespace

// ---- cryptography ---------------------------------------------------------------------------------

Result<CwaSessionKeys> cwa_derive_keys(ByteView kicc, ByteView kifd, ByteView rnd_icc, ByteView rnd_ifd) {
  if (kicc.size() != kKeyLen || kifd.size() != kKeyLen || rnd_icc.size() != kRndLen ||
      rnd_ifd.size() != kRndLen)
    return make_error(ErrorCode::InvalidArgument, "CWA key derivation: bad input sizes");
  SecureBuffer k(kKeyLen);
  for (std::size_t i = 0; i < kKeyLen; ++i) k[i] = static_cast<std::uint8_t>(kicc[i] ^ kifd[i]);
  CwaSessionKeys out;
  for (std::uint8_t counter = 1; counter <= 2; ++counter) {
    const std::uint8_t c[4] = {0, 0, 0, counter};
    SecureBuffer key =
        crypto::hash_secret(crypto::HashAlg::Sha1, SecureBuffer::concat({k.view(), ByteView(c, 4)}).view());
    key.truncate(16);
    (counter == 1 ? out.k_enc : out.k_mac) = std::move(key);
  }
  out.ssc = SecureBuffer::concat({rnd_icc.subview(4, 4), rnd_ifd.subview(4, 4)});
  return out;
}

Result<sm::SmSession> cwa_make_session(CwaSessionKeys keys) {
  sm::Options o;
  o.append_le = false;
  o.mac_length = 8;
  o.le_with_data = false;  // 69 88 otherwise (docs/dnie-card.md)
  return sm::SmSession::create(sm::Suite::Des3, std::move(keys.k_enc), std::move(keys.k_mac),
                               std::move(keys.ssc), o);
}

Result<SecureBuffer> cwa_verify_internal_auth(const crypto::RsaPrivateKey& ifd,
                                              const crypto::RsaPublicKey& icc, ByteView response,
                                              ByteView rnd_ifd, ByteView ifd_chr) {
  auto fail = [](const char* why) {
    return make_error(ErrorCode::VerificationFailed, std::string("INTERNAL AUTHENTICATE: ") + why);
  };
  if (response.size() != ifd.size() || icc.size() != 128) return fail("unexpected answer length");
  auto sigmin = ifd.private_op(response);
  if (!sigmin) return fail("answer out of range for the IFD key");
  auto j = icc.public_op(sigmin->view());
  if (!j) return fail("signature out of range for the ICC key");
  SecureBuffer f = std::move(j).value();  // 6A ‖ PRND1 ‖ KICC ‖ h ‖ BC
  if (!framed(f.view())) {
    // ISO/IEC 9796-2: the card sent N_ICC − SIG; (N − S)^e = N − F.
    crypto::BigInt n = crypto::BigInt::from_bytes(icc.modulus());
    DNIE_ASSIGN_OR_RETURN(crypto::BigInt alt, n.sub(crypto::BigInt::from_bytes(f.view())));
    DNIE_ASSIGN_OR_RETURN(f, alt.to_secret(128));
  }
  if (!framed(f.view())) return fail("ICC signature frame not recovered (wrong ICC key or IFD key)");
  ByteView fv = f.view();
  // h = SHA-1(PRND1 ‖ KICC ‖ RND.IFD ‖ CHR), built at its final size in wiped storage.
  const SecureBuffer h_in = SecureBuffer::concat({fv.subview(1, kPrndLen + kKeyLen), rnd_ifd, ifd_chr});
  const SecureBuffer h = crypto::hash_secret(crypto::HashAlg::Sha1, h_in.view());
  const bool ok = ct_equal(h.view(), fv.subview(1 + kPrndLen + kKeyLen, kShaLen));
  SecureBuffer kicc(fv.subview(1 + kPrndLen, kKeyLen));
  if (!ok) return fail("hash mismatch (the card did not sign our challenge)");
  return kicc;
}

Result<Bytes> cwa_build_external_auth(const crypto::RsaPrivateKey& ifd, const crypto::RsaPublicKey& icc,
                                      ByteView prnd2, ByteView kifd, ByteView rnd_icc, ByteView sn_icc) {
  if (prnd2.size() != kPrndLen || kifd.size() != kKeyLen || rnd_icc.size() != kRndLen || sn_icc.size() != 8 ||
      ifd.size() != 128 || icc.size() != 128)
    return make_error(ErrorCode::InvalidArgument, "EXTERNAL AUTHENTICATE: bad input sizes");
  const SecureBuffer h_in = SecureBuffer::concat({prnd2, kifd, rnd_icc, sn_icc});
  const SecureBuffer h = crypto::hash_secret(crypto::HashAlg::Sha1, h_in.view());
  const std::uint8_t head = 0x6A, tail = 0xBC;  // ISO/IEC 9796-2 frame (CWA 14890-1 §8.5)
  const SecureBuffer frame =
      SecureBuffer::concat({ByteView(&head, 1), prnd2, kifd, h.view(), ByteView(&tail, 1)});
  DNIE_ASSIGN_OR_RETURN(SecureBuffer s, ifd.private_op(frame.view()));
  DNIE_ASSIGN_OR_RETURN(SecureBuffer sigmin, min_sig(s.view(), ifd.public_key().modulus()));
  auto out = icc.public_op(sigmin.view());
  if (!out)
    return make_error(ErrorCode::VerificationFailed,
                      "EXTERNAL AUTHENTICATE: signature above the ICC modulus");
  return out->view().to_bytes();  // encrypted for the card: the command data
}

apdu::CommandApdu cwa_get_chip_info_command() { return apdu::CommandApdu(0x90, 0xB8, 0x00, 0x00, {}, 7); }

Result<Bytes> cwa_parse_chip_info(const apdu::ResponseApdu& r) {
  if (!r.ok()) return apdu::sw_error(r.sw(), "GET CHIP INFO");
  if (r.data().size() != 7) return make_error(ErrorCode::MalformedData, "GET CHIP INFO: 7 bytes expected");
  Bytes sn = {0x00};
  append(sn, r.data());
  return sn;
}

std::string_view to_string(CwaStep step) noexcept {
  switch (step) {
    case CwaStep::MseRoot:
      return "MSE:SET (root key 02 0F)";
    case CwaStep::VerifyCa:
      return "PSO:VERIFY CERTIFICATE (C_CV_CA)";
    case CwaStep::MseCa:
      return "MSE:SET (C_CV_CA)";
    case CwaStep::VerifyIfd:
      return "PSO:VERIFY CERTIFICATE (C_CV_IFD)";
    case CwaStep::MseAt:
      return "MSE:SET AT";
    case CwaStep::InternalAuth:
      return "INTERNAL AUTHENTICATE";
    case CwaStep::GetChallenge:
      return "GET CHALLENGE";
    case CwaStep::ExternalAuth:
      return "EXTERNAL AUTHENTICATE";
    case CwaStep::Done:
    case CwaStep::Failed:
      break;
  }
  return "CWA-14890";
}

Error cwa_status_error(std::uint16_t sw, CwaStep step, CwaChannel channel) {
  const std::string what =
      std::string(to_string(step)) + " (" + std::string(cwa_channel_name(channel)) + " channel)";
  const bool mse = step == CwaStep::MseRoot || step == CwaStep::MseCa || step == CwaStep::MseAt;
  if (sw == apdu::sw::kMemoryFailure)
    return make_error(ErrorCode::CardTerminated, what + ": card terminated").with_sw(sw);
  if (mse && channel == CwaChannel::Pin &&
      (sw == apdu::sw::kSecurityStatusNotSatisfied || sw == apdu::sw::kAuthMethodBlocked))
    return make_error(ErrorCode::PinBlocked, what + ": the card refuses the PIN channel; the PIN is blocked")
        .with_sw(sw);
  if (sw == apdu::sw::kWrongData &&
      (step == CwaStep::VerifyCa || step == CwaStep::VerifyIfd || step == CwaStep::MseCa))
    return make_error(ErrorCode::Unsupported,
                      what + ": terminal certificate rejected; wrong key set generation for this card")
        .with_sw(sw);
  if (step == CwaStep::ExternalAuth &&
      (sw == apdu::sw::kVerifyFailed || sw == apdu::sw::kConditionsNotSatisfied))
    return make_error(ErrorCode::ProtocolError, what + ": the card rejected the terminal authentication")
        .with_sw(sw);
  return apdu::sw_error(sw, what);
}

// ---- engine -------------------------------------------------------------------------------------

// One handler per state (docs/architecture.md lists the states, commands and answers):
// each checks the answer to its own command, then produces the next command and state.
struct CwaEngine::Impl {
  using Next = Result<std::optional<apdu::CommandApdu>>;

  CwaKeySet ks;
  crypto::RsaPrivateKey ifd;
  crypto::RsaPublicKey icc;
  Bytes sn_icc;
  CwaOptions options;
  CwaStep step = CwaStep::MseRoot;
  bool started = false;
  Bytes rnd_ifd, rnd_icc;
  SecureBuffer kicc, kifd;
  std::optional<CwaSessionKeys> keys;

  Impl(CwaKeySet k, crypto::RsaPrivateKey i, crypto::RsaPublicKey c)
      : ks(std::move(k)), ifd(std::move(i)), icc(std::move(c)) {}

  void wipe() noexcept {
    kicc.clear();
    kifd.clear();
    keys.reset();
    step = CwaStep::Failed;
  }
  crypto::Rng& rng() { return detail::rng_or_system(options.rng); }

  /// Moves to `s` with its command.
  Next to(CwaStep s, apdu::CommandApdu cmd) {
    step = s;
    return std::optional<apdu::CommandApdu>(std::move(cmd));
  }
  static Status no_data(const apdu::ResponseApdu& r) {
    if (!r.data().empty())
      return make_error(ErrorCode::ProtocolError, "CWA-14890: unexpected data in the answer");
    return ok_status();
  }

  apdu::CommandApdu mse_root() const {
    return apdu::CommandApdu(0x00, 0x22, 0x81, 0xB6, hex_bytes("83 02 02 0F"));
  }

  // MSE:SET DST root 02 0F answered: send C_CV_CA (CWA 14890-1 §8.3).
  Next on_mse_root(const apdu::ResponseApdu& r) {
    DNIE_TRY(no_data(r));
    return to(CwaStep::VerifyCa, apdu::CommandApdu(0x00, 0x2A, 0x00, 0xAE, ks.c_cv_ca));
  }
  // C_CV_CA verified: select its key by CHR.
  Next on_verify_ca(const apdu::ResponseApdu& r) {
    DNIE_TRY(no_data(r));
    return to(CwaStep::MseCa,
              apdu::CommandApdu(0x00, 0x22, 0x81, 0xB6, concat({hex_bytes("83 08"), ks.ca_chr})));
  }
  // CA key selected: send C_CV_IFD.
  Next on_mse_ca(const apdu::ResponseApdu& r) {
    DNIE_TRY(no_data(r));
    return to(CwaStep::VerifyIfd, apdu::CommandApdu(0x00, 0x2A, 0x00, 0xAE, ks.c_cv_ifd));
  }
  // C_CV_IFD verified: MSE:SET AT with the IFD CHR and the ICC key 02 1F.
  Next on_verify_ifd(const apdu::ResponseApdu& r) {
    DNIE_TRY(no_data(r));
    return to(
        CwaStep::MseAt,
        apdu::CommandApdu(0x00, 0x22, 0xC1, 0xA4,
                          concat({hex_bytes("83 0C 00 00 00 00"), ks.ifd_chr, hex_bytes("84 02 02 1F")})));
  }
  // AT set: INTERNAL AUTHENTICATE with RND.IFD ‖ CHR (§8.4.2).
  Next on_mse_at(const apdu::ResponseApdu& r) {
    DNIE_TRY(no_data(r));
    DNIE_ASSIGN_OR_RETURN(rnd_ifd, rng().bytes(kRndLen));
    apdu::CommandApdu c(0x00, 0x88, 0x00, 0x00, concat({rnd_ifd, ks.ifd_chr}));
    if (options.internal_auth_le) c.set_le(0x80);
    return to(CwaStep::InternalAuth, std::move(c));
  }
  // The card proved its key and sent KICC: ask for RND.ICC.
  Next on_internal_auth(const apdu::ResponseApdu& r) {
    DNIE_ASSIGN_OR_RETURN(kicc, cwa_verify_internal_auth(ifd, icc, r.data(), rnd_ifd, ks.ifd_chr));
    return to(CwaStep::GetChallenge, apdu::CommandApdu(0x00, 0x84, 0x00, 0x00, {}, kRndLen));
  }
  // RND.ICC received: EXTERNAL AUTHENTICATE with KIFD (§8.4.3).
  Next on_get_challenge(const apdu::ResponseApdu& r) {
    if (r.data().size() != kRndLen)
      return make_error(ErrorCode::ProtocolError, "GET CHALLENGE: 8 bytes expected");
    rnd_icc = r.data();
    DNIE_ASSIGN_OR_RETURN(kifd, rng().secret(kKeyLen));
    DNIE_ASSIGN_OR_RETURN(Bytes prnd2, rng().bytes(kPrndLen));
    DNIE_ASSIGN_OR_RETURN(Bytes data, cwa_build_external_auth(ifd, icc, prnd2, kifd.view(), rnd_icc, sn_icc));
    return to(CwaStep::ExternalAuth, apdu::CommandApdu(0x00, 0x82, 0x00, 0x00, data));
  }
  // The card accepted us: session keys (§8.6); no further command.
  Next on_external_auth(const apdu::ResponseApdu&) {
    DNIE_ASSIGN_OR_RETURN(CwaSessionKeys k, cwa_derive_keys(kicc.view(), kifd.view(), rnd_icc, rnd_ifd));
    kicc.clear();
    kifd.clear();
    keys = std::move(k);
    step = CwaStep::Done;
    return std::optional<apdu::CommandApdu>();
  }

  Next dispatch(const apdu::ResponseApdu& r) {
    switch (step) {
      case CwaStep::MseRoot:
        return on_mse_root(r);
      case CwaStep::VerifyCa:
        return on_verify_ca(r);
      case CwaStep::MseCa:
        return on_mse_ca(r);
      case CwaStep::VerifyIfd:
        return on_verify_ifd(r);
      case CwaStep::MseAt:
        return on_mse_at(r);
      case CwaStep::InternalAuth:
        return on_internal_auth(r);
      case CwaStep::GetChallenge:
        return on_get_challenge(r);
      case CwaStep::ExternalAuth:
        return on_external_auth(r);
      case CwaStep::Done:
      case CwaStep::Failed:
        break;
    }
    return make_error(ErrorCode::InvalidState, "CWA-14890 engine not running");
  }
};

CwaEngine::CwaEngine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
CwaEngine::CwaEngine(CwaEngine&&) noexcept = default;
CwaEngine& CwaEngine::operator=(CwaEngine&&) noexcept = default;
CwaEngine::~CwaEngine() {
  if (m_impl) m_impl->wipe();
}

Result<CwaEngine> CwaEngine::create(const CwaKeySet& ks, ByteView sn_icc,
                                    const crypto::RsaPublicKey& icc_public, CwaOptions options) {
  if (sn_icc.size() != 8) return make_error(ErrorCode::InvalidArgument, "SN.ICC must be 8 bytes");
  if (icc_public.size() != 128) return make_error(ErrorCode::Unsupported, "ICC key is not RSA-1024");
  if (ks.ifd_chr.size() != 8 || ks.ca_chr.size() != 8)
    return make_error(ErrorCode::InvalidArgument, "key set " + ks.id + ": CHR must be 8 bytes");
  DNIE_ASSIGN_OR_RETURN(auto priv, keyset_private_key(ks));
  if (priv.size() != 128)
    return make_error(ErrorCode::InvalidArgument, "key set " + ks.id + ": IFD key is not RSA-1024");
  auto impl = std::make_unique<Impl>(ks.clone(), std::move(priv), icc_public);
  impl->sn_icc = sn_icc.to_bytes();
  impl->options.rng = options.rng;
  impl->options.internal_auth_le = options.internal_auth_le;
  return CwaEngine(std::move(impl));
}

CwaStep CwaEngine::step() const noexcept { return m_impl ? m_impl->step : CwaStep::Failed; }

void CwaEngine::abort() noexcept {
  if (m_impl) m_impl->wipe();
}

Result<apdu::CommandApdu> CwaEngine::start() {
  if (!m_impl || m_impl->started)
    return make_error(ErrorCode::InvalidState, "CWA-14890 engine already started");
  m_impl->started = true;
  return m_impl->mse_root();
}

Result<std::optional<apdu::CommandApdu>> CwaEngine::on_response(const apdu::ResponseApdu& r) {
  if (!m_impl || !m_impl->started || m_impl->step == CwaStep::Done || m_impl->step == CwaStep::Failed)
    return make_error(ErrorCode::InvalidState, "CWA-14890 engine not running");
  Impl& s = *m_impl;
  Result<std::optional<apdu::CommandApdu>> next =
      r.ok() ? s.dispatch(r)
             : Result<std::optional<apdu::CommandApdu>>(cwa_status_error(r.sw(), s.step, s.ks.channel));
  if (!next) s.wipe();
  return next;
}

Result<CwaSessionKeys> CwaEngine::take_keys() {
  if (!m_impl || m_impl->step != CwaStep::Done || !m_impl->keys)
    return make_error(ErrorCode::InvalidState, "CWA-14890 not finished");
  CwaSessionKeys k = std::move(*m_impl->keys);
  m_impl->keys.reset();
  return k;
}

}  // namespace dnie::auth
