// SPDX-License-Identifier: Apache-2.0
// Link model for benchmarks (CardOptions::link): modeled time of an exchange on ISO/IEC 14443-4
// plus card processing costs. Nothing here sleeps; the time is only accumulated.
//
// Framing (ISO/IEC 14443-4 §7): an APDU travels in I-blocks of at most FSC/FSD bytes, each with
// a PCB byte and a 2-byte CRC (3 bytes of overhead, no CID/NAD); a chained I-block is
// acknowledged by an R(ACK) block (PCB + CRC). Bits on the wire = bytes × 8 (start/stop bits,
// SOF/EOF and parity are folded into frame_overhead_bits when the caller sets it).
//
// Processing costs are ESTIMATES for an Infineon SLE78-class chip (no DNIe-specific timings
// were found, docs/dnie-card.md §7.1):
//   EC scalar multiplication, 256-bit curve: ~50 ms (estimate), scaled quadratically with size;
//   DH modular exponentiation, 1024-bit modulus, 160-bit exponent: ~30 ms (estimate), scaled
//   with modulus² × exponent length;
//   RSA-2048 private operation (CRT): ~200 ms (estimate), scaled with modulus³ (RSA-1024 ~25 ms);
//   symmetric crypto: 0.002 ms per byte (estimate; negligible); EEPROM read: 0.2 ms + 0.002 ms per
//   byte (estimate).
#include <cmath>

#include "vcard/engine.hpp"

namespace dnie::vcard {

namespace {
struct Frames {
  std::size_t blocks = 0;  ///< I-blocks
  std::size_t acks = 0;    ///< R(ACK) blocks from the other side
};

Frames frames_for(std::size_t bytes, std::size_t frame_size) {
  const std::size_t payload = frame_size > 3 ? frame_size - 3 : 1;
  Frames f;
  f.blocks = bytes == 0 ? 1 : (bytes + payload - 1) / payload;
  f.acks = f.blocks - 1;
  return f;
}
}  // namespace

double link_time_ms(const LinkModel& m, std::size_t command_bytes, std::size_t response_bytes) {
  const std::size_t fs = m.frame_size == 0 ? 256 : m.frame_size;
  const Frames c = frames_for(command_bytes, fs);
  const Frames r = frames_for(response_bytes, fs);
  const double overhead_bits = m.frame_overhead_bits > 0 ? m.frame_overhead_bits : 3.0 * 8.0;
  const std::size_t all_frames = c.blocks + c.acks + r.blocks + r.acks;
  const double bits = static_cast<double>(command_bytes + response_bytes) * 8.0 +
                      static_cast<double>(all_frames) * overhead_bits;
  const double kbps = m.bit_rate_kbps == 0 ? 106.0 : static_cast<double>(m.bit_rate_kbps);
  // kbit/s = bits per ms. One turnaround per frame exchange (chained blocks wait for R(ACK)).
  const double turnarounds = static_cast<double>(1 + c.acks + r.acks);
  return bits / kbps + turnarounds * m.turnaround_ms;
}

namespace cost {
double scalar_mult(std::size_t field_bytes) {
  const double r = static_cast<double>(field_bytes) / 32.0;
  return 50.0 * r * r;
}
double modexp(std::size_t modulus_bytes, std::size_t exponent_bytes) {
  const double r = static_cast<double>(modulus_bytes) / 128.0;
  const double e = static_cast<double>(exponent_bytes == 0 ? modulus_bytes : exponent_bytes) / 20.0;
  return 30.0 * r * r * e;
}
double rsa_private(std::size_t modulus_bytes) {
  const double r = static_cast<double>(modulus_bytes) / 256.0;
  return 200.0 * r * r * r;
}
double symmetric(std::size_t bytes) { return 0.002 * static_cast<double>(bytes); }
double file_read(std::size_t bytes) { return 0.2 + 0.002 * static_cast<double>(bytes); }
}  // namespace cost

}  // namespace dnie::vcard
