// SPDX-License-Identifier: Apache-2.0
// ISO/IEC 7816-4 §5.3 / 7816-3 §12.2 transmission rules in one place: 61xx GET RESPONSE,
// 6Cxx re-send, command chaining (§5.1.1.1).
#include "dnie/transport/transport.hpp"

#include <chrono>

#include "dnie/apdu/status.hpp"

namespace dnie::transport {

namespace {
constexpr int kMaxGetResponse = 300;  // 300 × 256 bytes covers any extended response
}

Result<ResponseApdu> transceive(Transport& t, const CommandApdu& cmd, bool allow_command_chaining) {
  const LinkLimits lim = t.limits();
  const std::size_t max_nc = lim.max_command_data ? lim.max_command_data : 255;
  const ByteView data = cmd.data();

  // Command chaining: all but the last block carry CLA b5 = 1 and no Le.
  if (data.size() > max_nc) {
    if (!allow_command_chaining)
      return make_error(ErrorCode::Unsupported, "command data exceed the link's maximum");
    std::size_t off = 0;
    while (data.size() - off > max_nc) {
      CommandApdu part(static_cast<std::uint8_t>(cmd.cla() | 0x10), cmd.ins(), cmd.p1(), cmd.p2(),
                       ByteView(data).subview(off, max_nc));
      DNIE_ASSIGN_OR_RETURN(ResponseApdu r, t.transmit(part));
      if (!r.ok()) return r;
      off += max_nc;
    }
    CommandApdu last(cmd.cla(), cmd.ins(), cmd.p1(), cmd.p2(), ByteView(data).subview(off));
    last.set_le(cmd.le());
    return transceive(t, last, false);
  }

  DNIE_ASSIGN_OR_RETURN(ResponseApdu r, t.transmit(cmd));
  if (apdu::is_wrong_le(r.sw())) {  // 6Cxx: re-send once with the exact Le
    CommandApdu again = cmd;
    again.set_le(r.sw2() == 0 ? 256 : r.sw2());
    DNIE_ASSIGN_OR_RETURN(r, t.transmit(again));
  }
  if (!apdu::is_more_data(r.sw())) return r;

  Bytes all = r.data();
  std::uint16_t sw = r.sw();
  bool authenticated = r.authenticated();                        // the whole answer only if every part is
  const auto cla = static_cast<std::uint8_t>(cmd.cla() & 0x03);  // keep the logical channel only
  for (int i = 0; i < kMaxGetResponse && apdu::is_more_data(sw); ++i) {
    std::size_t le = (sw & 0xFF) == 0 ? 256 : (sw & 0xFF);
    CommandApdu gr(cla, 0xC0, 0x00, 0x00, {}, le);
    DNIE_ASSIGN_OR_RETURN(ResponseApdu part, t.transmit(gr));
    append(all, part.data());
    sw = part.sw();
    authenticated = authenticated && part.authenticated();
  }
  if (apdu::is_more_data(sw)) return make_error(ErrorCode::ProtocolError, "endless 61xx response chaining");
  ResponseApdu out(std::move(all), sw);
  if (authenticated) out.mark_authenticated();
  return out;
}

Result<ResponseApdu> TracingTransport::transmit(const CommandApdu& cmd) {
  if (m_sink)
    m_sink(apdu::TraceEvent{apdu::TraceEvent::Direction::Command, m_level, apdu::redact_command(cmd), 0});
  auto t0 = std::chrono::steady_clock::now();
  auto r = m_inner.transmit(cmd);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (m_sink) {
    std::string text = r ? apdu::redact_response(cmd, *r) : "error: " + r.error().to_string();
    m_sink(apdu::TraceEvent{apdu::TraceEvent::Direction::Response, m_level, std::move(text), ms});
  }
  return r;
}

Result<ResponseApdu> CountingTransport::transmit(const CommandApdu& cmd) {
  ++m_apdus;
  auto enc = cmd.encode(true);
  if (enc) m_sent += enc->size();
  auto r = m_inner.transmit(cmd);
  if (r) m_received += r->data().size() + 2;
  return r;
}

}  // namespace dnie::transport
