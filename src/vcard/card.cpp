// SPDX-License-Identifier: Apache-2.0
// The virtual DNIe 3.0 command processor: APDU parsing (ISO/IEC 7816-3 §12.1, 7816-4 §5.1),
// class byte rules, secure-messaging glue, response chaining (61xx / GET RESPONSE, 7816-4
// §5.3.4) and the dispatch table. File system, PACE, CA, SM codec, ATR/state and the link model
// live in their own files.
#include <algorithm>

#include "dnie/bytes/tlv.hpp"

#include "crypto/bigint.hpp"
#include "vcard/engine.hpp"

namespace dnie::vcard {

namespace {

/// Whether an ATR offers T=1 in one of its TDi bytes (ISO/IEC 7816-3 §8.2.3): then the card
/// answers as on T=1 (no 61 xx for case 4), whatever CardOptions::t0 says.
bool atr_offers_t1(const Bytes& atr) {
  if (atr.size() < 2) return false;
  std::uint8_t y = atr[1];
  std::size_t i = 2;
  while (y & 0x80) {
    i += ((y & 0x10) != 0) + ((y & 0x20) != 0) + ((y & 0x40) != 0);
    if (i >= atr.size()) return false;
    const std::uint8_t td = atr[i++];
    if ((td & 0x0F) == 1) return true;
    y = td;
  }
  return false;
}

Bytes with_sw(Bytes data, std::uint16_t sw) {
  data.push_back(static_cast<std::uint8_t>(sw >> 8));
  data.push_back(static_cast<std::uint8_t>(sw));
  return data;
}

Bytes sw_bytes(std::uint16_t sw) { return with_sw({}, sw); }

/// Body of a command APDU after the 4 header bytes (ISO/IEC 7816-3 §12.1.3).
struct Body {
  ByteView data;
  std::optional<std::size_t> ne;
  bool ne_max = false;
  bool extended = false;
};

bool parse_body(ByteView rest, Body& out) {
  const std::size_t n = rest.size();
  if (n == 0) return true;  // case 1
  if (n == 1) {             // case 2S
    out.ne = rest[0] == 0 ? 256 : rest[0];
    out.ne_max = rest[0] == 0;
    return true;
  }
  if (rest[0] != 0) {  // short Lc
    const std::size_t lc = rest[0];
    if (n == 1 + lc) {  // case 3S
      out.data = rest.subview(1, lc);
      return true;
    }
    if (n == 2 + lc) {  // case 4S
      out.data = rest.subview(1, lc);
      const std::uint8_t le = rest[1 + lc];
      out.ne = le == 0 ? 256 : le;
      out.ne_max = le == 0;
      return true;
    }
    return false;
  }
  // Extended forms start with 00.
  out.extended = true;
  if (n == 3) {  // case 2E
    const std::size_t le = (std::size_t{rest[1]} << 8) | rest[2];
    out.ne = le == 0 ? 65536 : le;
    out.ne_max = le == 0;
    return true;
  }
  if (n < 3) return false;
  const std::size_t lc = (std::size_t{rest[1]} << 8) | rest[2];
  if (lc == 0) return false;
  if (n == 3 + lc) {  // case 3E
    out.data = rest.subview(3, lc);
    return true;
  }
  if (n == 5 + lc) {  // case 4E
    out.data = rest.subview(3, lc);
    const std::size_t le = (std::size_t{rest[3 + lc]} << 8) | rest[4 + lc];
    out.ne = le == 0 ? 65536 : le;
    out.ne_max = le == 0;
    return true;
  }
  return false;
}

/// One row of the dispatch table. `proprietary`: CLA 8x/9x (DNIe commands such as GET CHIP INFO
/// 90 B8, and later 90 24 / 90 58 / 90 5A / 90 C2); otherwise the interindustry class 0x.
struct CommandEntry {
  bool proprietary;
  std::uint8_t ins;
  Reply (VirtualCard::Impl::*handler)(const Command&);
  bool chaining_allowed;  ///< CLA b5 accepted (PACE GENERAL AUTHENTICATE, 9303-11 §4.4.4.2)
};

// CWA-14890 (cwa_card.cpp) and PIN / signature (sign_card.cpp) handlers; ENVELOPE 90 C2 and
// LOAD DATA / SIGN DATA 90 58 / 90 5A are not modelled (docs/dnie-card.md §4.5, §5.2).
const CommandEntry kCommands[] = {
    {false, 0x2A, &VirtualCard::Impl::cmd_pso, false},
    {false, 0x88, &VirtualCard::Impl::cmd_internal_authenticate, false},
    {false, 0x82, &VirtualCard::Impl::cmd_external_authenticate, false},
    {false, 0x20, &VirtualCard::Impl::cmd_verify, false},
    {true, 0x24, &VirtualCard::Impl::cmd_change_pin, false},
    {false, 0xA4, &VirtualCard::Impl::cmd_select, false},
    {false, 0xB0, &VirtualCard::Impl::cmd_read_binary, false},
    {false, 0x84, &VirtualCard::Impl::cmd_get_challenge, false},
    {false, 0x22, &VirtualCard::Impl::cmd_mse, false},
    {false, 0x86, &VirtualCard::Impl::cmd_general_authenticate, true},
    {true, 0xB8, &VirtualCard::Impl::cmd_chip_info, false},
};

}  // namespace

// ---- VirtualCard::Impl ------------------------------------------------------------------------

VirtualCard::Impl::Impl(CardImage img, CardOptions opts) : image(std::move(img)), options(std::move(opts)) {
  if (options.max_response == 0) options.max_response = 256;
  load_state();
  if (const VFile* ca = ef_card_access()) pace_infos = parse_card_access(ca->content);
  power_on();
}

Bytes VirtualCard::Impl::process(ByteView raw) {
  op_ms = 0;
  Bytes out;
  if (!powered) {
    out = sw_bytes(csw::kNoDiagnosis);
  } else {
    // Everything below works on a copy of the input.
    out = [&]() -> Bytes {
      if (raw.size() < 4) return sw_bytes(csw::kWrongLength);
      // Terminated life cycle (ATR ends 0F 65 81): the card is "burned" and refuses every
      // command with 69 85 (conditions of use not satisfied). [I] The real card's SW is unknown.
      if (image.terminated) return sw_bytes(csw::kConditions);
      const std::uint8_t cla = raw[0], ins = raw[1], p1 = raw[2], p2 = raw[3];

      // GET RESPONSE (00 C0 00 00 Le) collects chained response data; it is sent in plain
      // even while SM is active (the protected response is being fetched).
      if (ins == 0xC0 && cla == 0x00) {
        if (session.pending.empty()) return sw_bytes(csw::kConditions);
        if (p1 != 0 || p2 != 0) return sw_bytes(csw::kIncorrectP1P2);
        Body b;
        if (!parse_body(raw.subview(4), b) || !b.data.empty()) return sw_bytes(csw::kWrongLength);
        std::size_t want = b.ne ? *b.ne : 256;
        want = std::min({want, session.pending.size(), options.max_response});
        Bytes part(session.pending.begin(), session.pending.begin() + static_cast<std::ptrdiff_t>(want));
        session.pending.erase(session.pending.begin(),
                              session.pending.begin() + static_cast<std::ptrdiff_t>(want));
        if (session.pending.empty()) return with_sw(std::move(part), session.pending_sw);
        const std::size_t left = std::min<std::size_t>(session.pending.size(), 256);
        return with_sw(std::move(part), static_cast<std::uint16_t>(0x6100 | (left & 0xFF)));
      }
      SecretBytes().swap(session.pending);
      // Hostile clone (tests only): it cannot MAC under the chip-authentication keys, so it
      // answers everything after the switch with a plain status word (docs/security.md).
      if (session.ca_done && image.hostile.plain_sw_after_ca != 0 && !session.next_sm)
        return sw_bytes(image.hostile.plain_sw_after_ca);

      // Class byte (ISO/IEC 7816-4 §5.4.1): interindustry 0x (b5 chaining, b4-b3 SM, b2-b1
      // channel) or the DNIe's proprietary 8x/9x with the same SM bits.
      const bool proprietary = (cla & 0xE0) == 0x80;
      if (cla == 0xFF || (!proprietary && (cla & 0xE0) != 0x00)) return sw_bytes(csw::kClaUnknown);
      if ((cla & 0x03) != 0) return sw_bytes(csw::kLogicalChannel);
      const bool sm_bits = (cla & 0x0C) == 0x0C;

      Body b;
      const bool parsed = parse_body(raw.subview(4), b);
      if (!parsed || (b.extended && !options.extended_length)) {
        if (sm.active() && sm_bits) {  // a malformed protected command ends SM
          end_sm();
          return sw_bytes(csw::kSmIncorrect);
        }
        return sw_bytes(csw::kWrongLength);
      }

      Command c;
      c.extended = b.extended;
      if (sm.active()) {
        // ICAO 9303-11 §9.8.7 / docs/dnie-card.md §8: a plain command ends the SM session.
        if (!sm_bits) {
          end_sm();
          return sw_bytes(csw::kSmMissing);
        }
        std::uint16_t sw = csw::kSmIncorrect;
        const std::uint8_t header[4] = {cla, ins, p1, p2};
        auto un = sm.unwrap(header, b.data, &sw);
        if (!un) {
          end_sm();
          return sw_bytes(sw);
        }
        c.cla = un->cla;
        c.ins = un->ins;
        c.p1 = un->p1;
        c.p2 = un->p2;
        c.data = std::move(un->data);
        c.ne = un->ne;
        c.ne_max = un->ne_max;
        c.secure = true;
        // CWA-14890 SM on the DNIe: DO'97' only when there is no DO'87'. The card answers
        // 69 88 to both (OpenSC cwa14890.c cwa_encode_apdu; docs/dnie-card.md) and ends SM.
        if (session.channel != CwaChannel::None && !c.data.empty() && c.ne) {
          end_sm();
          return sw_bytes(csw::kSmIncorrect);
        }
        cost(cost::symmetric(b.data.size()));
      } else {
        if ((cla & 0x0C) != 0) return sw_bytes(csw::kSmIncorrect);  // SM without a session
        c.cla = cla;
        c.ins = ins;
        c.p1 = p1;
        c.p2 = p2;
        c.data = secret_copy(b.data);
        c.ne = b.ne;
        c.ne_max = b.ne_max;
      }
      c.chained = !proprietary && (cla & 0x10) != 0;

      Reply r = dispatch(c);
      Bytes data;
      if (c.secure && sm.active()) {
        auto wrapped = sm.wrap(r.data, r.sw);
        if (!wrapped) {
          end_sm();
          return sw_bytes(csw::kNoDiagnosis);
        }
        data = std::move(*wrapped);
        cost(cost::symmetric(data.size()));
      } else {
        data.assign(r.data.begin(), r.data.end());  // sent in the clear anyway
      }
      // New keys (PACE, CA) take effect after the response was protected with the old ones.
      if (session.next_sm) {
        PendingSm& n = *session.next_sm;
        sm.start(n.suite, std::move(n.k_enc), std::move(n.k_mac), std::move(n.ssc));
        session.pace_password = n.established_by;
        session.channel = n.channel;
        session.next_sm.reset();
      }
      // T=0 (contact): an answer with data to a command that carried data (case 4, or case 3
      // answered with data such as an FCI) is announced with 61 xx and fetched with GET
      // RESPONSE (ISO/IEC 7816-3 §12.2.3; OpenSC issue 810: SELECT "Master.File" → 61 1B).
      if (!options.contactless && options.t0 && !atr_offers_t1(atr()) && !data.empty() && !b.data.empty()) {
        session.pending.assign(data.begin(), data.end());
        session.pending_sw = r.sw;
        const std::size_t left = std::min<std::size_t>(session.pending.size(), 256);
        return sw_bytes(static_cast<std::uint16_t>(0x6100 | (left & 0xFF)));
      }
      if (data.size() > options.max_response) {  // ISO 7816-4 §5.3.4: 61xx, GET RESPONSE
        session.pending.assign(data.begin() + static_cast<std::ptrdiff_t>(options.max_response), data.end());
        session.pending_sw = r.sw;
        data.resize(options.max_response);
        const std::size_t left = std::min<std::size_t>(session.pending.size(), 256);
        return with_sw(std::move(data), static_cast<std::uint16_t>(0x6100 | (left & 0xFF)));
      }
      return with_sw(std::move(data), r.sw);
    }();
  }
  if (options.link.enabled) modeled_ms += link_time_ms(options.link, raw.size(), out.size()) + op_ms;
  return out;
}

Reply VirtualCard::Impl::dispatch(const Command& c) {
  const bool proprietary = (c.cla & 0x80) != 0;
  bool other_class = false;
  for (const auto& e : kCommands) {
    if (e.ins != c.ins) continue;
    if (e.proprietary != proprietary) {
      other_class = true;
      continue;
    }
    if (c.chained && !e.chaining_allowed) return sw_reply(csw::kChainingUnsupported);
    return (this->*e.handler)(c);
  }
  return sw_reply(other_class ? csw::kClaUnknown : csw::kInsUnknown);
}

// ---- small commands -----------------------------------------------------------------------------

Reply VirtualCard::Impl::cmd_chip_info(const Command& c) {
  // GET CHIP INFO 90 B8 00 00 07: the 7-byte chip serial (docs/dnie-card.md §4.3 step 1).
  if (c.p1 != 0 || c.p2 != 0) return sw_reply(csw::kIncorrectP1P2);
  if (!c.data.empty()) return sw_reply(csw::kWrongLength);
  Bytes serial = image.chip_serial;
  serial.resize(7, 0);
  return Reply{std::move(serial), csw::kOk};
}

Reply VirtualCard::Impl::cmd_get_challenge(const Command& c) {
  // GET CHALLENGE 00 84 00 00 Le: the DNIe accepts only Le 08 or 14 (docs/dnie-card.md §4.3 step 9).
  if (c.p1 != 0 || c.p2 != 0) return sw_reply(csw::kIncorrectP1P2);
  if (!c.data.empty() || !c.ne || c.ne_max || (*c.ne != 8 && *c.ne != 0x14))
    return sw_reply(csw::kWrongLength);
  session.challenge = random(*c.ne);
  return Reply{session.challenge, csw::kOk};
}

Reply VirtualCard::Impl::cmd_mse(const Command& c) {
  // MANAGE SECURITY ENVIRONMENT (ISO/IEC 7816-4 §7.5.11). P1-P2 select the variant.
  const std::uint16_t p1p2 = static_cast<std::uint16_t>((c.p1 << 8) | c.p2);
  switch (p1p2) {
    case 0xC1A4: {  // Set AT for mutual authentication: PACE (with 80) or CWA-14890 (83 / 84)
      auto dos = tlv::parse_all(c.data);
      if (!dos) return sw_reply(csw::kWrongData);
      for (const auto& d : *dos)
        if (d.tag == 0x80) return pace_set_at(c);
      return cwa_set_at(c);  // CWA-14890 INTERNAL AUTHENTICATE (docs/dnie-card.md §4.3 step 7)
    }
    case 0x41A4:
      return ca_set_at(c);  // Chip Authentication (AES / DH), 9303-11 §6.2.4.1
    case 0x41A6:
      return ca_set_kat(c);  // MSE:Set KAT, Chip Authentication with 3DES
    case 0x81B6:
      return cwa_set_verify_key(c);  // key for PSO:VERIFY CERTIFICATE (§4.3 steps 3, 5)
    case 0x41B6:
      return sign_set_dst(c);  // DST for PSO:CDS (docs/dnie-card.md §4.5)
    default:
      return sw_reply(csw::kIncorrectP1P2);
  }
}

Reply VirtualCard::Impl::cmd_general_authenticate(const Command& c) {
  if (c.p1 != 0 || c.p2 != 0) return sw_reply(csw::kIncorrectP1P2);
  if (session.pace.state != PaceChipState::Idle) return pace_step(c);
  if (session.ca.state == CaChipState::AwaitGeneralAuth) return ca_general_authenticate(c);
  return sw_reply(csw::kConditions);
}

// ---- randomness ---------------------------------------------------------------------------------

Bytes VirtualCard::Impl::random(std::size_t n) {
  if (!forced_random.empty()) {
    Bytes v = std::move(forced_random.front());
    forced_random.pop_front();
    return v;
  }
  auto r = rng->bytes(n);
  return r ? std::move(*r) : Bytes(n, 0x5A);
}

Result<SecureBuffer> VirtualCard::Impl::random_private(const KaDomain& domain) {
  if (!forced_random.empty()) {
    Bytes v = std::move(forced_random.front());
    forced_random.pop_front();
    return SecureBuffer::adopt(std::move(v));
  }
  Bytes order = domain.order();
  if (order.empty()) {  // DH group without q: exponent below p
    order = domain.dh().p();
  }
  const crypto::BigInt n = crypto::BigInt::from_bytes(order);
  const std::size_t bits = n.bits();
  for (int i = 0; i < 256; ++i) {
    DNIE_ASSIGN_OR_RETURN(SecureBuffer cand, rng->secret(order.size()));
    const std::size_t extra = order.size() * 8 - bits;
    if (extra > 0 && !cand.empty()) cand[0] = static_cast<std::uint8_t>(cand[0] & (0xFF >> extra));
    const crypto::BigInt k = crypto::BigInt::from_bytes(cand.view());
    if (!k.is_zero() && k < n) return cand;
  }
  return make_error(ErrorCode::CryptoError, "no private key drawn");
}

// ---- VirtualCard --------------------------------------------------------------------------------

VirtualCard::VirtualCard(CardImage image, CardOptions options)
    : m_impl(std::make_unique<Impl>(std::move(image), std::move(options))) {}
VirtualCard::~VirtualCard() = default;
Bytes VirtualCard::power_on() { return m_impl->power_on(); }
void VirtualCard::power_off() { m_impl->power_off(); }
Bytes VirtualCard::reset() {
  if (m_impl->options.contactless && m_impl->options.warm_reset_keeps_channel && m_impl->powered) {
    // A contactless card stays in the field: the reader's "reset" does not reach its security
    // state (docs/dnie-card.md); the selection and pending data are what a reader can clear.
    SecretBytes().swap(m_impl->session.pending);
    return m_impl->atr();
  }
  return m_impl->power_on();
}
Bytes VirtualCard::atr() const { return m_impl->atr(); }
bool VirtualCard::powered() const noexcept { return m_impl->powered; }
Bytes VirtualCard::process(ByteView command) { return m_impl->process(command); }
const CardImage& VirtualCard::image() const noexcept { return m_impl->image; }
const CardOptions& VirtualCard::options() const noexcept { return m_impl->options; }
double VirtualCard::modeled_time_ms() const noexcept { return m_impl->modeled_ms; }
void VirtualCard::reset_modeled_time() noexcept { m_impl->modeled_ms = 0; }

}  // namespace dnie::vcard
