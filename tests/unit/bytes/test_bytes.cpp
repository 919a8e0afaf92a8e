// SPDX-License-Identifier: Apache-2.0
#include <atomic>
#include <string>
#include <type_traits>

#include <doctest/doctest.h>

#include "dnie/bytes/bytes.hpp"
#include "dnie/bytes/log.hpp"
#include "dnie/bytes/secure.hpp"

using namespace dnie;

TEST_CASE("hex round trip and lenient separators") {
  CHECK(to_hex(hex_bytes("00ff10")) == "00FF10");
  CHECK(to_hex(hex_bytes("de ad:be\tef")) == "DEADBEEF");
  CHECK(to_hex(hex_bytes("0102"), ' ') == "01 02");
  CHECK(from_hex("abc").error().code == ErrorCode::InvalidArgument);
  CHECK(from_hex("zz").error().code == ErrorCode::InvalidArgument);
  CHECK(from_hex("").value().empty());
}

TEST_CASE("ByteView subviews are clamped") {
  Bytes b = hex_bytes("0102030405");
  ByteView v(b);
  CHECK(v.subview(1, 2) == ByteView(hex_bytes("0203")));
  CHECK(v.subview(4, 100).size() == 1);
  CHECK(v.subview(9).empty());
  CHECK(v.last(2) == ByteView(hex_bytes("0405")));
  CHECK(v.starts_with(hex_bytes("0102")));
  CHECK_FALSE(v.starts_with(hex_bytes("0203")));
}

TEST_CASE("big-endian helpers and BufferReader") {
  CHECK(to_hex(be_bytes(0x0102, 4)) == "00000102");
  CHECK(be_value(hex_bytes("0A0B")) == 0x0A0B);
  Bytes b = hex_bytes("0102030405060708090A");
  BufferReader r(b);
  CHECK(r.u8().value() == 1);
  CHECK(r.u16_be().value() == 0x0203);
  CHECK(r.u32_le().value() == 0x07060504u);
  CHECK(r.take(4).error().code == ErrorCode::MalformedData);  // only 3 left
  CHECK(r.take(3).value().size() == 3);
  CHECK(r.empty());
  CHECK(r.u8().error().code == ErrorCode::MalformedData);
}

TEST_CASE("SecureBuffer is move-only, wipes, compares in constant time") {
  static_assert(!std::is_copy_constructible<SecureBuffer>::value, "SecureBuffer must not be copyable");
  static_assert(std::is_nothrow_move_constructible<SecureBuffer>::value, "movable");
  SecureBuffer a = SecureBuffer::from_string("123456");
  CHECK(a.size() == 6);
  CHECK(a.equals(ByteView::of("123456")));
  CHECK_FALSE(a.equals(ByteView::of("123457")));
  CHECK_FALSE(a.equals(ByteView::of("12345")));
  SecureBuffer b = std::move(a);
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  CHECK(b.size() == 6);
  b.append(ByteView::of("78"));
  CHECK(b.equals(ByteView::of("12345678")));
  b.truncate(2);
  CHECK(b.equals(ByteView::of("12")));
  SecureBuffer c = b.clone();
  CHECK(c.equals(b.view()));
  Bytes src = hex_bytes("AABB");
  SecureBuffer d = SecureBuffer::adopt(std::move(src));
  CHECK(d.equals(hex_bytes("AABB")));
  d.clear();
  CHECK(d.empty());
}

TEST_CASE("secure_wipe zeroes memory") {
  Bytes b = hex_bytes("FFFFFFFF");
  secure_wipe(b.data(), b.size());
  CHECK(b == Bytes(4, 0));
  CHECK(ct_equal(hex_bytes("0102"), hex_bytes("0102")));
  CHECK_FALSE(ct_equal(hex_bytes("0102"), hex_bytes("0103")));
}

TEST_CASE("errors render with code, tries and status word") {
  Error e(ErrorCode::WrongPin, "VERIFY failed");
  e.with_tries(2).with_sw(0x63C2);
  CHECK(e.to_string() == "WrongPin: VERIFY failed (2 tries left) [sw=63C2]");
  e.context("PIN");
  CHECK(e.message == "PIN: VERIFY failed");
  CHECK(error_code_name(ErrorCode::PinBlocked) == "PinBlocked");
  CHECK(!error_code_hint(ErrorCode::WrongCan).empty());
  CHECK(static_cast<int>(ErrorCode::WrongCan) == 20);  // stable numbers (C API)
}

static Result<int> parse_positive(int v) {
  if (v < 0) return make_error(ErrorCode::InvalidArgument, "negative");
  return v;
}
static Result<int> twice(int v) {
  DNIE_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}
static Status check(int v) {
  DNIE_TRY(parse_positive(v));
  return ok_status();
}

TEST_CASE("Result propagation macros") {
  CHECK(twice(4).value() == 8);
  CHECK(twice(-1).error().code == ErrorCode::InvalidArgument);
  CHECK(check(1).ok());
  CHECK(check(-1).error().message == "negative");
  Result<std::string> s = std::string("x");
  CHECK(s->size() == 1);
  CHECK(Result<int>(make_error(ErrorCode::Timeout, "t")).value_or(7) == 7);
}

TEST_CASE("error() on a success is the same bug for Result<T> and Status: InternalError, never Ok") {
  // An Error with code Ok inside a failed Result would read as success to a C caller.
  const Result<int> r = 1;
  const Status st = ok_status();
  CHECK(r.error().code == ErrorCode::InternalError);
  CHECK(st.error().code == ErrorCode::InternalError);
  CHECK(r.error().message == st.error().message);
  CHECK(Result<int>(1).error().code == ErrorCode::InternalError);  // the rvalue overloads too
  CHECK(Status().error().code == ErrorCode::InternalError);
  // A misplaced `return r.error();` still fails.
  const Status propagated = Status().error();
  CHECK_FALSE(propagated.ok());
  // Failures keep their own error.
  CHECK(Status(make_error(ErrorCode::Timeout, "t")).error().code == ErrorCode::Timeout);
}

TEST_CASE("log sink receives messages at or above the level and never by default") {
  std::atomic<int> n{0};
  log(LogLevel::Error, "test", "dropped: no sink");
  set_log_sink(
      [&n](LogLevel, std::string_view c, std::string_view m) {
        CHECK(c == "test");
        CHECK(!m.empty());
        ++n;
      },
      LogLevel::Info);
  log(LogLevel::Debug, "test", "below level");
  log(LogLevel::Info, "test", "hello");
  CHECK(log_enabled(LogLevel::Warning));
  set_log_sink(nullptr);
  log(LogLevel::Error, "test", "dropped again");
  CHECK(n == 1);
}

TEST_CASE("json_escape: quotes, backslashes and control characters (RFC 8259 §7)") {
  CHECK(json_escape("plain ÑÜ") == "plain ÑÜ");
  CHECK(json_escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(json_escape(std::string_view("\x1b[8m\0x", 6)) == "\\u001b[8m\\u0000x");
}

TEST_CASE("link_lost and read_resumable: the errors a read resumes after") {
  for (ErrorCode c : {ErrorCode::CardRemoved, ErrorCode::CardReset, ErrorCode::NoCard, ErrorCode::Timeout,
                      ErrorCode::TransportError}) {
    CHECK(link_lost(c));
    CHECK(read_resumable(c));
  }
  CHECK_FALSE(link_lost(ErrorCode::SecureMessagingError));
  CHECK(read_resumable(ErrorCode::SecureMessagingError));
  for (ErrorCode c :
       {ErrorCode::WrongPin, ErrorCode::MalformedData, ErrorCode::Ok, ErrorCode::InternalError}) {
    CHECK_FALSE(link_lost(c));
    CHECK_FALSE(read_resumable(c));
  }
}
