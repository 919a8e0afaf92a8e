// SPDX-License-Identifier: Apache-2.0
// Fuzz target: BER-TLV parser and ASN.1 helpers (dnie/bytes/tlv.hpp, asn1.hpp).
#include "dnie/bytes/tlv.hpp"

#include "dnie/bytes/asn1.hpp"

#include "driver.hpp"

DNIE_FUZZ_TARGET {
  using namespace dnie;
  for (auto mode : {tlv::Mode::Ber, tlv::Mode::Der}) {
    auto all = tlv::parse_all(input, mode);
    if (all) {
      // Re-encoding a parsed element in DER mode must reproduce it exactly.
      for (const auto& t : *all) {
        DNIE_FUZZ_ASSERT(t.raw.size() == t.header_size() + t.value.size());
        if (mode == tlv::Mode::Der) DNIE_FUZZ_ASSERT(tlv::encode(t.tag, t.value) == t.raw.to_bytes());
        if (t.tag == asn1::kOid) (void)asn1::oid_to_string(t.value);
        if (t.tag == asn1::kInteger) {
          (void)asn1::integer_unsigned(t.value, true);
          (void)asn1::integer_value(t.value);
        }
        if (t.tag == asn1::kUtcTime || t.tag == asn1::kGeneralizedTime)
          (void)asn1::parse_time(t.tag, t.value);
        (void)asn1::string_value(t);
        if (t.constructed()) (void)tlv::parse_all(t.value, mode);
      }
    }
  }
  (void)tlv::parse_header(input);
  (void)tlv::find(input, 0x5F1F);
}
