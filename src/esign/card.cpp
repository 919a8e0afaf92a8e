// SPDX-License-Identifier: Apache-2.0
// EsignCard: chip identity, ICC chain (X.509, RFC 5280 signatures), PKCS#15 files and the
// CWA-14890 channel stack (CWA 14890-1 §8; docs/dnie-card.md §2, §4.2, §4.3).
#include <algorithm>

#include "dnie/bytes/log.hpp"
#include "dnie/bytes/tlv.hpp"

#include "esign/card_internal.hpp"

namespace dnie::esign {

namespace {

constexpr std::string_view kComponent = "esign";

bool readable(std::uint16_t sw) { return sw == apdu::sw::kOk || sw == apdu::sw::kEndOfFileWarning; }

/// True when `data` holds complete TLV objects followed by a 00 (PKCS#15 padding).
bool padding_reached(ByteView data) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    if (data[pos] == 0x00 || data[pos] == 0xFF) return true;
    auto h = tlv::parse_header(data.subview(pos));
    if (!h || h->total_size > data.size() - pos) return false;
    pos += h->total_size;
  }
  return false;
}

std::string ascii_trim(ByteView b) {
  std::string s;
  for (auto c : b)
    if (c >= 0x20 && c < 0x7F) s += static_cast<char>(c);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

// ---- I/O helpers ----------------------------------------------------------------------------------

transport::Transport& EsignCard::Impl::current() noexcept {
  if (state == ChannelState::Base) return *link;
  if (own_sm) return *own_sm;
  return sm_link ? static_cast<transport::Transport&>(*sm_link) : *link;
}

Result<apdu::ResponseApdu> EsignCard::Impl::exchange(const apdu::CommandApdu& cmd) {
  auto r = transport::transceive(current(), cmd, false);
  if (!r) current_df.reset();
  if (!r && state != ChannelState::Base) state = ChannelState::NeedsRelink;
  if (r && r->sw() == apdu::sw::kMemoryFailure)
    return make_error(ErrorCode::CardTerminated, "the card is terminated (65 81)").with_sw(r->sw());
  return r;
}

apdu::CommandApdu select_mf_command() {
  // SELECT MF by DF name, P2=00, no Le (jmulticard Dnie.java; OpenSC card-dnie.c; docs/dnie-card.md).
  return apdu::CommandApdu(0x00, 0xA4, 0x04, 0x00, ByteView::of("Master.File"));
}

Status end_card_channel(transport::Transport& raw) {
  auto r = transport::transceive(raw, select_mf_command());
  if (r && (r->sw() == apdu::sw::kSmObjectsMissing || r->sw() == apdu::sw::kSmObjectsIncorrect || r->ok())) {
    log(LogLevel::Debug, kComponent,
        "card channel ended by a plain SELECT MF (" + to_hex(be_bytes(r->sw(), 2)) + ")");
    return ok_status();
  }
  log(LogLevel::Info, kComponent,
      "plain SELECT MF did not end the card's channel (" +
          (r ? to_hex(be_bytes(r->sw(), 2)) : r.error().to_string()) + "); resetting the card");
  return raw.reconnect(true);
}

Status EsignCard::Impl::select_mf() {
  current_df.reset();
  apdu::CommandApdu c = select_mf_command();
  DNIE_ASSIGN_OR_RETURN(auto r, exchange(c));
  DNIE_TRY(apdu::expect_ok(r, "SELECT MF"));
  current_df = Bytes{};
  return ok_status();
}

Result<std::optional<std::size_t>> EsignCard::Impl::select_fid(std::uint16_t fid) {
  const std::uint8_t f[2] = {static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)};
  apdu::CommandApdu c(0x00, 0xA4, 0x00, 0x00, ByteView(f, 2));
  DNIE_ASSIGN_OR_RETURN(auto r, exchange(c));
  DNIE_TRY(apdu::expect_ok(r, "SELECT " + to_hex(ByteView(f, 2))));
  // FCI 6F L 85 0A <type><FID:2><size:2><ACL:5> (docs/dnie-card.md §2.1).
  std::optional<std::size_t> size;
  if (auto fci = tlv::parse_first(r.data()); fci && fci->tag == 0x6F) {
    if (auto d = tlv::find(fci->value, 0x85); d && d->value.size() >= 5)
      size = static_cast<std::size_t>((d->value[3] << 8) | d->value[4]);
  }
  return size;
}

Result<Bytes> EsignCard::Impl::read_selected(std::optional<std::size_t> size, bool stop_at_padding,
                                             std::size_t max_size) {
  if (size && *size > max_size) return make_error(ErrorCode::MalformedData, "file larger than expected");
  Bytes out;
  // 0 = as much as the channel carries in one answer (223 under PACE AES SM, 231 under CWA
  // 3DES SM with 256-byte frames); an explicit size is capped by the same limit.
  const std::size_t limit = std::max<std::size_t>(current().limits().max_response_data, 16);
  const std::size_t chunk =
      options.read_chunk == 0 ? limit : std::clamp<std::size_t>(options.read_chunk, 16, limit);
  while (out.size() < (size ? *size : max_size)) {
    if (out.size() > 0x7FFF) return make_error(ErrorCode::Unsupported, "file offset beyond 32767");
    const std::size_t want = std::min(chunk, (size ? *size : max_size) - out.size());
    apdu::CommandApdu rb(0x00, 0xB0, static_cast<std::uint8_t>(out.size() >> 8),
                         static_cast<std::uint8_t>(out.size()));
    rb.set_le(want);
    DNIE_ASSIGN_OR_RETURN(auto r, exchange(rb));
    if (r.sw() == apdu::sw::kWrongP1P2 && !out.empty()) break;
    if (!readable(r.sw())) return apdu::sw_error(r.sw(), "READ BINARY");
    append(out, r.data());
    if (r.data().size() < want || r.sw() == apdu::sw::kEndOfFileWarning) break;
    if (stop_at_padding && padding_reached(out)) break;
  }
  return out;
}

Result<std::optional<std::size_t>> EsignCard::Impl::select_down(const Bytes& fids, std::size_t from) {
  std::optional<std::size_t> size;
  for (std::size_t i = from; i + 1 < fids.size(); i += 2) {
    DNIE_ASSIGN_OR_RETURN(size, select_fid(static_cast<std::uint16_t>((fids[i] << 8) | fids[i + 1])));
    // Every FID but the last names a DF, which becomes current (ISO/IEC 7816-4 §7.1.1).
    if (i + 2 < fids.size() && current_df) current_df->insert(current_df->end(), {fids[i], fids[i + 1]});
  }
  return size;
}

Result<Bytes> EsignCard::Impl::read_path(const Bytes& path, bool stop_at_padding, std::size_t max_size) {
  // Resumable like the ICAO reads (a phone's tag loss while the certificates are read): with a
  // relink callback (the session re-runs PACE, counted) the file is read again, at most three
  // times; the public files need no more than the base link.
  for (int attempt = 0;; ++attempt) {
    auto r = read_path_once(path, stop_at_padding, max_size);
    if (r || !options.relink || attempt >= 3 || !read_resumable(r.error().code)) return r;
    log(LogLevel::Warning, kComponent, "read interrupted (" + r.error().to_string() + "); relinking");
    DNIE_TRY(relink());
  }
}

Result<Bytes> EsignCard::Impl::read_path_once(const Bytes& path, bool stop_at_padding, std::size_t max_size) {
  Bytes fids = path;
  if (fids.size() >= 2 && fids[0] == 0x3F && fids[1] == 0x00) fids.erase(fids.begin(), fids.begin() + 2);
  if (fids.size() < 2 || fids.size() % 2 != 0) return make_error(ErrorCode::InvalidArgument, "bad file path");
  // Shortcut: the file's DF, or one of its ancestors, is already current.
  const std::size_t dir_size = fids.size() - 2;
  if (!options.select_from_mf && current_df && current_df->size() <= dir_size &&
      std::equal(current_df->begin(), current_df->end(), fids.begin())) {
    auto size = select_down(fids, current_df->size());
    if (size) return read_selected(*size, stop_at_padding, max_size);
    const ErrorCode c = size.error().code;
    if (c != ErrorCode::NotFound && c != ErrorCode::CardError) return std::move(size).error();
    // Refused: the belief was stale; start again from the MF.
  }
  DNIE_TRY(select_mf());
  DNIE_ASSIGN_OR_RETURN(auto size, select_down(fids, 0));
  return read_selected(size, stop_at_padding, max_size);
}

// ---- channels -------------------------------------------------------------------------------------

Status EsignCard::Impl::relink() {
  own_sm.reset();
  current_df.reset();
  pin_verified = false;
  if (options.relink) {
    auto t = options.relink();
    if (!t || *t == nullptr) {
      state = ChannelState::NeedsRelink;
      return t ? make_error(ErrorCode::InvalidState, "relink returned no transport") : std::move(t).error();
    }
    link = *t;
    sm_link = dynamic_cast<sm::SecureMessagingTransport*>(link);
  } else if (sm_link == nullptr && !link->is_secure()) {
    // Contact: a plain SELECT MF ends the card's CWA channel (OpenSC cwa14890.c CWA_SM_OFF); a
    // reset only when that fails.
    DNIE_TRY(end_card_channel(*link));
  } else {
    state = ChannelState::NeedsRelink;
    return make_error(ErrorCode::InvalidState,
                      "a used CWA channel must be torn down first: re-run PACE (set EsignOptions::relink)");
  }
  state = ChannelState::Base;
  log(LogLevel::Debug, kComponent, "base link re-established");
  return ok_status();
}

Status EsignCard::Impl::open_channel(auth::CwaChannel ch) {
  const auth::CwaKeySet* ks = ch == auth::CwaChannel::Pin ? pin_ks : user_ks;
  // The only legal orders: base → PIN, PIN → user (docs/dnie-card.md §4.2; OpenSC PR 3614).
  const bool legal = (ch == auth::CwaChannel::Pin && state == ChannelState::Base) ||
                     (ch == auth::CwaChannel::User && state == ChannelState::Pin);
  if (!chip.chain_verified)
    return make_error(ErrorCode::UntrustedDocument,
                      "the chip's component chain does not lead to a trusted root (" + chip.chain_problem +
                          "); the PIN is not sent to it");
  if (!legal || ks == nullptr || !icc_key)
    return make_error(ErrorCode::InternalError, "CWA channel order violated");
  auth::CwaOptions o;
  o.rng = options.rng;
  DNIE_ASSIGN_OR_RETURN(auto engine, auth::CwaEngine::create(*ks, chip.sn_icc, *icc_key, std::move(o)));
  // Both proven clients run the handshakes with the MF current (jmulticard selects it before
  // each channel; OpenSC reads 3F00 6020/601F inside each handshake): never with a DF such as
  // 6061 current (docs/dnie-card.md).
  if (!current_df || !current_df->empty()) DNIE_TRY(select_mf());
  current_df.reset();  // whether a key switch keeps the current DF is not documented for the DNIe
  Status st;
  if (state == ChannelState::Base && !sm_link) {
    auto session = auth::run_cwa(*link, engine);
    if (session)
      own_sm = std::make_unique<sm::SecureMessagingTransport>(*link, std::move(session).value());
    else
      st = std::move(session).error();
  } else {
    sm::SecureMessagingTransport& chan = own_sm ? *own_sm : *sm_link;
    st = auth::cwa_switch_channel(chan, engine);
  }
  if (!st) {
    state = ChannelState::NeedsRelink;
    return st;
  }
  state = ch == auth::CwaChannel::Pin ? ChannelState::Pin : ChannelState::User;
  log(LogLevel::Debug, kComponent,
      std::string("CWA ") + std::string(auth::cwa_channel_name(ch)) + " channel open (" + ks->id + ")");
  return ok_status();
}

Status EsignCard::Impl::ensure_pin_channel() {
  if (state == ChannelState::Pin) return ok_status();
  if (state != ChannelState::Base) DNIE_TRY(relink());
  return open_channel(auth::CwaChannel::Pin);
}

// ---- PKCS#15 --------------------------------------------------------------------------------------

Status EsignCard::Impl::ensure_readable() {
  // The public files (PKCS#15, certificates, 601F/6020, IDESP) are read over the base link: PACE
  // SM on NFC, plain on contact — as both proven clients read them (jmulticard
  // Dnie3.needsPinForLoadingCerts() is false; OpenSC reads the CDF without SM; docs/dnie-card.md).
  // A channel that failed or was spent is replaced by a fresh base link before anything is read.
  if (state == ChannelState::NeedsRelink) DNIE_TRY(relink());
  return ok_status();
}

Status EsignCard::Impl::load_directories() {
  if (cdf && prkdf) return ok_status();
  DNIE_TRY(ensure_readable());
  // DNIe locations (docs/dnie-card.md §2.2): DF 5015, CDF 6004, PrKDF 6001.
  DNIE_ASSIGN_OR_RETURN(Bytes cdf_file, read_path(hex_bytes("5015 6004"), true));
  DNIE_ASSIGN_OR_RETURN(auto certs, parse_cdf(cdf_file));
  DNIE_ASSIGN_OR_RETURN(Bytes prkdf_file, read_path(hex_bytes("5015 6001"), true));  // 5015 stays current
  DNIE_ASSIGN_OR_RETURN(auto keys, parse_prkdf(prkdf_file));
  cdf = std::move(certs);
  prkdf = std::move(keys);
  return ok_status();
}

Result<CardCertificate> EsignCard::Impl::load_certificate(const CertificateObject& obj) {
  const std::string key = obj.path.to_string();
  if (auto it = cert_cache.find(key); it != cert_cache.end()) return it->second;
  DNIE_TRY(ensure_readable());
  DNIE_ASSIGN_OR_RETURN(Bytes file, read_path(obj.path.path, false));
  DNIE_ASSIGN_OR_RETURN(Bytes der, decompress_certificate(file));
  DNIE_ASSIGN_OR_RETURN(auto cert, crypto::Certificate::parse(der));
  std::optional<PrivateKeyObject> pk;
  if (prkdf)
    for (const auto& k : *prkdf)
      if (k.id == obj.id) pk = k;
  CardCertificate cc{obj, pk, cert, describe_certificate(cert)};
  cert_cache.emplace(key, cc);
  return cc;
}

// ---- EsignCard ------------------------------------------------------------------------------------

EsignCard::EsignCard(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
EsignCard::EsignCard(EsignCard&&) noexcept = default;
EsignCard& EsignCard::operator=(EsignCard&&) noexcept = default;
EsignCard::~EsignCard() = default;

const ChipIdentity& EsignCard::chip() const noexcept { return m_impl->chip; }
const crypto::Certificate& EsignCard::icc_certificate() const noexcept { return *m_impl->icc_cert; }
ChannelState EsignCard::state() const noexcept { return m_impl->state; }
void EsignCard::forget_selection() noexcept { m_impl->current_df.reset(); }

Result<EsignCard> EsignCard::open(transport::Transport& link, EsignOptions options) {
  auto impl = std::make_unique<Impl>();
  Impl& s = *impl;
  s.link = &link;
  s.sm_link = options.secure_link ? options.secure_link : dynamic_cast<sm::SecureMessagingTransport*>(&link);
  s.options = std::move(options);
  if (s.options.keysets) {
    s.registry = s.options.keysets;
  } else {
    DNIE_ASSIGN_OR_RETURN(auto reg, KeySetRegistry::builtin());
    s.own_registry = std::make_unique<KeySetRegistry>(std::move(reg));
    s.registry = s.own_registry.get();
  }
  const Bytes atr = link.atr();
  if (atr.size() >= 2 && atr[atr.size() - 2] == 0x65 && atr.back() == 0x81)
    return make_error(ErrorCode::CardTerminated, "the card is terminated (ATR ends 65 81)");
  // 1. SN.ICC (CWA 14890-1 §8.4.3 uses it in the terminal's signature).
  DNIE_ASSIGN_OR_RETURN(auto ci, s.exchange(auth::cwa_get_chip_info_command()));
  DNIE_ASSIGN_OR_RETURN(s.chip.sn_icc, auth::cwa_parse_chip_info(ci));
  // 2. IDESP (EF 0006) — optional for the selection.
  if (auto idesp = s.read_path(hex_bytes("0006"), false, 64)) s.chip.idesp = ascii_trim(*idesp);
  // 3. ICC certificate (EF 601F) and its CA (EF 6020).
  DNIE_ASSIGN_OR_RETURN(Bytes icc_der, s.read_path(hex_bytes("601F"), false));
  DNIE_ASSIGN_OR_RETURN(Bytes icc_plain, decompress_certificate(icc_der));
  DNIE_ASSIGN_OR_RETURN(auto icc, crypto::Certificate::parse(icc_plain));
  if (!icc.public_key().is_rsa() || icc.public_key().rsa()->size() != 128)
    return make_error(ErrorCode::Unsupported, "ICC key is not RSA-1024");
  s.chip.icc_issuer = icc.issuer().to_string();
  std::optional<crypto::Certificate> ca;
  if (s.options.icc_chain != IccChainPolicy::Skip) {
    DNIE_ASSIGN_OR_RETURN(Bytes ca_der, s.read_path(hex_bytes("6020"), false));
    DNIE_ASSIGN_OR_RETURN(Bytes ca_plain, decompress_certificate(ca_der));
    DNIE_ASSIGN_OR_RETURN(auto c, crypto::Certificate::parse(ca_plain));
    s.chip.ca_issuer = c.issuer().to_string();
    ca = std::move(c);
  }
  // 4. ICC chain: 601F ← 6020 ← a root the terminal trusts. The terminal decides, not the card:
  // the root that verifies EF 6020 gives the generation and the key sets (a card's issuer
  // strings and IDESP are unauthenticated claims); legacy digests such as SHA-1 are accepted.
  std::optional<IccRoot> anchor;
  if (!ca) {
    s.chip.chain_problem = "the ICC chain was not read (IccChainPolicy::Skip)";
  } else if (auto st = icc.verify_signed_by(ca->public_key()); !st) {
    s.chip.chain_problem = "the ICC certificate (EF 601F) is not signed by EF 6020: " + st.error().message;
  } else {
    std::vector<IccRoot> roots = s.options.extra_icc_roots;
    for (const auto& r : s.registry->icc_roots())
      if (!r.test_only || s.options.allow_test_roots) roots.push_back(r);
    for (const auto& r : roots) {
      auto k = crypto::RsaPublicKey::from_components(r.modulus, r.exponent);
      if (k && ca->verify_signed_by(crypto::PublicKey(*k))) {
        anchor = r;
        break;
      }
    }
    if (!anchor)
      s.chip.chain_problem = "EF 6020 (issuer \"" + s.chip.ca_issuer + "\") is not signed by any of " +
                             std::to_string(roots.size()) + " trusted component root(s)";
  }
  // An explicit EsignOptions::force_generation is the caller's choice and still applies.
  IccRoot forced;
  if (anchor && !s.options.force_generation.empty()) {
    forced = *anchor;
    forced.generation = s.options.force_generation;
  }
  Result<KeySetChoice> choice =
      anchor ? s.registry->select_for_root(forced.generation.empty() ? *anchor : forced)
             : s.registry->select({s.chip.icc_issuer, s.chip.ca_issuer, s.chip.idesp},
                                  s.options.force_generation);
  if (anchor) {
    if (!choice) return std::move(choice).error();
    s.chip.chain_verified = true;
    s.chip.anchor = anchor->id;
    s.chip.test_root = anchor->test_only;
    s.pin_ks = choice->pin;
    s.user_ks = choice->user;
  } else {
    // Certificates can still be read; the PIN is never sent to this chip (open_channel).
    log(LogLevel::Warning, kComponent, "ICC chain not verified: " + s.chip.chain_problem);
  }
  if (choice) {
    s.chip.generation = choice->generation;
    s.chip.pin_keyset = choice->pin->id;
    s.chip.user_keyset = choice->user->id;
    s.chip.selection_reason = choice->reason;
  } else {
    s.chip.selection_reason = choice.error().message;
  }
  s.icc_key = *icc.public_key().rsa();
  s.icc_cert = std::move(icc);
  return EsignCard(std::move(impl));
}

Result<TokenInfo> EsignCard::token_info() {
  if (m_impl->token) return *m_impl->token;
  DNIE_TRY(m_impl->ensure_readable());
  DNIE_ASSIGN_OR_RETURN(Bytes f, m_impl->read_path(hex_bytes("5015 5032"), true, 4096));
  DNIE_ASSIGN_OR_RETURN(TokenInfo ti, parse_dnie_token_info(f));
  m_impl->token = ti;
  return ti;
}

Result<std::vector<CardCertificate>> EsignCard::certificates() {
  DNIE_TRY(m_impl->load_directories());
  std::vector<CardCertificate> out;
  for (const auto& obj : *m_impl->cdf) {
    DNIE_ASSIGN_OR_RETURN(auto c, m_impl->load_certificate(obj));
    out.push_back(std::move(c));
  }
  return out;
}

Result<CardCertificate> EsignCard::certificate(KeyKind key) {
  DNIE_TRY(m_impl->load_directories());
  const auto ref = static_cast<std::int64_t>(key);
  for (const auto& k : *m_impl->prkdf) {
    if (k.key_reference != ref) continue;
    for (const auto& obj : *m_impl->cdf)
      if (obj.id == k.id) return m_impl->load_certificate(obj);
  }
  return make_error(ErrorCode::NotFound, key == KeyKind::Signing
                                             ? "no signing certificate on the card"
                                             : "no authentication certificate on the card");
}

Status EsignCard::close_channels() {
  if (m_impl->state == ChannelState::Base) return ok_status();
  return m_impl->relink();
}

}  // namespace dnie::esign
