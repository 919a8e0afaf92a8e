// SPDX-License-Identifier: Apache-2.0
#include "dnie/transport/scripted.hpp"

namespace dnie::transport {

ScriptedTransport& ScriptedTransport::expect(std::string_view command_hex, std::string_view response_hex) {
  return expect(hex_bytes(command_hex), hex_bytes(response_hex));
}

ScriptedTransport& ScriptedTransport::expect(Bytes command, Bytes response) {
  m_steps.push_back(Step{std::move(command), std::move(response), std::nullopt});
  return *this;
}

ScriptedTransport& ScriptedTransport::fail_next(Error e) {
  m_steps.push_back(Step{{}, {}, std::move(e)});
  return *this;
}

Result<ResponseApdu> ScriptedTransport::transmit(const CommandApdu& cmd) {
  const std::size_t step = ++m_count;
  if (m_steps.empty())
    return make_error(ErrorCode::ProtocolError, "scripted transport: unexpected extra command #" +
                                                    std::to_string(step) + " " + cmd.describe());
  Step s = std::move(m_steps.front());
  m_steps.pop_front();
  if (s.fail) return *s.fail;
  DNIE_ASSIGN_OR_RETURN(Bytes enc, cmd.encode(true));
  if (!s.expected_command.empty() && enc != s.expected_command)
    return make_error(ErrorCode::ProtocolError, "scripted transport: command #" + std::to_string(step) +
                                                    " was " + to_hex(enc) + ", expected " +
                                                    to_hex(s.expected_command));
  DNIE_ASSIGN_OR_RETURN(ResponseApdu r, ResponseApdu::parse(s.response));
  if (m_secure) r.mark_authenticated();
  return r;
}

Result<ResponseApdu> FunctionTransport::transmit(const CommandApdu& cmd) {
  DNIE_ASSIGN_OR_RETURN(Bytes enc, cmd.encode(m_limits.extended_length));
  DNIE_ASSIGN_OR_RETURN(Bytes resp, m_handler(enc));
  return ResponseApdu::parse(resp);
}

}  // namespace dnie::transport
