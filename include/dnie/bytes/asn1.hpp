// SPDX-License-Identifier: Apache-2.0
// File: dnie/bytes/asn1.hpp
// Small ASN.1 DER helpers on top of tlv.hpp (ITU-T X.690): universal tags, OBJECT IDENTIFIER
// text conversion, INTEGER and time decoding, and builders for the common types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dnie/bytes/tlv.hpp"

namespace dnie::asn1 {

enum Tag : std::uint32_t {
  kBoolean = 0x01,
  kInteger = 0x02,
  kBitString = 0x03,
  kOctetString = 0x04,
  kNull = 0x05,
  kOid = 0x06,
  kEnumerated = 0x0A,
  kUtf8String = 0x0C,
  kPrintableString = 0x13,
  kT61String = 0x14,
  kIa5String = 0x16,
  kUtcTime = 0x17,
  kGeneralizedTime = 0x18,
  kVisibleString = 0x1A,
  kBmpString = 0x1E,
  kSequence = 0x30,
  kSet = 0x31,
};

/// Content octets of an OID → "2.5.4.3". MalformedData on bad encodings.
Result<std::string> oid_to_string(ByteView content);
/// "2.5.4.3" → content octets (no tag/length).
Result<Bytes> oid_from_string(std::string_view dotted);
/// Full DER OID element (06 len content) from dotted text; aborts on a bad literal (constants).
Bytes oid(std::string_view dotted);

/// INTEGER content → unsigned magnitude without the sign byte. Negative values are rejected
/// unless `allow_negative` (then the two's complement bytes are returned as they are).
Result<Bytes> integer_unsigned(ByteView content, bool allow_negative = false);
/// INTEGER content → int64 (MalformedData if it does not fit).
Result<std::int64_t> integer_value(ByteView content);

/// Seconds since the Unix epoch (UTC) from UTCTime / GeneralizedTime content ("Z" form only).
Result<std::int64_t> parse_time(std::uint32_t tag, ByteView content);
/// Formats seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ".
std::string format_time(std::int64_t unix_seconds);
/// Days since 1970-01-01 for a civil date (proleptic Gregorian).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept;

/// Text value of a string type (UTF8/Printable/IA5/Visible/T61 as bytes, BMP to UTF-8).
Result<std::string> string_value(const tlv::Tlv& t);

// ---- builders (DER) ---------------------------------------------------------------------
Bytes integer(ByteView unsigned_be);  ///< Adds a 00 sign byte when needed, strips leading zeros.
Bytes integer(std::int64_t v);
Bytes octet_string(ByteView v);
Bytes bit_string(ByteView v, std::uint8_t unused_bits = 0);
Bytes null();
Bytes boolean(bool v);
Bytes utf8_string(std::string_view s);
Bytes printable_string(std::string_view s);
Bytes sequence(std::initializer_list<ByteView> children);
Bytes set(std::initializer_list<ByteView> children);  ///< DER SET OF: children sorted.
Bytes utc_time(std::int64_t unix_seconds);
Bytes generalized_time(std::int64_t unix_seconds);
/// RFC 5280 rule: UTCTime up to 2049, GeneralizedTime from 2050.
Bytes x509_time(std::int64_t unix_seconds);
Bytes context(std::uint8_t number, ByteView content, bool constructed = true);

}  // namespace dnie::asn1
