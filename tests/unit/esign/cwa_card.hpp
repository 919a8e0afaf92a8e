// SPDX-License-Identifier: Apache-2.0
// Test-only card side of CWA-14890 device authentication (just enough for the engine tests):
// checks the CV chain from the test root, answers INTERNAL AUTHENTICATE and checks EXTERNAL
// AUTHENTICATE with crypto primitives (CWA 14890-1 §8.4). No secure messaging.
#pragma once

#include <optional>

#include "dnie/apdu/apdu.hpp"
#include "dnie/auth/cwa14890.hpp"
#include "dnie/crypto/hash.hpp"

#include "crypto/bigint.hpp"
#include "test_support.hpp"

namespace dnie::test {

inline Bytes min_sig(ByteView s, ByteView n) {
  auto bs = crypto::BigInt::from_bytes(s), bn = crypto::BigInt::from_bytes(n);
  auto other = bn.sub(bs).value();
  return (other < bs ? other : bs).to_bytes(n.size()).value();
}

struct CwaCard {
  crypto::RsaPublicKey root;
  crypto::RsaPrivateKey icc;
  Bytes sn_icc = hex_bytes("0011223344556677");
  Bytes rnd_icc = hex_bytes("A1A2A3A4A5A6A7A8");
  Bytes prnd1 = Bytes(74, 0x5A);
  Bytes kicc = Bytes(32, 0x3C);
  std::optional<crypto::RsaPublicKey> current, ca_key, ifd_key;
  Bytes ca_chr, ifd_chr, rnd_ifd;
  Bytes kifd_seen;  ///< Kifd recovered from EXTERNAL AUTHENTICATE
  bool authenticated = false;
  int commands = 0;

  CwaCard(crypto::RsaPublicKey r, crypto::RsaPrivateKey k) : root(std::move(r)), icc(std::move(k)) {}

  static Bytes sw(std::uint16_t s) {
    return {static_cast<std::uint8_t>(s >> 8), static_cast<std::uint8_t>(s)};
  }

  Bytes handle(ByteView raw) {
    ++commands;
    auto c = apdu::CommandApdu::parse(raw).value();
    const Bytes d = c.data().to_bytes();
    if (c.ins() == 0x22 && c.p1() == 0x81 && d == hex_bytes("8302020F")) {
      current = root;
      return sw(0x9000);
    }
    if (c.ins() == 0x2A && c.p2() == 0xAE) {
      if (!current) return sw(0x6985);
      auto cert = auth::parse_cv_certificate(d);
      if (!cert) return sw(0x6A80);
      auto msg = auth::recover_cv_message(*cert, *current);
      if (!msg) return sw(0x6A80);
      auto body = auth::decode_cv_body(*msg).value();
      auto key = crypto::RsaPublicKey::from_components(body.modulus, body.exponent).value();
      if (ca_key) {
        ifd_key = key;
        ifd_chr = ByteView(body.chr).last(8).to_bytes();
      } else {
        ca_key = key;
        ca_chr = ByteView(body.chr).last(8).to_bytes();
      }
      return sw(0x9000);
    }
    if (c.ins() == 0x22 && c.p1() == 0x81 && d.size() == 10) {
      if (!ca_key || ByteView(d).subview(2) != ByteView(ca_chr)) return sw(0x6A88);
      current = ca_key;
      return sw(0x9000);
    }
    if (c.ins() == 0x22 && c.p1() == 0xC1) {
      if (!ifd_key || d != concat({hex_bytes("830C00000000"), ifd_chr, hex_bytes("8402021F")}))
        return sw(0x6A88);
      return sw(0x9000);
    }
    if (c.ins() == 0x88) {
      rnd_ifd = ByteView(d).first(8).to_bytes();
      Bytes frame = {0x6A};
      append(frame, prnd1);
      append(frame, kicc);
      append(frame,
             crypto::hash(crypto::HashAlg::Sha1, concat({prnd1, kicc, rnd_ifd, ByteView(d).subview(8)})));
      frame.push_back(0xBC);
      Bytes s = icc.private_op(frame)->view().to_bytes();
      Bytes out = ifd_key->public_op(min_sig(s, icc.public_key().modulus()))->view().to_bytes();
      append(out, sw(0x9000));
      return out;
    }
    if (c.ins() == 0x84) return concat({rnd_icc, sw(0x9000)});
    if (c.ins() == 0x82) {
      Bytes sigmin = icc.private_op(d)->view().to_bytes();
      Bytes f = ifd_key->public_op(sigmin)->view().to_bytes();
      if (f[0] != 0x6A || f.back() != 0xBC) {
        auto n = crypto::BigInt::from_bytes(ifd_key->modulus());
        f = n.sub(crypto::BigInt::from_bytes(f)).value().to_bytes(128).value();
      }
      if (f[0] != 0x6A || f.back() != 0xBC) return sw(0x6300);
      ByteView fv(f);
      Bytes h = crypto::hash(crypto::HashAlg::Sha1, concat({fv.subview(1, 106), rnd_icc, sn_icc}));
      if (h != fv.subview(107, 20).to_bytes()) return sw(0x6300);
      kifd_seen = fv.subview(75, 32).to_bytes();
      authenticated = true;
      return sw(0x9000);
    }
    return sw(0x6D00);
  }
};

}  // namespace dnie::test
