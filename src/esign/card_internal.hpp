// SPDX-License-Identifier: Apache-2.0
// Shared state of EsignCard (card.cpp: identity, files, channels; card_pin.cpp: PIN, signing).
#pragma once

#include <map>
#include <optional>

#include "dnie/apdu/status.hpp"
#include "dnie/auth/cwa14890.hpp"
#include "dnie/esign/esign.hpp"

namespace dnie::esign {

struct EsignCard::Impl {
  transport::Transport* link = nullptr;                  // base link: PACE SM (NFC) or raw (contact)
  sm::SecureMessagingTransport* sm_link = nullptr;       // the PACE channel, if any
  std::unique_ptr<sm::SecureMessagingTransport> own_sm;  // CWA channel over a raw contact link
  EsignOptions options;
  std::unique_ptr<KeySetRegistry> own_registry;
  const KeySetRegistry* registry = nullptr;
  const auth::CwaKeySet* pin_ks = nullptr;
  const auth::CwaKeySet* user_ks = nullptr;
  ChipIdentity chip;
  std::optional<crypto::Certificate> icc_cert;
  std::optional<crypto::RsaPublicKey> icc_key;
  ChannelState state = ChannelState::Base;
  bool pin_verified = false;
  std::optional<TokenInfo> token;
  std::optional<std::vector<CertificateObject>> cdf;
  std::optional<std::vector<PrivateKeyObject>> prkdf;
  std::map<std::string, CardCertificate> cert_cache;  // by PKCS#15 path
  /// FIDs (after the MF) of the DF the card has current, when known (ISO/IEC 7816-4 §7.1.1:
  /// selecting an EF leaves its parent DF current).
  std::optional<Bytes> current_df;

  /// The channel commands go through now.
  transport::Transport& current() noexcept;
  /// transceive on current(); a failure inside a CWA channel marks it for relink.
  Result<apdu::ResponseApdu> exchange(const apdu::CommandApdu& cmd);
  Status select_mf();
  /// SELECT by FID; returns the size from the FCI (85 ...) when present.
  Result<std::optional<std::size_t>> select_fid(std::uint16_t fid);
  /// READ BINARY of a selected EF: `size` bytes, or until the end (6282/6B00/short answer);
  /// `stop_at_padding` ends PKCS#15 directory reads at the 00 after the last object.
  Result<Bytes> read_selected(std::optional<std::size_t> size, bool stop_at_padding, std::size_t max_size);
  /// SELECT of fids[from..] in order; DFs on the way are appended to current_df. Returns the
  /// size of the last file from its FCI.
  Result<std::optional<std::size_t>> select_down(const Bytes& fids, std::size_t from);
  /// SELECT of each FID of `path` (a leading 3F00 is skipped) not already current, then READ
  /// BINARY; starts again from the MF when a shortcut is refused.
  Result<Bytes> read_path(const Bytes& path, bool stop_at_padding, std::size_t max_size = 16 * 1024);
  Result<Bytes> read_path_once(const Bytes& path, bool stop_at_padding, std::size_t max_size);

  /// Contact link without PACE: builds the PIN channel so that SM-protected files can be read.
  Status ensure_readable();
  Status load_directories();
  Result<CardCertificate> load_certificate(const CertificateObject& obj);

  /// Builds the CWA channel `ch` (PIN: from the base link; user: over the PIN channel).
  Status open_channel(auth::CwaChannel ch);
  /// Makes sure a PIN channel is live, relinking first when a user channel was used.
  Status ensure_pin_channel();
  Status relink();
};

}  // namespace dnie::esign
