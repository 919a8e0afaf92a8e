// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/engine.hpp (private to dnie::vcard; tests include it as "vcard/engine.hpp")
// The card engine's internals: VirtualCard::Impl (state + command handlers), the session state
// object and the command/reply types of the dispatcher. VirtualCard forwards to Impl, so tests
// can drive an Impl directly and use its hooks (deterministic chip randomness).
//
// Dispatcher: process() parses the raw APDU, unwraps secure messaging, then looks the command
// up in a table keyed by (CLA class, INS) (card.cpp, kCommands). Each handler is a member
// function taking a Command and returning a Reply; the later CWA-14890 channel, PIN VERIFY,
// MSE:SET DST and PSO:CDS handlers slot into that table and into Session.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "dnie/crypto/rng.hpp"
#include "dnie/vcard/virtual_card.hpp"

#include "vcard/pace_chip.hpp"
#include "vcard/sm_card.hpp"

namespace dnie::vcard {

/// Status words the card emits (ISO/IEC 7816-4 §5.6, ICAO 9303-11, docs/dnie-card.md §8).
namespace csw {
constexpr std::uint16_t kOk = 0x9000;
constexpr std::uint16_t kEof = 0x6282;
constexpr std::uint16_t kAuthFailed = 0x6300;
constexpr std::uint16_t kWrongLength = 0x6700;
constexpr std::uint16_t kLogicalChannel = 0x6881;
constexpr std::uint16_t kChainingUnsupported = 0x6884;
constexpr std::uint16_t kSecurity = 0x6982;
constexpr std::uint16_t kBlocked = 0x6983;
constexpr std::uint16_t kConditions = 0x6985;
constexpr std::uint16_t kNoCurrentEf = 0x6986;
constexpr std::uint16_t kSmMissing = 0x6987;
constexpr std::uint16_t kSmIncorrect = 0x6988;
constexpr std::uint16_t kWrongData = 0x6A80;
constexpr std::uint16_t kFileNotFound = 0x6A82;
constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
constexpr std::uint16_t kRefNotFound = 0x6A88;
constexpr std::uint16_t kWrongP1P2 = 0x6B00;
constexpr std::uint16_t kInsUnknown = 0x6D00;
constexpr std::uint16_t kClaUnknown = 0x6E00;
constexpr std::uint16_t kNoDiagnosis = 0x6F00;
inline std::uint16_t counter(int tries) { return static_cast<std::uint16_t>(0x63C0 | (tries & 0x0F)); }
}  // namespace csw

/// A command after parsing and (when protected) SM unwrapping.
struct Command {
  std::uint8_t cla = 0, ins = 0, p1 = 0, p2 = 0;  ///< CLA without SM bits
  SecretBytes data;                               ///< may hold a PIN or key material (wiped storage)
  std::optional<std::size_t> ne;                  ///< absent: no Le field
  bool ne_max = false;                            ///< Le was 00 / 0000
  bool extended = false;
  bool secure = false;   ///< arrived under secure messaging
  bool chained = false;  ///< CLA b5 (command chaining) set
};

struct Reply {
  Reply() = default;
  Reply(ByteView d, std::uint16_t s) : data(secret_copy(d)), sw(s) {}
  SecretBytes data;  ///< plaintext before SM: wiped storage
  std::uint16_t sw = csw::kOk;
};
inline Reply sw_reply(std::uint16_t sw) { return Reply{{}, sw}; }

enum class Password : std::uint8_t { None = 0, Mrz = 1, Can = 2, Pin = 3, Puk = 4 };

/// The chip's PACE state: which GENERAL AUTHENTICATE it waits for (9303-11 §4.4.4).
enum class PaceChipState {
  Idle,               ///< no PACE: GA is refused (6985)
  AwaitNonceRequest,  ///< after MSE:Set AT: GA1 (empty) → 80 encrypted nonce
  AwaitMapping,       ///< nonce sent: GA2 (81 mapping data) → 82 chip mapping data
  AwaitKeyAgreement,  ///< mapped: GA3 (83 PK_PCD) → 84 PK_IC
  AwaitMutualAuth,    ///< keys agreed: GA4 (85 T_PCD) → 86 T_IC [8A A_IC]; SM starts
};

/// PACE run in progress (chip side, 9303-11 §4.4.4).
struct PaceRun {
  PaceChipState state = PaceChipState::Idle;
  Bytes oid;
  ProtocolAlg alg;
  int param_id = -1;
  Password password = Password::None;
  SecureBuffer k_pi, s;
  std::optional<KaDomain> domain;  ///< static, then mapped
  SecureBuffer sk_map, sk_eph;
  Bytes pk_ic, pk_pcd;
  SecureBuffer ks_enc, ks_mac;
};

/// Chip Authentication v1 run (9303-11 §6.2).
enum class CaChipState {
  Idle,             ///< no chip authentication in progress
  AwaitGeneralAuth  ///< MSE:Set AT done: GA (80 PK_PCD) → 7C 00, then the new keys
};
struct CaRun {
  CaChipState state = CaChipState::Idle;
  ProtocolAlg alg;
};

/// Which CWA-14890 channel the current SM keys belong to (docs/dnie-card.md §4.2).
enum class CwaChannel : std::uint8_t { None = 0, Pin = 1, User = 2 };

/// Keys to install after the current response has been protected with the old ones.
struct PendingSm {
  SmSuite suite = SmSuite::Aes;
  SecureBuffer k_enc, k_mac, ssc;
  Password established_by = Password::None;
  CwaChannel channel = CwaChannel::None;  ///< CWA channel the new keys open (None: PACE / CA)
};

/// A public key the card opened from a CV certificate (CWA 14890-1 §8.3), or its root 02 0F.
struct CvKey {
  Bytes modulus, exponent;
  int level = 0;  ///< 0 root, 1 C_CV_CA, 2 C_CV_IFD
};

/// CWA-14890 device authentication run, card side (cwa_card.cpp).
struct CwaRun {
  std::vector<std::pair<Bytes, CvKey>> keys;  ///< opened keys by CHR (8 bytes)
  std::optional<CvKey> selected;              ///< key for PSO:VERIFY CERTIFICATE
  Bytes selected_chr;                         ///< its CHR (the CAR expected in the certificate)
  Bytes ifd_chr;                              ///< after MSE:SET AT
  std::optional<CvKey> ifd_key;
  CwaChannel target = CwaChannel::None;  ///< channel the handshake opens
  Bytes rnd_ifd;
  SecureBuffer kicc;  ///< after INTERNAL AUTHENTICATE
};

/// Security and selection state of one card session (ends at reset / power off).
struct Session {
  std::vector<const VFile*> df_path;  ///< MF ... current DF
  const VFile* current_ef = nullptr;
  Password pace_password = Password::None;  ///< PACE behind the current SM (None: no PACE SM)
  bool can_resumed = false;  ///< a CAN PACE succeeded: a suspended PIN may be used (TR-03110-2 §3.5)
  PaceRun pace;
  CaRun ca;
  Bytes challenge;  ///< last GET CHALLENGE (CWA-14890 EXTERNAL AUTHENTICATE uses it)
  std::optional<PendingSm> next_sm;
  SecretBytes pending;  ///< response data waiting for GET RESPONSE (wiped storage)
  std::uint16_t pending_sw = csw::kOk;
  CwaRun cwa;
  CwaChannel channel = CwaChannel::None;  ///< CWA channel of the live SM keys
  /// VERIFY succeeded in the PIN channel; survives the switch to the user channel and is
  /// consumed by one private-key operation (docs/dnie-card.md §4.4, §8).
  bool pin_verified = false;
  std::uint8_t dst_key = 0;  ///< MSE:SET DST key reference (01 auth, 02 sign), 0 none
  bool ca_done = false;      ///< chip authentication switched the keys (hostile clones act on it)
};

struct VirtualCard::Impl {
  Impl(CardImage img, CardOptions opts);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // ---- public behaviour (VirtualCard forwards here) ----
  Bytes power_on();
  void power_off();
  Bytes atr() const;
  Bytes process(ByteView raw);

  // ---- state ----
  CardImage image;
  CardOptions options;
  bool powered = false;
  Session session;
  CardSm sm;
  std::vector<PaceInfo> pace_infos;  ///< parsed from EF.CardAccess at construction
  double modeled_ms = 0;
  double op_ms = 0;  ///< card processing cost of the current exchange (link model)

  // ---- test hooks ----
  /// Values consumed, in order, instead of fresh randomness: PACE nonce s, ephemeral private
  /// keys (as scalars, used verbatim), challenges, CA fallback keys. Empty: use `rng`.
  std::deque<Bytes> forced_random;
  crypto::Rng* rng = &crypto::system_rng();

  // ---- services (card.cpp / state.cpp) ----
  Bytes random(std::size_t n);
  /// A private key for `domain`: forced value or uniform in [1, order-1].
  Result<SecureBuffer> random_private(const KaDomain& domain);
  void cost(double ms) noexcept { op_ms += ms; }
  void end_sm() noexcept;
  void reset_session();
  void load_state();
  void save_state() const;
  const VFile* ef_card_access() const;
  /// PACE-established secure messaging is active (access to protected files).
  bool pace_sm() const noexcept { return sm.active() && session.pace_password != Password::None; }

  // ---- dispatcher and handlers ----
  Reply dispatch(const Command& c);
  Reply cmd_select(const Command& c);         // filesystem.cpp
  Reply cmd_read_binary(const Command& c);    // filesystem.cpp
  Reply cmd_get_challenge(const Command& c);  // card.cpp
  Reply cmd_chip_info(const Command& c);      // card.cpp
  Reply cmd_mse(const Command& c);            // card.cpp (routes to PACE / CA / CWA)
  Reply cmd_general_authenticate(const Command& c);
  Reply pace_set_at(const Command& c);  // pace_chip.cpp
  Reply pace_step(const Command& c);    // pace_chip.cpp: dispatches on PaceRun::state
  struct GaData;
  Reply pace_ga_nonce(const GaData& ga, ByteView none);         // AwaitNonceRequest
  Reply pace_ga_map(const GaData& ga, ByteView d81);            // AwaitMapping
  Reply pace_ga_key_agreement(const GaData& ga, ByteView d83);  // AwaitKeyAgreement
  Reply pace_ga_mutual_auth(const GaData& ga, ByteView d85);    // AwaitMutualAuth
  struct ChipKeyPair {
    SecureBuffer sk;
    Bytes pk;
  };
  /// A fresh key pair on `dom` answering the terminal's key `peer` (checked, and never equal to
  /// it); nullopt with the status word to send.
  std::optional<ChipKeyPair> pace_key_pair(const KaDomain& dom, ByteView peer, std::uint16_t* sw);
  Reply pace_abort(std::uint16_t sw);  // ends the run with `sw`
  void pace_ka_cost(int n);            // n key-agreement operations on the link model
  Reply ca_set_at(const Command& c);   // ca_chip.cpp (AES / DH: MSE:Set AT 41 A4)
  Reply ca_set_kat(const Command& c);  // ca_chip.cpp (3DES: MSE:Set KAT 41 A6)
  Reply ca_general_authenticate(const Command& c);
  // CWA-14890 device authentication, card side (cwa_card.cpp)
  Reply cwa_set_verify_key(const Command& c);  // MSE:SET 81 B6
  Reply cwa_set_at(const Command& c);          // MSE:SET C1 A4 (83 0C, 84 02 02 1F)
  Reply cmd_pso(const Command& c);             // PSO: VERIFY CERTIFICATE 00 AE / CDS 9E 9A
  Reply cwa_verify_certificate(const Command& c);
  Reply cmd_internal_authenticate(const Command& c);
  Reply cmd_external_authenticate(const Command& c);
  // PIN and signature (sign_card.cpp)
  Reply cmd_verify(const Command& c);      // 00 20 (retries query / VERIFY)
  Reply cmd_change_pin(const Command& c);  // 90 24
  Reply sign_set_dst(const Command& c);    // MSE:SET 41 B6
  Reply sign_compute(const Command& c);    // PSO:CDS 9E 9A
  /// The CV root public key (02 0F) and its CHR for this card's generation.
  std::optional<CvKey> cvc_root() const;
  Bytes cvc_root_chr() const;

  // ---- file system helpers (filesystem.cpp) ----
  Bytes fci(const VFile& f) const;
  bool may_read(const VFile& f, std::uint16_t* sw) const;
  const VFile* current_df() const { return session.df_path.empty() ? &image.mf : session.df_path.back(); }
};

/// Modeled link time of one exchange (link_model.cpp).
double link_time_ms(const LinkModel& m, std::size_t command_bytes, std::size_t response_bytes);

/// Card processing cost estimates (ms) used by the link model (link_model.cpp).
namespace cost {
double scalar_mult(std::size_t field_bytes);                           ///< one EC scalar multiplication
double modexp(std::size_t modulus_bytes, std::size_t exponent_bytes);  ///< one DH/RSA-public exp
double rsa_private(std::size_t modulus_bytes);
double symmetric(std::size_t bytes);
double file_read(std::size_t bytes);
}  // namespace cost

}  // namespace dnie::vcard
