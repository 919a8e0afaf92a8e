// SPDX-License-Identifier: Apache-2.0
#include "options.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "dnie/bytes/asn1.hpp"
#include "dnie/icao/mrz.hpp"
#include "dnie/version.hpp"
#ifdef DNIE_TOOLS_HAVE_PCSC
#include "dnie/transport/pcsc.hpp"
#endif
#ifdef DNIE_TOOLS_HAVE_NFC
#include "dnie/transport/nfc.hpp"
#endif

#include "text.hpp"

namespace dnie::cli {

std::string version_line(std::string_view tool) {
  return std::string(tool) + " " DNIE_VERSION_STRING " (DNIe SDK)";
}

Status check_can(std::string_view can) {
  bool ok = can.size() == 6;
  for (char c : can) ok = ok && c >= '0' && c <= '9';
  if (!ok)
    return Error(ErrorCode::InvalidArgument,
                 "the CAN must be the 6 digits printed on the front of the card (got " +
                     std::to_string(can.size()) + " characters)");
  return ok_status();
}

Result<auth::PacePassword> mrz_password(std::string_view text) {
  const auto bad = [](const std::string& why) {
    return Error(ErrorCode::InvalidArgument,
                 "--mrz: " + why +
                     "; give DOCUMENT_NUMBER,BIRTH_YYMMDD,EXPIRY_YYMMDD, the whole MRZ, or document "
                     "number+check digit+birth+check digit+expiry+check digit");
  };
  if (text.find(',') != std::string_view::npos) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
      const auto comma = text.find(',', start);
      parts.emplace_back(
          text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (parts.size() != 3) return bad("expected three fields separated by commas");
    auto pw = auth::PacePassword::mrz(parts[0], parts[1], parts[2]);
    if (!pw) return bad(for_terminal(pw.error().message));
    return pw;
  }
  std::string compact;
  for (char c : text)
    if (c != '\n' && c != '\r' && c != ' ') compact.push_back(c);
  if (compact.size() == 90 || compact.size() == 88 || compact.size() == 72) {
    auto m = icao::parse_mrz(compact);
    if (!m) return bad(for_terminal(m.error().message));
    auto pw = auth::PacePassword::from_mrz_information(m->mrz_information());
    if (!pw) return bad(for_terminal(pw.error().message));
    return pw;
  }
  auto pw = auth::PacePassword::from_mrz_information(compact);
  if (!pw) return bad(for_terminal(pw.error().message));
  return pw;
}

std::optional<std::int64_t> parse_date(std::string_view text) {
  const std::string s(text);
  int y = 0;
  unsigned m = 0, d = 0, hh = 12, mm = 0, ss = 0;
  char tail = 0;
  if (s.size() == 10) {
    if (std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  } else if (s.size() == 20) {
    char t = 0, z = 0;
    if (std::sscanf(s.c_str(), "%4d-%2u-%2u%c%2u:%2u:%2u%c%c", &y, &m, &d, &t, &hh, &mm, &ss, &z, &tail) !=
            8 ||
        t != 'T' || z != 'Z')
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  for (std::size_t i : {4u, 7u})
    if (s[i] != '-') return std::nullopt;
  return asn1::days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

void quiet_libnfc() {
  if (std::getenv("LIBNFC_LOG_LEVEL") == nullptr) ::setenv("LIBNFC_LOG_LEVEL", "0", 0);
}

Status wait_for_card(const std::string& reader, int timeout_seconds,
                     const std::function<void(const std::string&)>& waiting) {
  using Clock = std::chrono::steady_clock;
  const auto starts = [&reader](const char* p) { return reader.rfind(p, 0) == 0; };
  if (starts("virtual")) return ok_status();  // the virtual card is always there
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds > 0 ? timeout_seconds : 0);
  const auto left = [&]() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  };
  const std::string none = "no card was presented to " + for_terminal(reader) +
                           (timeout_seconds > 0 ? " within " + std::to_string(timeout_seconds) + " s" : "");
  bool told = false;
  const auto tell = [&](const std::string& what) {
    if (!told && waiting) waiting(what);
    told = true;
  };
  if (starts("nfc")) {
#ifdef DNIE_TOOLS_HAVE_NFC
    transport::NfcOptions no;
    if (reader.size() > 4) no.connstring = reader.substr(4);
    for (;;) {
      auto t = transport::NfcTransport::open(no);
      if (t) return ok_status();
      if (t.error().code != ErrorCode::NoCard) return t.error();
      tell("waiting for a card on " + for_terminal(reader) + "...");
      if (timeout_seconds > 0 && left().count() <= 0) return Error(ErrorCode::NoCard, none);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
#else
    return Error(ErrorCode::Unsupported, "this build has no libnfc support");
#endif
  }
#ifdef DNIE_TOOLS_HAVE_PCSC
  DNIE_ASSIGN_OR_RETURN(auto ctx, transport::PcscContext::establish());
  if (reader.empty()) {
    // No --reader: any PC/SC reader (readers may also be plugged in meanwhile), polled.
    for (;;) {
      DNIE_ASSIGN_OR_RETURN(auto states, ctx->reader_states());
      for (const auto& s : states)
        if (s.present) return ok_status();
      tell("waiting for a card in any PC/SC reader...");
      if (timeout_seconds > 0 && left().count() <= 0)
        return Error(ErrorCode::NoCard, "no card was presented to any PC/SC reader within " +
                                            std::to_string(timeout_seconds) + " s");
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
  std::string name = starts("pcsc:") ? reader.substr(5) : reader;
  DNIE_ASSIGN_OR_RETURN(auto states, ctx->reader_states());
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    const auto idx = static_cast<std::size_t>(std::stoul(name));
    if (idx >= states.size())
      return Error(ErrorCode::ReaderNotFound,
                   "no PC/SC reader with index " + name + " (" + std::to_string(states.size()) + " readers)");
    name = states[idx].name;
  }
  const transport::ReaderState* found = nullptr;
  for (const auto& s : states)
    if (s.name == name) found = &s;
  if (found == nullptr)
    return Error(ErrorCode::ReaderNotFound, "no PC/SC reader named " + for_terminal(name));
  if (found->present) return ok_status();
  tell("waiting for a card in " + for_terminal(name) + "...");
  for (;;) {
    // One wait of at most a minute at a time, so that "no limit" needs no special value.
    auto chunk = std::chrono::milliseconds(60000);
    if (timeout_seconds > 0) {
      if (left().count() <= 0) return Error(ErrorCode::NoCard, none);
      chunk = std::min(chunk, left());
    }
    auto r = ctx->wait_for_change(name, false, chunk);
    if (r && *r) return ok_status();
    if (!r && r.error().code != ErrorCode::Timeout) return r.error();
  }
#else
  return Error(ErrorCode::Unsupported, "this build has no PC/SC support");
#endif
}

}  // namespace dnie::cli
