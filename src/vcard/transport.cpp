// SPDX-License-Identifier: Apache-2.0
// VirtualTransport: the in-process link to a VirtualCard ("virtual" reader). Each transmit()
// encodes the command, hands the bytes to VirtualCard::process and parses the answer; it does
// not follow 61xx/6Cxx (transport::transceive does). Limits mirror CardOptions.
#include "dnie/bytes/secure.hpp"
#include "dnie/vcard/virtual_card.hpp"

namespace dnie::vcard {

VirtualTransport::VirtualTransport(VirtualCard& card) : m_card(&card) {}

VirtualTransport::VirtualTransport(std::unique_ptr<VirtualCard> card)
    : m_owned(std::move(card)), m_card(m_owned.get()) {}

VirtualTransport::~VirtualTransport() = default;

Result<apdu::ResponseApdu> VirtualTransport::transmit(const apdu::CommandApdu& cmd) {
  const std::size_t index = m_index++;
  if (m_fault) {
    if (auto e = m_fault(index, cmd)) return *e;
  }
  if (m_card == nullptr) return make_error(ErrorCode::NoCard, "no virtual card");
  if (!m_card->powered()) return make_error(ErrorCode::NoCard, "the virtual card is not powered");
  DNIE_ASSIGN_OR_RETURN(Bytes raw, cmd.encode(m_card->options().extended_length));
  Bytes resp = m_card->process(raw);
  secure_wipe(raw.data(), raw.size());  // wire form from encode(), a plain vector: may carry a VERIFY
  auto parsed = apdu::ResponseApdu::parse(resp);
  secure_wipe(resp.data(), resp.size());  // wire form from the card, a plain vector
  if (!parsed) return make_error(ErrorCode::TransportError, "virtual card sent a short response");
  return parsed;
}

Bytes VirtualTransport::atr() const { return m_card ? m_card->atr() : Bytes{}; }

transport::LinkLimits VirtualTransport::limits() const {
  transport::LinkLimits l;
  const bool ext = m_card && m_card->options().extended_length;
  l.extended_length = ext;
  l.max_command_data = ext ? 65535 : 255;
  l.max_response_data = ext ? 65536 : 256;
  return l;
}

transport::Interface VirtualTransport::interface_type() const {
  if (!m_card) return transport::Interface::Unknown;
  return m_card->options().contactless ? transport::Interface::Contactless : transport::Interface::Contact;
}

Status VirtualTransport::reconnect(bool reset_card) {
  if (m_card == nullptr) return make_error(ErrorCode::NoCard, "no virtual card");
  if (reset_card || !m_card->powered()) m_card->reset();
  return ok_status();
}

}  // namespace dnie::vcard
