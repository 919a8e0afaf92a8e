// SPDX-License-Identifier: Apache-2.0
// Opening the session (reader spec, virtual card images, redacted trace) and PACE.
#include <cstdlib>

#include <fmt/core.h>

#include "dnie/auth/pace.hpp"

#include "cli.hpp"
#include "secrets.hpp"

namespace dnie::cli {

Result<std::unique_ptr<Session>> open_session(const Ctx& ctx) {
  SessionOptions o;
  o.reader = ctx.g.reader;
  o.vcard_image_dir = ctx.g.vcard_dir;
  if (ctx.g.trace || ctx.g.trace_stdout) {
    FILE* out = ctx.g.trace_stdout ? stdout : stderr;
    o.trace = [out](const apdu::TraceEvent& ev) {
      const bool cmd = ev.direction == apdu::TraceEvent::Direction::Command;
      if (cmd)
        std::fprintf(out, "[%-5.*s] > %s\n", static_cast<int>(ev.level.size()), ev.level.data(),
                     ev.text.c_str());
      else
        std::fprintf(out, "[%-5.*s] < %s  (%.1f ms)\n", static_cast<int>(ev.level.size()), ev.level.data(),
                     ev.text.c_str(), ev.elapsed_ms);
    };
  }
  auto s = Session::open(o);
  if (!s) {
    Error e = std::move(s).error();
    e.context("opening reader '" + ctx.g.reader + "'");
    return e;
  }
  return s;
}

namespace {
// "DOCNO,YYMMDD,YYMMDD" → PACE password from the MRZ.
Result<auth::PacePassword> mrz_password(const std::string& spec) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto comma = spec.find(',', start);
    parts.push_back(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (parts.size() != 3)
    return Error(ErrorCode::InvalidArgument, "--mrz wants DOCUMENT_NUMBER,BIRTH_YYMMDD,EXPIRY_YYMMDD");
  return auth::PacePassword::mrz(parts[0], parts[1], parts[2]);
}
}  // namespace

Result<bool> authenticate(const Ctx& ctx, Session& s, bool required) {
  if (!ctx.g.mrz.empty()) {
    DNIE_ASSIGN_OR_RETURN(auto pw, mrz_password(ctx.g.mrz));
    DNIE_TRY(s.pace(pw));
    return true;
  }
  SecureBuffer can;
  if (!ctx.g.can.empty()) {
    can = SecureBuffer::from_string(ctx.g.can);
  } else if (const char* env = std::getenv("DNIE_CAN"); env && *env) {
    can = SecureBuffer::from_string(env);
  } else if (interactive()) {
    DNIE_ASSIGN_OR_RETURN(can, prompt_secret("CAN (6 digits printed on the card): "));
  } else if (required) {
    return Error(
        ErrorCode::InvalidArgument,
        "no CAN: use --can NNNNNN (printed on the card), DNIE_CAN, or --mrz (virtual card: --can 123456)");
  } else {
    return false;
  }
  const std::string_view digits(reinterpret_cast<const char*>(can.data()), can.size());
  DNIE_ASSIGN_OR_RETURN(auto pw, auth::PacePassword::can(digits));
  DNIE_TRY(s.pace(pw));
  return true;
}

}  // namespace dnie::cli
