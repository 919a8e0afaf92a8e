// SPDX-License-Identifier: Apache-2.0
// File: dnie/auth/cwa14890.hpp
// CWA 14890-1 device authentication with the DNIe 3.0 parameters, terminal (IFD) side:
//   - CwaKeySet: one terminal key set (C_CV_CA, C_CV_IFD, IFD RSA-1024 key, selection rules),
//     parsed from a small key=value text (docs/keysets.md) and checked for self-consistency;
//   - CV certificates (7F21 { 5F37 sig, 5F38 remainder, 42 CAR }) with ISO/IEC 9796-2 scheme 1
//     message recovery and signing (test key sets);
//   - CwaEngine: an I/O-free state machine (CWA 14890-1 §8.4, §8.5):
//       MSE:SET DST 83 02 02 0F → PSO:VERIFY CERT C_CV_CA → MSE:SET DST 83 08 CHR(C_CV_CA) →
//       PSO:VERIFY CERT C_CV_IFD → MSE:SET AT 83 0C 00000000‖CHR_IFD 84 02 02 1F →
//       INTERNAL AUTHENTICATE → GET CHALLENGE → EXTERNAL AUTHENTICATE
//     then session keys (§8.6) and a 3DES SM session with an 8-byte MAC (§9);
//   - a thin driver that runs the engine over a Transport. The handshake runs inside the current
//     secure channel; the card replaces its keys after EXTERNAL AUTHENTICATE, so the caller then
//     swaps the keys of its SecureMessagingTransport (cwa_switch_channel does it).
// Secrets (IFD private exponent, Kifd, Kicc, session keys) live in SecureBuffer.
// Thread safety: an engine is used by one thread at a time; key sets are immutable values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/apdu/apdu.hpp"
#include "dnie/bytes/secure.hpp"
#include "dnie/crypto/rng.hpp"
#include "dnie/crypto/rsa.hpp"
#include "dnie/sm/secure_messaging.hpp"
#include "dnie/transport/transport.hpp"

namespace dnie::auth {

// ---- key sets -----------------------------------------------------------------------------------

/// Which CWA channel a key set opens on the DNIe 3.0: the PIN channel (VERIFY, CHANGE PIN) or
/// the user channel (private-key operations), docs/dnie-card.md §4.2.
enum class CwaChannel { Pin, User };
std::string_view cwa_channel_name(CwaChannel c) noexcept;  ///< "pin", "user"

/// One terminal key set. Move-only (the private exponent is a secret); clone() copies.
struct CwaKeySet {
  std::string id;          ///< "dnie3-r1-pin"
  std::string generation;  ///< "r1", "r2"
  CwaChannel channel = CwaChannel::User;
  bool test_only = false;  ///< only for cards whose ICC certificate issuer contains "TEST"
  Bytes ca_chr;            ///< CHR of C_CV_CA (8 bytes), sent in MSE:SET DST 83 08
  Bytes c_cv_ca;           ///< C_CV_CA certificate (7F21 ...)
  Bytes c_cv_ifd;          ///< C_CV_IFD certificate (7F21 ...)
  Bytes ifd_chr;           ///< CHR of C_CV_IFD (8 bytes)
  Bytes ifd_modulus;       ///< RSA-1024 modulus
  Bytes ifd_public_exponent;
  SecureBuffer ifd_private_exponent;
  // Selection rules (docs/keysets.md): '|'-separated alternatives, IDESP range [min, max).
  std::vector<std::string> issuer_contains;
  std::vector<std::string> issuer_excludes;
  std::string idesp_min, idesp_max;
  int priority = 0;
  std::string provenance;
  // Test key sets only: the CV root public key the card holds under reference 02 0F.
  Bytes root_modulus, root_exponent;

  CwaKeySet() = default;
  CwaKeySet(CwaKeySet&&) noexcept = default;
  CwaKeySet& operator=(CwaKeySet&&) noexcept = default;
  CwaKeySet clone() const;
};

/// Parses the key=value format (docs/keysets.md). MalformedData names the offending line.
Result<CwaKeySet> parse_keyset(std::string_view text);
/// Writes the key=value format (the test-key generator uses it).
std::string serialize_keyset(const CwaKeySet& ks);

/// The IFD private key (n, e, d) of a key set.
Result<crypto::RsaPrivateKey> keyset_private_key(const CwaKeySet& ks);

/// What check_keyset() could and could not verify.
struct KeySetCheck {
  bool rsa_round_trip = false;  ///< d inverts e (raw RSA on a random value)
  bool ifd_cert_well_formed = false;
  bool ca_cert_well_formed = false;
  bool ifd_car_matches = false;     ///< CAR(C_CV_IFD) == CHR(C_CV_CA)
  bool remainder_matches = false;   ///< 5F38 of C_CV_IFD == modulus tail ‖ exponent
  bool signatures_checked = false;  ///< ISO 9796-2 recovery done (needs the root key 02 0F)
  bool ifd_key_matches = false;     ///< recovered IFD key == the key set's modulus/exponent
  bool ifd_chr_matches = false;     ///< recovered CHR(C_CV_IFD) == ifd_chr
  std::string note;                 ///< what could not be checked and why
};
/// Self-consistency of a key set. With `root` (the 02 0F key; known only for test key sets) the
/// signatures are recovered and the recovered keys and CHRs compared. Errors on any failed check.
Result<KeySetCheck> check_keyset(const CwaKeySet& ks, const crypto::RsaPublicKey* root = nullptr);

// ---- CV certificates ------------------------------------------------------------------------------

/// Non-self-descriptive CV certificate (CWA 14890-1 §A.3, DNIe profile).
struct CvCertificate {
  Bytes signature;  ///< 5F37
  Bytes remainder;  ///< 5F38 (M2 of ISO/IEC 9796-2)
  Bytes car;        ///< 42
};
Result<CvCertificate> parse_cv_certificate(ByteView der);

/// Body of a CV certificate (docs/keysets.md): CPI ‖ CAR 8 ‖ CHR 12 (left zero-padded) ‖ CHA 7 ‖
/// [signature-scheme OID] ‖ n 128 ‖ e 4. The test key sets use CPI 41 without an OID (160 bytes,
/// what encode_cv_body writes); the DNIe's production certificates CPI 03/04 with an OID.
struct CvBody {
  Bytes car, chr, cha, modulus, exponent;
  Bytes oid;                ///< empty in the test layout
  std::uint8_t cpi = 0x41;  ///< certificate profile identifier
};
Bytes encode_cv_body(const CvBody& body);
Result<CvBody> decode_cv_body(ByteView message);

/// ISO/IEC 9796-2 scheme 1 (SHA-1, partial recovery) signature over `message`, min(S, N−S):
/// returns the complete certificate 7F21 {5F37, 5F38, 42 car}.
Result<Bytes> make_cv_certificate(ByteView message, ByteView car, const crypto::RsaPrivateKey& signer);
/// Recovers the full message M1 ‖ M2 with the signer's public key; VerificationFailed when the
/// frame or the SHA-1 does not match.
Result<Bytes> recover_cv_message(const CvCertificate& cert, const crypto::RsaPublicKey& signer);

// ---- engine -------------------------------------------------------------------------------------

struct CwaOptions {
  /// RND.IFD (8 bytes), then KIFD (32) and PRND2 (74) for each handshake, in that order;
  /// nullptr = crypto::system_rng(). Not owned; must outlive the engine.
  crypto::Rng* rng = nullptr;
  /// Le = 80 on INTERNAL AUTHENTICATE (OpenSC); JMC sends none. The DNIe answers both.
  bool internal_auth_le = false;
};

/// Session keys (CWA 14890-1 §8.6): K = Kicc ⊕ Kifd; Kenc = SHA-1(K‖00000001)[0..15];
/// Kmac = SHA-1(K‖00000002)[0..15]; SSC = RND.ICC[4..7] ‖ RND.IFD[4..7].
struct CwaSessionKeys {
  SecureBuffer k_enc, k_mac, ssc;
};
Result<CwaSessionKeys> cwa_derive_keys(ByteView kicc, ByteView kifd, ByteView rnd_icc, ByteView rnd_ifd);
/// The DNIe 3.0 SM session: 3DES, no Le in protected commands, 8-byte MAC, DO'97' only in
/// commands without data (docs/dnie-card.md).
Result<sm::SmSession> cwa_make_session(CwaSessionKeys keys);

/// Verifies an INTERNAL AUTHENTICATE answer (CWA 14890-1 §8.4.2): decrypt with the IFD private
/// key, apply the ICC public key (or to N_ICC − SIG), check 6A ‖ PRND1 ‖ Kicc ‖ h ‖ BC with
/// h = SHA-1(PRND1 ‖ Kicc ‖ RND.IFD ‖ CHR_IFD). Returns Kicc.
Result<SecureBuffer> cwa_verify_internal_auth(const crypto::RsaPrivateKey& ifd,
                                              const crypto::RsaPublicKey& icc, ByteView response,
                                              ByteView rnd_ifd, ByteView ifd_chr);
/// Builds the EXTERNAL AUTHENTICATE data (§8.4.3): 6A ‖ PRND2 ‖ Kifd ‖ SHA-1(PRND2‖Kifd‖RND.ICC‖SN.ICC)
/// ‖ BC, signed with the IFD key, min(SIG, N_IFD − SIG), encrypted with the ICC public key.
Result<Bytes> cwa_build_external_auth(const crypto::RsaPrivateKey& ifd, const crypto::RsaPublicKey& icc,
                                      ByteView prnd2, ByteView kifd, ByteView rnd_icc, ByteView sn_icc);

/// GET CHIP INFO 90 B8 00 00 07; SN.ICC = 00 ‖ 7-byte serial.
apdu::CommandApdu cwa_get_chip_info_command();
Result<Bytes> cwa_parse_chip_info(const apdu::ResponseApdu& r);

enum class CwaStep {
  MseRoot,
  VerifyCa,
  MseCa,
  VerifyIfd,
  MseAt,
  InternalAuth,
  GetChallenge,
  ExternalAuth,
  Done,
  Failed
};

class CwaEngine {
 public:
  /// `sn_icc` (8 bytes) from GET CHIP INFO, `icc_public` from EF 601F (validated by the caller).
  static Result<CwaEngine> create(const CwaKeySet& ks, ByteView sn_icc,
                                  const crypto::RsaPublicKey& icc_public, CwaOptions options = {});
  CwaEngine(CwaEngine&&) noexcept;
  CwaEngine& operator=(CwaEngine&&) noexcept;
  CwaEngine(const CwaEngine&) = delete;
  CwaEngine& operator=(const CwaEngine&) = delete;
  ~CwaEngine();

  /// The first command (MSE:SET DST 02 0F). Call once.
  Result<apdu::CommandApdu> start();
  /// Consumes the answer to the last command; the next command, or nullopt when done.
  /// Any error ends the run and wipes the secrets.
  Result<std::optional<apdu::CommandApdu>> on_response(const apdu::ResponseApdu& response);
  CwaStep step() const noexcept;
  void abort() noexcept;
  /// After success, once: the session keys.
  Result<CwaSessionKeys> take_keys();

 private:
  struct Impl;
  explicit CwaEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

/// The command a step sends, for messages ("INTERNAL AUTHENTICATE").
std::string_view to_string(CwaStep step) noexcept;

/// Maps a status word answered at `step` to an Error (6A80 on a certificate: wrong key set
/// generation; 6982 on MSE of the PIN channel: PIN blocked, docs/dnie-card.md §4.4).
Error cwa_status_error(std::uint16_t sw, CwaStep step, CwaChannel channel);

// ---- driver -------------------------------------------------------------------------------------

/// Runs an engine over `t` (the current channel). Returns the new session; the card has switched
/// to it, so the caller must stop using the old keys.
Result<sm::SmSession> run_cwa(transport::Transport& t, CwaEngine& engine);

/// Runs the handshake through `channel` and then replaces its session (channel stacking,
/// docs/dnie-card.md §4.2). On failure the channel is closed (its keys are no longer valid on the card).
Status cwa_switch_channel(sm::SecureMessagingTransport& channel, CwaEngine& engine);

}  // namespace dnie::auth
