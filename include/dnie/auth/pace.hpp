// SPDX-License-Identifier: Apache-2.0
// File: dnie/auth/pace.hpp
// PACE v2, terminal side (ICAO 9303-11 §4.4, BSI TR-03110-2 §3.2 / TR-03110-3 §B.1):
//   - passwords (MRZ, CAN, PIN, PUK) and K_pi = KDF(pi, 3) (ICAO 9303-11 §9.7.1, §9.7.3);
//   - PaceEngine: an I/O-free state machine producing the command APDUs and consuming the
//     responses (MSE:Set AT, then GENERAL AUTHENTICATE x4) for Generic, Integrated and Chip
//     Authentication Mapping with ECDH or DH, 3DES or AES;
//   - establish_pace(): a driver running the engine over a Transport and returning the secure
//     messaging session;
//   - the parameter policy (PacePolicy, PaceOptions::policy) and the completion of PACE-CAM.
//
// Parameter policy. EF.CardAccess is not authenticated, and a terminal that runs PACE on a weak
// group lets a fake chip recover the password offline from PK_Map,IFD (GA2) and T_IFD (GA4).
// PaceOptions::policy (PacePolicy, dnie/auth/security_infos.hpp) decides which protocols and
// domain parameters may run. By default: standardized parameters (ICAO 9303-11 §9.5.1) of at
// least 112-bit security (IDs 1, 2, 10-18; never 0, 8, 9), no explicit parameters. It is
// enforced at planning time, before MSE:Set AT: establish_pace() passes it to choose_pace()
// (the best acceptable offer wins; Unsupported "the card offered only PACE parameters the policy
// refuses: ..." when none is), and PaceEngine::create() refuses a choice it rejects. Nothing
// derived from the password is ever computed or sent for refused parameters.
//   - a DNIe (ATR says DNIe): PacePolicy::dnie() — exactly ID 13, ECDH brainpoolP256r1;
//   - other cards: the default PacePolicy{};
//   - tests replaying published DH-1024 vectors: min_security_bits = 80, explicitly.
//
// PACE-CAM (ICAO 9303-11 §4.4.3.5, TR-03110-2 §3.4.4). PACE-CAM authenticates the chip only once
// the terminal has checked PK_Map,IC = CA_IC · PK_IC against the chip's static key PK_IC, and
// PK_IC is only trustworthy after passive authentication of the file that carries it. After
// PACE-CAM, PaceResult::cam holds the decrypted CA_IC and PK_Map,IC and
// PaceResult::chip_authenticated is false. To complete it:
//   1. read EF.CardSecurity (or DG14) over the PACE channel;
//   2. verify its signature and chain (passive authentication, dnie/icao/verification.hpp);
//   3. call complete_cam(result, parse_card_security(file) or parse_dg14(file)).
// Only when complete_cam() succeeds is the chip authenticated (result.chip_authenticated set).
// Until then nothing may report the chip as authenticated: a PACE-CAM run without the check
// proves no more than PACE-GM.
//
//   Terminal                                        Chip
//   MSE:Set AT  00 22 C1 A4 {80 OID, 83 ref, [84 ID], [7F4C CHAT]}   -> 9000 (63Cx: tries)
//   GA1 10 86 00 00 {7C 00}                          -> 7C {80 z = E(K_pi, s)}
//   GA2 10 86 00 00 {7C {81 PK_Map,IFD | t}}         -> 7C {82 PK_Map,IC | empty (IM)}
//   GA3 10 86 00 00 {7C {83 PK_IFD}}                 -> 7C {84 PK_IC}
//   GA4 00 86 00 00 {7C {85 T_IFD}}                  -> 7C {86 T_IC [87 CAR] [88 CAR] [8A A_IC]}
//
// Every ephemeral secret lives in a SecureBuffer and is wiped on every path; the chip's token
// is always verified, in constant time. Shared secrets and public values keep their full width.
// Thread safety: an engine is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dnie/apdu/apdu.hpp"
#include "dnie/auth/security_infos.hpp"
#include "dnie/bytes/secure.hpp"
#include "dnie/crypto/rng.hpp"
#include "dnie/sm/secure_messaging.hpp"
#include "dnie/transport/transport.hpp"

namespace dnie::auth {

// ---- passwords --------------------------------------------------------------------------------

/// Password reference sent in MSE:Set AT tag 83 (ICAO 9303-11 §4.4.4.1, TR-03110-3 §B.11.1).
enum class PasswordType : std::uint8_t { Mrz = 1, Can = 2, Pin = 3, Puk = 4 };
std::string_view password_type_name(PasswordType t) noexcept;  ///< "MRZ", "CAN", "PIN", "PUK"

/// ICAO 9303-3 §4.9 check digit of an MRZ field (weights 7,3,1; 0-9, A-Z = 10-35, '<' = 0).
/// InvalidArgument for any other character.
Result<char> mrz_check_digit(std::string_view field);

/// MRZ_information = document number ‖ cd ‖ date of birth ‖ cd ‖ date of expiry ‖ cd
/// (ICAO 9303-11 §9.7.2). The document number is upper-cased and padded with '<' to 9
/// characters; longer numbers (TD1/TD2 overflow) are used whole. Dates are YYMMDD.
Result<SecureBuffer> mrz_information(std::string_view document_number, std::string_view date_of_birth,
                                     std::string_view date_of_expiry);
/// The same, validating the check digits printed on the document: InvalidArgument if any is
/// wrong (a mistyped MRZ would otherwise only show up as a failed PACE).
Result<SecureBuffer> mrz_information_checked(std::string_view document_number, char document_number_cd,
                                             std::string_view date_of_birth, char date_of_birth_cd,
                                             std::string_view date_of_expiry, char date_of_expiry_cd);

/// A PACE password pi: for the MRZ, K = SHA-1(MRZ_information); for CAN, PIN and PUK the ASCII
/// digits (ICAO 9303-11 §9.7.3). Move-only; wiped on destruction.
class PacePassword {
 public:
  /// Card Access Number: exactly 6 digits (printed on the DNIe front).
  static Result<PacePassword> can(std::string_view digits);
  /// PIN: 4 to 12 digits.
  static Result<PacePassword> pin(std::string_view digits);
  /// PUK: 4 to 12 digits.
  static Result<PacePassword> puk(std::string_view digits);
  /// MRZ from its three fields (check digits computed).
  static Result<PacePassword> mrz(std::string_view document_number, std::string_view date_of_birth,
                                  std::string_view date_of_expiry);
  /// MRZ from an MRZ_information string that already carries check digits (24 characters or
  /// more); every check digit is validated.
  static Result<PacePassword> from_mrz_information(std::string_view mrz_information);
  /// A password from raw pi bytes (for MRZ: the 20-byte SHA-1 value).
  static PacePassword raw(PasswordType type, SecureBuffer pi);

  PasswordType type() const noexcept { return m_type; }
  std::uint8_t reference() const noexcept { return static_cast<std::uint8_t>(m_type); }
  const SecureBuffer& secret() const noexcept { return m_pi; }
  PacePassword clone() const { return raw(m_type, m_pi.clone()); }

 private:
  PacePassword(PasswordType t, SecureBuffer pi) : m_type(t), m_pi(std::move(pi)) {}
  PasswordType m_type = PasswordType::Can;
  SecureBuffer m_pi;
};

/// KDF(K, c) = H(K ‖ c as 32-bit big endian) cut to the key size, with DES parity for 3DES
/// (ICAO 9303-11 §9.7.1). Counters: 1 = KS_enc, 2 = KS_mac, 3 = K_pi.
Result<SecureBuffer> pace_kdf(ByteView shared_secret, std::uint32_t counter, SymCipher cipher);
/// K_pi = KDF(pi, 3).
Result<SecureBuffer> derive_k_pi(const PacePassword& password, SymCipher cipher);

// ---- engine -----------------------------------------------------------------------------------

struct PaceOptions {
  /// DO 84 (domain parameter ID) in MSE:Set AT. ICAO requires it only when the parameters are
  /// ambiguous; the DNIe's middleware always sends it and chips accept it.
  enum class ParameterIdDo { Always, IfAmbiguous, Never };
  ParameterIdDo parameter_id_do = ParameterIdDo::Always;
  /// Le = 00 on GENERAL AUTHENTICATE (ISO 7816-4). The DNIe also answers without Le.
  bool ga_le = true;
  /// CHAT (7F4C ...) for Terminal Authentication; empty = none (DNIe: none).
  Bytes chat;
  /// Randomness for the terminal's mapping and ephemeral keys and the IM nonce t, drawn in
  /// protocol order (EcGroup/DhGroup::generate, Rng::secret); nullptr = crypto::system_rng().
  /// Not owned; must outlive the engine.
  crypto::Rng* rng = nullptr;
  /// Which protocols and domain parameters may run (see the header comment and PacePolicy).
  /// Default: standardized parameters of at least 112-bit security, no explicit parameters.
  /// Checked by PaceEngine::create() and by establish_pace()'s choice.
  PacePolicy policy;
  PaceOptions clone() const;
};

/// PACE-CAM data (ICAO 9303-11 §4.4.3.5): what the terminal holds after GA4, kept to verify
/// the chip against its static key PK_IC once EF.CardSecurity (or DG14) has been read and
/// passed passive authentication. Holding it proves nothing by itself.
struct CamData {
  Bytes ca_ic;            ///< CA_IC = D(KS_enc, A_IC) from DO 8A (ICAO 9303-11 §4.4.3.5.1)
  Bytes pk_map_ic;        ///< the chip's mapping public key PK_Map,IC (GA2)
  crypto::EcGroup group;  ///< the static (unmapped) domain parameters
};

/// ICAO 9303-11 §4.4.3.5.2 / TR-03110-2 §3.4.4: checks PK_Map,IC == CA_IC · PK_IC.
/// VerificationFailed if not. Passive authentication of EF.CardSecurity/DG14 must also succeed
/// before trusting the chip.
Status verify_cam(const CamData& cam, ByteView pk_ic);
/// Tries each EC ChipAuthenticationPublicKeyInfo on the same curve (optionally only `key_id`).
/// NotFound when there is none; VerificationFailed when none matches.
Status verify_cam(const CamData& cam, const SecurityInfos& card_security,
                  std::optional<std::int64_t> key_id = std::nullopt);

/// What a PACE run established, apart from the session keys.
struct PaceResult {
  PaceProtocol protocol;
  std::string protocol_oid;
  std::optional<int> parameter_id;
  PasswordType password_type = PasswordType::Can;
  sm::Suite suite = sm::Suite::Aes;
  Bytes chip_ephemeral_public_key;      ///< PK_IC (ephemeral) — needed by TA/CA (ID_IC)
  Bytes terminal_ephemeral_public_key;  ///< PK_IFD (ephemeral)
  std::optional<CamData> cam;           ///< PACE-CAM only: the data to complete it with
  /// True only after complete_cam() verified CA_IC against the chip's static key. PACE itself
  /// never sets it (GM and IM never authenticate the chip; CAM needs complete_cam()).
  bool chip_authenticated = false;
  Bytes car;                      ///< DO 87 (most recent CAR), if present
  Bytes previous_car;             ///< DO 88, if present
  std::optional<int> tries_left;  ///< 63Cx warning answered to MSE:Set AT, if any
};

/// Completes PACE-CAM (see the header comment): verify_cam(*result.cam, card_security, key_id)
/// and, on success, result.chip_authenticated = true. `card_security` must come from a file
/// that passed passive authentication (EF.CardSecurity or DG14). InvalidState when `result` is
/// not from PACE-CAM; otherwise verify_cam's error, with chip_authenticated set to false.
Status complete_cam(PaceResult& result, const SecurityInfos& card_security,
                    std::optional<std::int64_t> key_id = std::nullopt);

/// Engine output: the result and the session keys (owned, wiped on destruction).
struct PaceOutcome {
  PaceResult result;
  SecureBuffer k_enc;
  SecureBuffer k_mac;
  /// SM session over the keys: SSC = 0 (8 bytes 3DES, 16 AES), ICAO options (Le appended).
  /// Moves the keys out.
  Result<sm::SmSession> make_session();
};

class PaceEngine {
 public:
  /// Validates the combination (CAM needs ECDH, IM-ECDH needs p = 3 mod 4 ...), applies
  /// options.policy (Unsupported naming the refused parameters; explicit parameters are fully
  /// validated here) and derives K_pi. Unsupported / InvalidArgument on bad input. Nothing is
  /// sent before this succeeds.
  static Result<PaceEngine> create(const PaceChoice& choice, PacePassword password, PaceOptions options = {});
  PaceEngine(PaceEngine&&) noexcept;
  PaceEngine& operator=(PaceEngine&&) noexcept;
  PaceEngine(const PaceEngine&) = delete;
  PaceEngine& operator=(const PaceEngine&) = delete;
  ~PaceEngine();

  /// The MSE:Set AT command. Call once.
  Result<apdu::CommandApdu> start();
  /// Consumes the response to the last command; returns the next command, or nullopt when
  /// PACE succeeded (then call take_outcome()). Any error ends the run and wipes all secrets.
  Result<std::optional<apdu::CommandApdu>> on_response(const apdu::ResponseApdu& response);
  bool finished() const noexcept;
  /// Ends the run (e.g. after a transport error) and wipes all secrets.
  void abort() noexcept;
  /// After success: the result and keys (once).
  Result<PaceOutcome> take_outcome();

 private:
  friend struct PaceEngineAccess;  // src/auth/pace_internal.hpp (not installed)
  struct Impl;
  explicit PaceEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

/// Maps a status word answered during PACE to an Error a person can act on
/// (ICAO 9303-11 §4.4.4, TR-03110-3 §B.11/B.14). `mutual_auth` is true for GA step 4.
/// `known_tries` is the counter reported to MSE:Set AT, if any.
Error pace_status_error(std::uint16_t sw, PasswordType password, bool mse, bool mutual_auth,
                        std::optional<int> known_tries = std::nullopt);

// ---- driver -----------------------------------------------------------------------------------

struct PaceRequest {
  PacePassword password = PacePassword::raw(PasswordType::Can, SecureBuffer());
  /// EF.CardAccess content if already read; empty = read it (SFI 1C, then SELECT 011C).
  Bytes card_access;
  PaceSelection selection;
  /// When EF.CardAccess cannot be read and `selection` pins both a protocol and a
  /// standardized parameter ID, run PACE with them (the DNIe middleware never reads it).
  bool allow_pinned_without_card_access = true;
  /// Engine options; options.policy decides which parameters may run (default: standardized,
  /// >= 112-bit security, no explicit parameters; PacePolicy::dnie() for a DNIe).
  PaceOptions options;
};

/// Secure channel established by PACE. Build the transport with
///   sm::SecureMessagingTransport sm_t(transport, std::move(channel.session));
struct PaceChannel {
  PaceResult result;
  sm::SmSession session;
};

/// Reads EF.CardAccess: READ BINARY with short EF 1C (00 B0 9C 00 00), falling back to
/// SELECT 011C (00 A4 00 0C 02 01 1C) and READ BINARY; the content is cut to its TLV length.
Result<Bytes> read_card_access(transport::Transport& t);

/// Runs an engine over a transport (transceive without ISO command chaining: the GA commands
/// chain themselves with CLA 10). Transport errors (CardRemoved, Timeout) are returned as they
/// are; the engine is wiped on any failure.
Result<PaceOutcome> run_pace(transport::Transport& t, PaceEngine& engine);

/// Full PACE: EF.CardAccess (read or given) → choose_pace under request.options.policy →
/// engine → SM session. When the card offers only parameters the policy refuses: Unsupported
/// ("the card offered only PACE parameters the policy refuses: ...") and nothing after the
/// EF.CardAccess read is sent. With `allow_pinned_without_card_access`, pinned parameters the
/// policy refuses are refused the same way, before MSE:Set AT.
Result<PaceChannel> establish_pace(transport::Transport& t, const PaceRequest& request);

}  // namespace dnie::auth
