// SPDX-License-Identifier: Apache-2.0
// File: dnie/esign/esign.hpp
// The DNIe eSign application over a base link (PACE secure channel on NFC, or the raw contact
// link): chip identity and ICC chain check, PKCS#15 certificates, PIN (tries left, VERIFY with
// last-try protection, CHANGE PIN) and sign_hash (PKCS#1 v1.5 signature verified against the
// certificate before it is returned).
//
// Channel order is enforced (docs/dnie-card.md §4.2): the PIN channel is built only on the base link
// (never inside a live user channel — that corrupts real cards); the user channel is built over
// the PIN channel after VERIFY and replaces it. After a signature the card needs a fresh base
// link: the next PIN operation calls EsignOptions::relink (the session re-runs PACE or resets
// the card). Without a relink callback a contact link is reset with reconnect(true).
//
// APDUs (NFC, after PACE; R = ceil(file / 223) READ BINARY with the default read_chunk):
//   open():              GET CHIP INFO, SELECT MF, SELECT 0006 + READ, SELECT 601F + R,
//                        SELECT 6020 + R (unless IccChainPolicy::Skip)        ≈ 14, once per card
//   first sign_hash():   certificate (SELECT MF, 5015, 6004 + R until padding, SELECT MF, 6061,
//                        700x + R; cached) + PIN channel 8 + tries 1 + VERIFY 1 + user channel 8 +
//                        MSE:SET 1 + PSO:CDS 1 (+ GET RESPONSE when the link needs 61xx)
//   next sign_hash():    relink (PACE 5, by the session) + 8 + 1 + 1 + 8 + 1 + 1 = 20 (+ 5 PACE);
//                        the tries query runs before every VERIFY (no PIN without a fresh,
//                        authenticated count).
// Thread safety: one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dnie/bytes/secure.hpp"
#include "dnie/crypto/x509.hpp"
#include "dnie/esign/keysets.hpp"
#include "dnie/esign/pkcs15.hpp"
#include "dnie/sm/secure_messaging.hpp"
#include "dnie/transport/transport.hpp"

namespace dnie::esign {

enum class KeyKind { Authentication = 1, Signing = 2 };  ///< PrKDF keyReference 01 / 02

/// How the ICC component chain (601F ← 6020 ← root) is used (CWA 14890-1 §8.4: the ICC key is the
/// one the chip proves in INTERNAL AUTHENTICATE, so a trusted chain is what tells a genuine chip
/// from an impostor before the PIN is sent).
enum class IccChainPolicy {
  Require,  ///< read and check the chain; PIN and key operations only on a chip whose chain
            ///< leads to a trusted root (certificates can be read from any card)
  Skip,     ///< not read (saves the 6020 APDUs); the PIN functions are then refused
};

struct EsignOptions {
  /// Key sets and roots; nullptr = KeySetRegistry::builtin(). Not owned; must outlive the card.
  const KeySetRegistry* keysets = nullptr;
  /// "r1"/"r2" to bypass the selection rules; empty = automatic.
  std::string force_generation;
  /// Extra trust anchors for the ICC chain, trusted because the caller passes them (e.g. the
  /// virtual card's TEST root). The registry's production roots (r1, r2) are always trusted;
  /// its test_only roots only with `allow_test_roots`.
  std::vector<IccRoot> extra_icc_roots;
  bool allow_test_roots = false;
  IccChainPolicy icc_chain = IccChainPolicy::Require;
  /// Brings the card back to the base link (re-PACE or reset) and returns it. Empty: contact
  /// links are reset with reconnect(true); NFC links fail with InvalidState.
  std::function<Result<transport::Transport*>()> relink;
  /// The PACE channel when `link` hides it behind decorators; otherwise found by dynamic_cast.
  sm::SecureMessagingTransport* secure_link = nullptr;
  crypto::Rng* rng = nullptr;  ///< CWA randomness; nullptr = system
  /// READ BINARY size; 0 = the channel's limits().max_response_data (223 under PACE AES SM,
  /// 231 under CWA 3DES SM with 256-byte frames). Other values are capped by that limit.
  std::size_t read_chunk = 0;
  /// Select every file from the MF (MF, DF, EF), as the DNIe middleware does, instead of
  /// skipping the SELECTs of a DF that is already current. For replaying other middleware's
  /// command sequences (tools/bench); costs one or two APDUs per file.
  bool select_from_mf = false;
};

/// What open() learned about the chip.
struct ChipIdentity {
  Bytes sn_icc;                 ///< 00 ‖ 7-byte serial (GET CHIP INFO)
  std::string idesp;            ///< EF 0006
  std::string icc_issuer;       ///< issuer of EF 601F
  std::string ca_issuer;        ///< issuer of EF 6020 (empty with IccChainPolicy::Skip)
  bool chain_verified = false;  ///< 601F ← 6020 ← trusted root checked: PIN use allowed
  std::string anchor;           ///< id of the root that verified the chain
  bool test_root = false;       ///< that root is a TEST root (a virtual or test card)
  std::string chain_problem;    ///< why the chain is not verified (when it is not)
  std::string generation;       ///< "r1", "r2": from the root when verified, else the card's claim
  std::string pin_keyset, user_keyset;
  std::string selection_reason;
};

enum class ChannelState { Base, Pin, User, NeedsRelink };

class EsignCard {
 public:
  /// Reads the chip identity (cached for the card's lifetime) and selects the key sets.
  /// `link` must outlive the object.
  static Result<EsignCard> open(transport::Transport& link, EsignOptions options = {});
  EsignCard(EsignCard&&) noexcept;
  EsignCard& operator=(EsignCard&&) noexcept;
  EsignCard(const EsignCard&) = delete;
  EsignCard& operator=(const EsignCard&) = delete;
  ~EsignCard();

  const ChipIdentity& chip() const noexcept;
  const crypto::Certificate& icc_certificate() const noexcept;
  ChannelState state() const noexcept;
  /// The object remembers which DF the card has current so that files of the same DF are
  /// selected without re-selecting the MF (ISO/IEC 7816-4 §7.1.1). Call this when something
  /// else has sent SELECT over the same link (the Session does so itself). A stale belief that
  /// the card refuses costs one SELECT (the full path is then selected again); a card that finds
  /// the FID elsewhere (ISO/IEC 7816-4 lets it search the parent DF) would answer that file,
  /// which is why callers sharing the link must call this.
  void forget_selection() noexcept;

  /// EF.TokenInfo (manufacturer must be DGP-FNMT), read once.
  Result<TokenInfo> token_info();
  /// All certificates of EF.CDF with their PrKDF keys, read and decompressed once.
  Result<std::vector<CardCertificate>> certificates();
  Result<CardCertificate> certificate(KeyKind key);

  /// PIN tries left, without spending one (retries query inside the PIN channel).
  Result<int> tries_left();
  /// VERIFY. With one try left it is refused (LastTryRefused, nothing sent) unless
  /// `allow_last_try`. WrongPin carries tries_left; PinBlocked; CardTerminated.
  Status verify_pin(const SecureBuffer& pin, bool allow_last_try = false);
  /// CHANGE PIN in the PIN channel: VERIFY with the old PIN (last-try guard as verify_pin), then
  /// SELECT MF, SELECT 0000, 90 24 00 00 01‖len‖old‖len‖new.
  Status change_pin(const SecureBuffer& old_pin, const SecureBuffer& new_pin, bool allow_last_try = false);

  /// Signs a digest of `alg` (or, with sign_digest_info, a DER DigestInfo): PIN channel → VERIFY
  /// → user channel → MSE:SET DST → PSO:CDS. The PKCS#1 v1.5 signature is verified with the
  /// certificate's key before it is returned (VerificationFailed otherwise).
  Result<Bytes> sign_hash(KeyKind key, crypto::HashAlg alg, ByteView digest, const SecureBuffer& pin,
                          bool allow_last_try = false);
  Result<Bytes> sign_digest_info(KeyKind key, ByteView digest_info, const SecureBuffer& pin,
                                 bool allow_last_try = false);

  /// Drops any CWA channel now (relink); the next PIN operation starts from the base link.
  Status close_channels();

  struct Impl;

 private:
  explicit EsignCard(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

/// SELECT MF by DF name "Master.File" (00 A4 04 00 0B ..., no Le), the form both proven DNIe
/// clients send (docs/dnie-card.md).
apdu::CommandApdu select_mf_command();

/// Ends any secure channel the card holds, as the DNIe middleware does (jmulticard
/// DnieNfc.resetCard, OpenSC cwa14890.c CWA_SM_OFF; docs/dnie-card.md): a plain SELECT MF by
/// name on the raw link `raw`. The card answers 69 87 / 69 88 (it dropped its keys) or, holding
/// no channel, selects the MF (90 00). Any other answer or a link error falls back to a reset
/// (reconnect(true)) where the link supports one.
Status end_card_channel(transport::Transport& raw);

/// Refuses only what cannot be a DNIe PIN: fewer than 8 or more than 16 bytes, or a control
/// character (docs/dnie-card.md §4.4). InvalidArgument otherwise; the card judges the rest.
Status validate_pin(const SecureBuffer& pin);

/// Maps a VERIFY / retries-query status word (63Cx, 6983, 6984, 6581).
Error pin_status_error(std::uint16_t sw, std::string_view what);

// Building blocks over an open PIN channel (EsignCard uses them; tests script them).
/// Retries query 00 20 00 00 Le 00 → 63Cx: tries left (-1 when the card answers 9000).
/// The answer must be MAC-verified (SecureMessagingError otherwise: a plain 63Cx is not evidence).
Result<int> pin_tries_left(transport::Transport& pin_channel);
/// Last-try guard — always an authenticated retries query first; LastTryRefused with one try
/// left unless `allow_last_try` — then VERIFY 00 20 00 00 Lc PIN.
Status pin_verify(transport::Transport& pin_channel, const SecureBuffer& pin, bool allow_last_try = false);
/// Checks a PKCS#1 v1.5 signature over a DigestInfo with the certificate's RSA key.
Status verify_card_signature(const crypto::Certificate& cert, ByteView digest_info, ByteView signature);

}  // namespace dnie::esign
