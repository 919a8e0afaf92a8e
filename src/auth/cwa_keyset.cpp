// SPDX-License-Identifier: Apache-2.0
// CWA-14890 terminal key sets (docs/keysets.md) and CV certificates with ISO/IEC 9796-2 scheme 1
// message recovery (CWA 14890-1 §A.3; ISO/IEC 9796-2 §8, SHA-1, partial recovery).
#include <algorithm>
#include <cstdlib>

#include "dnie/auth/cwa14890.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/hash.hpp"

#include "crypto/bigint.hpp"

namespace dnie::auth {

namespace {

constexpr std::size_t kShaLen = 20;

Error bad(std::string msg) { return make_error(ErrorCode::MalformedData, std::move(msg)); }

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> split_alternatives(std::string_view v) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= v.size()) {
    std::size_t bar = v.find('|', start);
    if (bar == std::string_view::npos) bar = v.size();
    std::string item = trim(v.substr(start, bar - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = bar + 1;
  }
  return out;
}

std::string join_alternatives(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += '|';
    out += s;
  }
  return out;
}

/// Left-pads (or strips leading zeros of) a big-endian value to `width` bytes.
Result<Bytes> fit(ByteView v, std::size_t width) {
  std::size_t skip = 0;
  while (skip < v.size() && v[skip] == 0 && v.size() - skip > width) ++skip;
  if (v.size() - skip > width) return bad("value longer than " + std::to_string(width) + " bytes");
  Bytes out(width - (v.size() - skip), 0);
  append(out, v.subview(skip));
  return out;
}

/// ISO/IEC 9796-2 §B: the signature is min(S, N − S).
Result<Bytes> min_sig(ByteView s, ByteView modulus) {
  crypto::BigInt bs = crypto::BigInt::from_bytes(s), bn = crypto::BigInt::from_bytes(modulus);
  DNIE_ASSIGN_OR_RETURN(crypto::BigInt other, bn.sub(bs));
  return (other < bs ? other : bs).to_bytes(modulus.size());
}

}  // namespace

std::string_view cwa_channel_name(CwaChannel c) noexcept { return c == CwaChannel::Pin ? "pin" : "user"; }

CwaKeySet CwaKeySet::clone() const {
  CwaKeySet k;
  k.id = id;
  k.generation = generation;
  k.channel = channel;
  k.test_only = test_only;
  k.ca_chr = ca_chr;
  k.c_cv_ca = c_cv_ca;
  k.c_cv_ifd = c_cv_ifd;
  k.ifd_chr = ifd_chr;
  k.ifd_modulus = ifd_modulus;
  k.ifd_public_exponent = ifd_public_exponent;
  k.ifd_private_exponent = ifd_private_exponent.clone();
  k.issuer_contains = issuer_contains;
  k.issuer_excludes = issuer_excludes;
  k.idesp_min = idesp_min;
  k.idesp_max = idesp_max;
  k.priority = priority;
  k.provenance = provenance;
  k.root_modulus = root_modulus;
  k.root_exponent = root_exponent;
  return k;
}

Result<CwaKeySet> parse_keyset(std::string_view text) {
  CwaKeySet ks;
  bool have_channel = false, have_d = false;
  std::size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const std::size_t eq = line.find('=');
    const std::string where = "key set line " + std::to_string(line_no);
    if (eq == std::string::npos) return bad(where + ": expected key=value");
    const std::string key = trim(std::string_view(line).substr(0, eq));
    const std::string value = trim(std::string_view(line).substr(eq + 1));
    auto hex = [&](Bytes& out) -> Status {
      auto b = from_hex(value);
      if (!b) return bad(where + ": " + key + " is not hex");
      out = std::move(b).value();
      return ok_status();
    };
    if (key == "format") {
      if (value != "dnie-cwa-keyset/1") return bad(where + ": unknown format " + value);
    } else if (key == "id")
      ks.id = value;
    else if (key == "generation")
      ks.generation = value;
    else if (key == "channel") {
      if (value == "pin")
        ks.channel = CwaChannel::Pin;
      else if (value == "user")
        ks.channel = CwaChannel::User;
      else
        return bad(where + ": channel must be pin or user");
      have_channel = true;
    } else if (key == "test_only") {
      if (value != "true" && value != "false") return bad(where + ": test_only must be true or false");
      ks.test_only = value == "true";
    } else if (key == "ca_chr") {
      DNIE_TRY(hex(ks.ca_chr));
    } else if (key == "c_cv_ca") {
      DNIE_TRY(hex(ks.c_cv_ca));
    } else if (key == "c_cv_ifd") {
      DNIE_TRY(hex(ks.c_cv_ifd));
    } else if (key == "ifd_chr") {
      DNIE_TRY(hex(ks.ifd_chr));
    } else if (key == "ifd_modulus") {
      DNIE_TRY(hex(ks.ifd_modulus));
    } else if (key == "ifd_public_exponent") {
      DNIE_TRY(hex(ks.ifd_public_exponent));
    } else if (key == "ifd_private_exponent") {
      Bytes d;
      DNIE_TRY(hex(d));
      ks.ifd_private_exponent = SecureBuffer::adopt(std::move(d));
      have_d = true;
    } else if (key == "root_modulus") {
      DNIE_TRY(hex(ks.root_modulus));
    } else if (key == "root_exponent") {
      DNIE_TRY(hex(ks.root_exponent));
    } else if (key == "select.issuer_contains")
      ks.issuer_contains = split_alternatives(value);
    else if (key == "select.issuer_excludes")
      ks.issuer_excludes = split_alternatives(value);
    else if (key == "select.idesp_min")
      ks.idesp_min = value;
    else if (key == "select.idesp_max")
      ks.idesp_max = value;
    else if (key == "select.priority") {
      char* end = nullptr;
      const long p = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != 0 || p < -1000 || p > 1000) return bad(where + ": bad priority");
      ks.priority = static_cast<int>(p);
    } else if (key == "provenance") {
      if (!ks.provenance.empty()) ks.provenance += '\n';
      ks.provenance += value;
    } else if (key.rfind("x-", 0) == 0) {
      // extension field: ignored
    } else {
      return bad(where + ": unknown key " + key);
    }
  }
  if (ks.id.empty()) return bad("key set: id missing");
  const std::string who = "key set " + ks.id + ": ";
  if (ks.generation.empty() || !have_channel) return bad(who + "generation or channel missing");
  if (ks.ca_chr.size() != 8 || ks.ifd_chr.size() != 8) return bad(who + "ca_chr and ifd_chr must be 8 bytes");
  if (ks.c_cv_ca.empty() || ks.c_cv_ifd.empty()) return bad(who + "certificates missing");
  if (ks.ifd_modulus.size() < 64 || ks.ifd_public_exponent.empty() || !have_d)
    return bad(who + "IFD key missing");
  return ks;
}

std::string serialize_keyset(const CwaKeySet& ks) {
  std::string out = "format=dnie-cwa-keyset/1\n";
  auto kv = [&](std::string_view k, std::string_view v) { out.append(k).append("=").append(v).append("\n"); };
  kv("id", ks.id);
  kv("generation", ks.generation);
  kv("channel", cwa_channel_name(ks.channel));
  kv("test_only", ks.test_only ? "true" : "false");
  kv("ca_chr", to_hex(ks.ca_chr));
  kv("c_cv_ca", to_hex(ks.c_cv_ca));
  kv("c_cv_ifd", to_hex(ks.c_cv_ifd));
  kv("ifd_chr", to_hex(ks.ifd_chr));
  kv("ifd_modulus", to_hex(ks.ifd_modulus));
  kv("ifd_public_exponent", to_hex(ks.ifd_public_exponent));
  kv("ifd_private_exponent", to_hex(ks.ifd_private_exponent.view()));
  if (!ks.issuer_contains.empty()) kv("select.issuer_contains", join_alternatives(ks.issuer_contains));
  if (!ks.issuer_excludes.empty()) kv("select.issuer_excludes", join_alternatives(ks.issuer_excludes));
  if (!ks.idesp_min.empty()) kv("select.idesp_min", ks.idesp_min);
  if (!ks.idesp_max.empty()) kv("select.idesp_max", ks.idesp_max);
  if (ks.priority != 0) kv("select.priority", std::to_string(ks.priority));
  if (!ks.root_modulus.empty()) kv("root_modulus", to_hex(ks.root_modulus));
  if (!ks.root_exponent.empty()) kv("root_exponent", to_hex(ks.root_exponent));
  std::size_t start = 0;
  while (start < ks.provenance.size()) {
    std::size_t nl = ks.provenance.find('\n', start);
    if (nl == std::string::npos) nl = ks.provenance.size();
    kv("provenance", std::string_view(ks.provenance).substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

Result<crypto::RsaPrivateKey> keyset_private_key(const CwaKeySet& ks) {
  return crypto::RsaPrivateKey::from_components(ks.ifd_modulus, ks.ifd_public_exponent,
                                                ks.ifd_private_exponent.view());
}

// ---- CV certificates ----------------------------------------------------------------------------

Result<CvCertificate> parse_cv_certificate(ByteView der) {
  DNIE_ASSIGN_OR_RETURN(auto outer, tlv::parse_single(der));
  if (outer.tag != 0x7F21) return bad("CV certificate: tag 7F21 expected");
  tlv::Reader r(outer.value);
  CvCertificate c;
  DNIE_ASSIGN_OR_RETURN(auto sig, r.expect(0x5F37));
  DNIE_ASSIGN_OR_RETURN(auto rem, r.expect(0x5F38));
  DNIE_ASSIGN_OR_RETURN(auto car, r.expect(0x42));
  if (!r.empty()) return bad("CV certificate: trailing data");
  if (sig.value.size() < 64 || car.value.size() != 8) return bad("CV certificate: bad signature or CAR size");
  c.signature = sig.value.to_bytes();
  c.remainder = rem.value.to_bytes();
  c.car = car.value.to_bytes();
  return c;
}

Bytes encode_cv_body(const CvBody& b) {
  Bytes out = {0x41};  // CPI
  append(out, fit(b.car, 8).value_or(Bytes(8, 0)));
  append(out, fit(b.chr, 12).value_or(Bytes(12, 0)));
  append(out, fit(b.cha, 7).value_or(Bytes(7, 0)));
  append(out, fit(b.modulus, 128).value_or(Bytes(128, 0)));
  append(out, fit(b.exponent, 4).value_or(Bytes(4, 0)));
  return out;
}

Result<CvBody> decode_cv_body(ByteView m) {
  // CPI ‖ CAR 8 ‖ CHR 12 ‖ CHA 7 ‖ [algorithm OID] ‖ n 128 ‖ e 4. The test sets use CPI 41 and no
  // OID (160 bytes); the DNIe's production certificates carry CPI 03 (C_CV_CA) or 04 (C_CV_IFD)
  // and the OID of their signature scheme (167 / 166 bytes), as recovered with the component
  // roots (tests/unit/esign/test_keysets.cpp).
  if (m.size() < 160 || m.size() > 160 + 16) return bad("CV certificate body: unexpected layout");
  const std::size_t oid_len = m.size() - 160;
  if ((oid_len == 0) != (m[0] == 0x41)) return bad("CV certificate body: unexpected layout");
  CvBody b;
  b.cpi = m[0];
  b.car = m.subview(1, 8).to_bytes();
  b.chr = m.subview(9, 12).to_bytes();
  b.cha = m.subview(21, 7).to_bytes();
  b.oid = m.subview(28, oid_len).to_bytes();
  b.modulus = m.subview(28 + oid_len, 128).to_bytes();
  b.exponent = m.subview(156 + oid_len, 4).to_bytes();
  return b;
}

Result<Bytes> make_cv_certificate(ByteView message, ByteView car, const crypto::RsaPrivateKey& signer) {
  const std::size_t k = signer.size();
  if (k < kShaLen + 3 || message.size() < k - kShaLen - 2 || car.size() != 8)
    return make_error(ErrorCode::InvalidArgument, "CV certificate: message too short for the key");
  const std::size_t m1 = k - kShaLen - 2;
  Bytes frame = {0x6A};
  append(frame, message.first(m1));
  append(frame, crypto::hash(crypto::HashAlg::Sha1, message));
  frame.push_back(0xBC);
  DNIE_ASSIGN_OR_RETURN(SecureBuffer s, signer.private_op(frame));
  DNIE_ASSIGN_OR_RETURN(Bytes sig, min_sig(s.view(), signer.public_key().modulus()));
  return tlv::encode(0x7F21, concat({tlv::encode(0x5F37, sig), tlv::encode(0x5F38, message.subview(m1)),
                                     tlv::encode(0x42, car)}));
}

Result<Bytes> recover_cv_message(const CvCertificate& cert, const crypto::RsaPublicKey& signer) {
  const std::size_t k = signer.size();
  if (cert.signature.size() != k)
    return make_error(ErrorCode::VerificationFailed, "CV signature size does not match the key");
  auto j = signer.public_op(cert.signature);
  if (!j) return make_error(ErrorCode::VerificationFailed, "CV signature out of range");
  Bytes f = j->view().to_bytes();  // a certificate's content: public
  if ((f.back() & 0x0F) != 0x0C) {
    crypto::BigInt n = crypto::BigInt::from_bytes(signer.modulus());
    DNIE_ASSIGN_OR_RETURN(crypto::BigInt alt, n.sub(crypto::BigInt::from_bytes(f)));
    DNIE_ASSIGN_OR_RETURN(f, alt.to_bytes(k));
  }
  if (f.front() != 0x6A || f.back() != 0xBC)
    return make_error(ErrorCode::VerificationFailed, "CV certificate: ISO 9796-2 frame not recovered");
  Bytes m = ByteView(f).subview(1, k - kShaLen - 2).to_bytes();
  append(m, cert.remainder);
  if (!ct_equal(crypto::hash(crypto::HashAlg::Sha1, m), ByteView(f).subview(k - kShaLen - 1, kShaLen)))
    return make_error(ErrorCode::VerificationFailed, "CV certificate: hash mismatch");
  return m;
}

// ---- self-consistency -----------------------------------------------------------------------------

Result<KeySetCheck> check_keyset(const CwaKeySet& ks, const crypto::RsaPublicKey* root) {
  KeySetCheck c;
  const std::string who = "key set " + ks.id + ": ";
  auto fail = [&](std::string what) { return make_error(ErrorCode::VerificationFailed, who + what); };
  // (1) d inverts e: raw RSA round trip on a random value below n.
  auto key = keyset_private_key(ks);
  if (!key) return fail("IFD key components rejected: " + key.error().message);
  const crypto::RsaPrivateKey& priv = *key;
  DNIE_ASSIGN_OR_RETURN(Bytes x, crypto::system_rng().bytes(priv.size()));
  x[0] = 0;
  DNIE_ASSIGN_OR_RETURN(SecureBuffer y, priv.public_key().public_op(x));
  DNIE_ASSIGN_OR_RETURN(SecureBuffer back, priv.private_op(y.view()));
  if (back.view() != ByteView(x)) return fail("private exponent does not invert the public one");
  c.rsa_round_trip = true;
  // (2) structure, CAR chain and the remainder (the public tail of the IFD key).
  auto ifd = parse_cv_certificate(ks.c_cv_ifd);
  if (!ifd) return fail("C_CV_IFD malformed: " + ifd.error().message);
  c.ifd_cert_well_formed = true;
  auto ca = parse_cv_certificate(ks.c_cv_ca);
  if (!ca) return fail("C_CV_CA malformed: " + ca.error().message);
  c.ca_cert_well_formed = true;
  if (ifd->car != ks.ca_chr) return fail("CAR of C_CV_IFD differs from CHR of C_CV_CA");
  c.ifd_car_matches = true;
  DNIE_ASSIGN_OR_RETURN(Bytes e4, fit(ks.ifd_public_exponent, 4));
  const Bytes& rem = ifd->remainder;
  const std::size_t tail = rem.size() >= 4 ? rem.size() - 4 : 0;
  if (rem.size() < 8 || tail > ks.ifd_modulus.size() || ByteView(rem).subview(tail) != ByteView(e4) ||
      ByteView(rem).first(tail) != ByteView(ks.ifd_modulus).last(tail))
    return fail("remainder of C_CV_IFD is not the tail of the IFD public key");
  c.remainder_matches = true;
  // (3) ISO 9796-2 recovery, root → C_CV_CA → C_CV_IFD.
  if (root == nullptr) {
    c.note = "signatures not checked: no CV root public key (02 0F) given";
    return c;
  }
  DNIE_ASSIGN_OR_RETURN(Bytes ca_msg, recover_cv_message(*ca, *root));
  DNIE_ASSIGN_OR_RETURN(CvBody ca_body, decode_cv_body(ca_msg));
  if (ByteView(ca_body.chr).last(8) != ByteView(ks.ca_chr))
    return fail("CHR inside C_CV_CA differs from ca_chr");
  DNIE_ASSIGN_OR_RETURN(auto ca_key,
                        crypto::RsaPublicKey::from_components(ca_body.modulus, ca_body.exponent));
  DNIE_ASSIGN_OR_RETURN(Bytes ifd_msg, recover_cv_message(*ifd, ca_key));
  DNIE_ASSIGN_OR_RETURN(CvBody ifd_body, decode_cv_body(ifd_msg));
  c.signatures_checked = true;
  DNIE_ASSIGN_OR_RETURN(Bytes n128, fit(ks.ifd_modulus, 128));
  if (ifd_body.modulus != n128 || ifd_body.exponent != e4) return fail("public key inside C_CV_IFD differs");
  c.ifd_key_matches = true;
  if (ByteView(ifd_body.chr).last(8) != ByteView(ks.ifd_chr) || ifd_body.car != ks.ca_chr)
    return fail("CHR/CAR inside C_CV_IFD differ from the key set");
  c.ifd_chr_matches = true;
  return c;
}

}  // namespace dnie::auth
