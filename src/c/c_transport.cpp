// SPDX-License-Identifier: Apache-2.0
// The callback transport: APDUs routed through the application (Android IsoDep.transceive, iOS
// NFCISO7816Tag.sendCommand). The callbacks are foreign code: their return codes are mapped to
// ErrorCode once, here.
#include "c_internal.hpp"

namespace dnie::capi {
namespace {

ErrorCode to_code(int rc) {
  switch (rc) {
    case DNIE_ERR_CARD_REMOVED:
      return ErrorCode::CardRemoved;
    case DNIE_ERR_CARD_RESET:
      return ErrorCode::CardReset;
    case DNIE_ERR_NO_CARD:
      return ErrorCode::NoCard;
    case DNIE_ERR_TIMEOUT:
      return ErrorCode::Timeout;
    case DNIE_ERR_CANCELLED:
      return ErrorCode::Cancelled;
    case DNIE_ERR_READER_NOT_FOUND:
      return ErrorCode::ReaderNotFound;
    case DNIE_ERR_NO_SERVICE:
      return ErrorCode::NoService;
    case DNIE_ERR_UNSUPPORTED:
      return ErrorCode::Unsupported;
    default:
      return ErrorCode::TransportError;
  }
}

class CallbackTransport final : public transport::Transport {
 public:
  CallbackTransport(const dnie_transport_callbacks& cb, void* user) : m_cb(cb), m_user(user) {}

  Result<apdu::ResponseApdu> transmit(const apdu::CommandApdu& cmd) override {
    DNIE_ASSIGN_OR_RETURN(Bytes raw, cmd.encode(limits().extended_length));
    m_resp.assign(65538, 0);
    std::size_t n = m_resp.size();
    int rc = m_cb.transmit(m_user, raw.data(), raw.size(), m_resp.data(), &n);
    if (rc != DNIE_OK) {
      Error e(to_code(rc), "application transport: transmit failed");
      e.native = rc;
      return e;
    }
    if (n < 2 || n > m_resp.size())
      return Error(ErrorCode::TransportError, "application transport: bad response length");
    return apdu::ResponseApdu::parse(ByteView(m_resp.data(), n));
  }

  Bytes atr() const override {
    if (!m_cb.atr) return {};
    std::size_t n = m_cb.atr(m_user, nullptr, 0);
    if (n == 0 || n > 64) return {};
    Bytes b(n);
    std::size_t got = m_cb.atr(m_user, b.data(), b.size());
    b.resize(got < n ? got : n);
    return b;
  }

  transport::LinkLimits limits() const override {
    transport::LinkLimits l;
    if (m_cb.max_command) l.max_command_data = m_cb.max_command;
    if (m_cb.max_response) l.max_response_data = m_cb.max_response;
    l.extended_length = l.max_command_data > 255 || l.max_response_data > 256;
    return l;
  }

  transport::Interface interface_type() const override {
    return m_cb.interface_contactless ? transport::Interface::Contactless : transport::Interface::Contact;
  }
  std::string name() const override { return "application transport"; }

  Status reconnect(bool reset_card) override {
    if (!m_cb.reconnect) return Error(ErrorCode::Unsupported, "the application transport cannot reconnect");
    int rc = m_cb.reconnect(m_user, reset_card ? 1 : 0);
    if (rc != DNIE_OK) {
      Error e(to_code(rc), "application transport: reconnect failed");
      e.native = rc;
      return e;
    }
    return ok_status();
  }

 private:
  dnie_transport_callbacks m_cb;
  void* m_user;
  Bytes m_resp;
};

}  // namespace

std::unique_ptr<transport::Transport> make_callback_transport(const dnie_transport_callbacks& cb,
                                                              void* user) {
  return std::make_unique<CallbackTransport>(cb, user);
}

}  // namespace dnie::capi
