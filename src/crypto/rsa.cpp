// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/rsa.cpp
// RSA (RFC 8017): raw primitives through mbedtls_rsa_public/private, our own EMSA-PKCS1-v1_5
// and EMSA-PSS verification (so PSS accepts any salt length and PKCS#1 v1.5 accepts DigestInfo
// with or without NULL parameters), signing and key generation through mbedTLS, and PKCS#1 DER
// import/export with the SDK's ASN.1 helpers.
#include "dnie/crypto/rsa.hpp"

#include <algorithm>

#include <mbedtls/rsa.h>

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"

#include "internal.hpp"

namespace dnie::crypto {

using detail::backend_error;
using detail::invalid;
using detail::malformed;
using detail::Mpi;
using detail::mpi_read;
using detail::mpi_write;
using detail::verify_failed;

namespace {

const char* const kRsaEncryption = "1.2.840.113549.1.1.1";
const char* const kRsassaPss = "1.2.840.113549.1.1.10";

ByteView strip(ByteView v) {
  std::size_t i = 0;
  while (i < v.size() && v[i] == 0) ++i;
  return v.subview(i);
}

// RFC 8017 §9.2 note 1: DER prefixes of DigestInfo (NULL parameters).
Bytes digest_info_prefix(HashAlg alg) {
  Bytes algid = asn1::sequence({asn1::oid(hash_oid(alg)), asn1::null()});
  Bytes head = algid;
  std::size_t total = algid.size() + 2 + hash_size(alg);
  Bytes out{0x30};
  tlv::append_length(out, total);
  append(out, head);
  append(out, {0x04, static_cast<std::uint8_t>(hash_size(alg))});
  return out;
}

/// Left-pads `in` to k bytes (InvalidArgument if it does not fit).
Result<SecureBuffer> to_width(ByteView in, std::size_t k) {
  ByteView s = strip(in);
  if (s.size() > k) return invalid("RSA input longer than the modulus");
  SecureBuffer out(k);
  std::copy(s.begin(), s.end(), out.data() + (k - s.size()));
  return out;
}

Status import_public(mbedtls_rsa_context* ctx, ByteView n, ByteView e) {
  ByteView ns = strip(n), es = strip(e);
  if (ns.empty() || es.empty()) return invalid("RSA: empty modulus or exponent");
  if (ns.size() > MBEDTLS_MPI_MAX_SIZE) return detail::unsupported("RSA modulus too large");
  int rc = mbedtls_rsa_import_raw(ctx, ns.data(), ns.size(), nullptr, 0, nullptr, 0, nullptr, 0, es.data(),
                                  es.size());
  if (rc == 0) rc = mbedtls_rsa_complete(ctx);
  if (rc == 0) rc = mbedtls_rsa_check_pubkey(ctx);
  if (rc) return invalid("RSA public key rejected (mbedTLS " + std::to_string(rc) + ")");
  return ok_status();
}

/// MGF1 (RFC 8017 §B.2.1).
Bytes mgf1(HashAlg alg, ByteView seed, std::size_t len) {
  Bytes out;
  for (std::uint32_t c = 0; out.size() < len; ++c) {
    Hasher h(alg);
    h.update(seed);
    h.update(be_bytes(c, 4));
    append(out, h.finish());
  }
  out.resize(len);
  return out;
}

}  // namespace

Result<Bytes> digest_info(HashAlg alg, ByteView digest) {
  if (digest.size() != hash_size(alg)) return invalid("digest length does not match the hash algorithm");
  return concat({digest_info_prefix(alg), digest});
}

// DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }.
Result<ParsedDigestInfo> parse_digest_info(ByteView der) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv seq, tlv::parse_single(der, tlv::Mode::Der));
  if (seq.tag != asn1::kSequence) return malformed("DigestInfo: not a SEQUENCE");
  tlv::Reader rd(seq.value, tlv::Mode::Der);
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv algid, rd.expect(asn1::kSequence));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv dig, rd.expect(asn1::kOctetString));
  if (!rd.empty()) return malformed("DigestInfo: trailing data");
  tlv::Reader ar(algid.value, tlv::Mode::Der);
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv oid, ar.expect(asn1::kOid));
  if (!ar.empty()) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv params, ar.expect(asn1::kNull));
    if (!params.value.empty() || !ar.empty()) return malformed("DigestInfo: bad parameters");
  }
  DNIE_ASSIGN_OR_RETURN(std::string dotted, asn1::oid_to_string(oid.value));
  DNIE_ASSIGN_OR_RETURN(HashAlg alg, hash_from_oid(dotted));
  if (dig.value.size() != hash_size(alg)) return malformed("DigestInfo: digest length mismatch");
  return ParsedDigestInfo{alg, dig.value.to_bytes()};
}

// ---- RsaPublicKey -----------------------------------------------------------------------

RsaPublicKey::RsaPublicKey(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
RsaPublicKey::RsaPublicKey(const RsaPublicKey& o) : m_impl(std::make_unique<Impl>()) {
  (void)mbedtls_rsa_copy(&m_impl->ctx, &o.m_impl->ctx);
}
RsaPublicKey& RsaPublicKey::operator=(const RsaPublicKey& o) {
  if (this != &o) {
    auto impl = std::make_unique<Impl>();
    (void)mbedtls_rsa_copy(&impl->ctx, &o.m_impl->ctx);
    m_impl = std::move(impl);
  }
  return *this;
}
RsaPublicKey::RsaPublicKey(RsaPublicKey&&) noexcept = default;
RsaPublicKey& RsaPublicKey::operator=(RsaPublicKey&&) noexcept = default;
RsaPublicKey::~RsaPublicKey() = default;

Result<RsaPublicKey> RsaPublicKey::from_components(ByteView modulus, ByteView exponent) {
  auto impl = std::make_unique<Impl>();
  DNIE_TRY(import_public(&impl->ctx, modulus, exponent));
  return RsaPublicKey(std::move(impl));
}

// RFC 8017 §A.1.1 RSAPublicKey, or RFC 5280 §4.1.2.7 SubjectPublicKeyInfo (RFC 3279 §2.3.1).
Result<RsaPublicKey> RsaPublicKey::from_der(ByteView der) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv seq, tlv::parse_single(der));
  if (seq.tag != asn1::kSequence) return malformed("RSA key: not a SEQUENCE");
  tlv::Reader rd(seq.value);
  if (rd.peek_tag() == asn1::kSequence) {  // SubjectPublicKeyInfo
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv algid, rd.next());
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv bits, rd.expect(asn1::kBitString));
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv oid, tlv::Reader(algid.value).expect(asn1::kOid));
    DNIE_ASSIGN_OR_RETURN(std::string dotted, asn1::oid_to_string(oid.value));
    if (dotted != kRsaEncryption && dotted != kRsassaPss)
      return detail::unsupported("SubjectPublicKeyInfo is not an RSA key (" + dotted + ")");
    if (bits.value.empty() || bits.value[0] != 0) return malformed("RSA key: bad BIT STRING");
    return from_der(bits.value.subview(1));
  }
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv n, rd.expect(asn1::kInteger));
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv e, rd.expect(asn1::kInteger));
  if (!rd.empty()) return malformed("RSAPublicKey: trailing data");
  DNIE_ASSIGN_OR_RETURN(Bytes nb, asn1::integer_unsigned(n.value));
  DNIE_ASSIGN_OR_RETURN(Bytes eb, asn1::integer_unsigned(e.value));
  return from_components(nb, eb);
}

Bytes RsaPublicKey::modulus() const { return mpi_write(&m_impl->ctx.N).value_or(Bytes{}); }
Bytes RsaPublicKey::exponent() const { return mpi_write(&m_impl->ctx.E).value_or(Bytes{}); }
std::size_t RsaPublicKey::size() const noexcept { return mbedtls_rsa_get_len(&m_impl->ctx); }
std::size_t RsaPublicKey::bits() const noexcept { return mbedtls_mpi_bitlen(&m_impl->ctx.N); }

// RFC 8017 §5.2.2 RSAVP1 (mbedTLS locks the context internally, MBEDTLS_THREADING_C).
Result<SecureBuffer> RsaPublicKey::public_op(ByteView input) const {
  DNIE_ASSIGN_OR_RETURN(SecureBuffer in, to_width(input, size()));
  SecureBuffer out(size());
  auto* ctx = const_cast<mbedtls_rsa_context*>(&m_impl->ctx);
  int rc = mbedtls_rsa_public(ctx, in.data(), out.data());
  if (rc == MBEDTLS_ERR_RSA_PUBLIC_FAILED + MBEDTLS_ERR_MPI_BAD_INPUT_DATA ||
      rc == MBEDTLS_ERR_RSA_BAD_INPUT_DATA)
    return invalid("RSA input out of range");
  if (rc) return backend_error("mbedtls_rsa_public", rc);
  return out;
}

// RFC 8017 §8.2.2 RSASSA-PKCS1-V1_5-VERIFY: recompute EMSA-PKCS1-v1_5 (§9.2) and compare.
Status RsaPublicKey::verify_pkcs1_v15(HashAlg alg, ByteView digest, ByteView signature) const {
  const std::size_t k = size();
  if (digest.size() != hash_size(alg)) return invalid("digest length does not match the hash algorithm");
  if (signature.size() > k || signature.empty()) return verify_failed("RSA signature has the wrong length");
  auto em = public_op(signature);
  if (!em) return verify_failed("RSA signature out of range");
  // T with NULL parameters (the DER form) or, tolerated, with absent parameters.
  DNIE_ASSIGN_OR_RETURN(Bytes t1, digest_info(alg, digest));
  Bytes algid2 = asn1::sequence({asn1::oid(hash_oid(alg))});
  Bytes t2 = asn1::sequence({algid2, asn1::octet_string(digest)});
  for (const Bytes* t : {&t1, &t2}) {
    if (k < t->size() + 11) continue;
    Bytes expect{0x00, 0x01};
    expect.insert(expect.end(), k - t->size() - 3, 0xFF);
    expect.push_back(0x00);
    append(expect, *t);
    if (ct_equal(expect, em->view())) return ok_status();
  }
  return verify_failed("RSA PKCS#1 v1.5 signature does not verify");
}

// RFC 8017 §8.1.2 RSASSA-PSS-VERIFY with §9.1.2 EMSA-PSS-VERIFY.
Status RsaPublicKey::verify_pss(HashAlg alg, ByteView digest, ByteView signature, int salt_len,
                                HashAlg mgf1_alg, bool mgf1_same_as_alg) const {
  const std::size_t k = size(), h_len = hash_size(alg);
  if (digest.size() != h_len) return invalid("digest length does not match the hash algorithm");
  if (signature.size() > k || signature.empty())
    return verify_failed("RSA-PSS signature has the wrong length");
  auto m = public_op(signature);
  if (!m) return verify_failed("RSA-PSS signature out of range");
  const std::size_t em_bits = bits() - 1, em_len = (em_bits + 7) / 8;
  ByteView em = m->view();
  if (em_len < k) {
    if (em[0] != 0) return verify_failed("RSA-PSS: inconsistent");
    em = em.subview(1);
  }
  if (em_len < h_len + 2 || (salt_len >= 0 && em_len < h_len + static_cast<std::size_t>(salt_len) + 2))
    return verify_failed("RSA-PSS: inconsistent");
  if (em[em_len - 1] != 0xBC) return verify_failed("RSA-PSS: inconsistent trailer");
  const std::size_t db_len = em_len - h_len - 1;
  ByteView masked_db = em.first(db_len), h = em.subview(db_len, h_len);
  const unsigned top_bits = static_cast<unsigned>(8 * em_len - em_bits);
  const std::uint8_t top_mask = static_cast<std::uint8_t>(0xFF >> top_bits);
  if (masked_db[0] & ~top_mask) return verify_failed("RSA-PSS: inconsistent top bits");
  Bytes db = mgf1(mgf1_same_as_alg ? alg : mgf1_alg, h, db_len);
  for (std::size_t i = 0; i < db_len; ++i) db[i] = static_cast<std::uint8_t>(db[i] ^ masked_db[i]);
  db[0] = static_cast<std::uint8_t>(db[0] & top_mask);
  std::size_t i = 0;
  while (i < db_len && db[i] == 0) ++i;
  if (i == db_len || db[i] != 0x01) return verify_failed("RSA-PSS: inconsistent padding");
  ByteView salt = ByteView(db).subview(i + 1);
  if (salt_len >= 0 && salt.size() != static_cast<std::size_t>(salt_len))
    return verify_failed("RSA-PSS: unexpected salt length");
  Hasher hh(alg);
  hh.update(Bytes(8, 0));
  hh.update(digest);
  hh.update(salt);
  if (!ct_equal(hh.finish(), h)) return verify_failed("RSA-PSS signature does not verify");
  return ok_status();
}

Bytes RsaPublicKey::to_pkcs1() const {
  return asn1::sequence({asn1::integer(modulus()), asn1::integer(exponent())});
}

Bytes RsaPublicKey::to_spki() const {
  Bytes algid = asn1::sequence({asn1::oid(kRsaEncryption), asn1::null()});
  return asn1::sequence({algid, asn1::bit_string(to_pkcs1())});
}

// ---- RsaPrivateKey ----------------------------------------------------------------------

struct RsaPrivateKey::Impl {
  mbedtls_rsa_context ctx;
  std::mutex mu;  // serialises padding changes and blinding updates
  Impl() noexcept { mbedtls_rsa_init(&ctx, MBEDTLS_RSA_PKCS_V15, 0); }
  ~Impl() { mbedtls_rsa_free(&ctx); }
};

RsaPrivateKey::RsaPrivateKey(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
RsaPrivateKey::RsaPrivateKey(RsaPrivateKey&&) noexcept = default;
RsaPrivateKey& RsaPrivateKey::operator=(RsaPrivateKey&&) noexcept = default;
RsaPrivateKey::~RsaPrivateKey() = default;

// mbedTLS key generation (FIPS 186-4 style primes) drawing every random bit from `rng`, so a
// DeterministicRng yields the same key for the same seed and mbedTLS version.
Result<RsaPrivateKey> RsaPrivateKey::generate(unsigned bits, Rng& rng, std::uint32_t e) {
  if (bits < 512 || bits > 8192 || bits % 2) return invalid("RSA key size must be even and in 512..8192");
  if (e < 3 || e % 2 == 0 || e > 0x7FFFFFFF) return invalid("RSA public exponent must be odd and >= 3");
  auto impl = std::make_unique<Impl>();
  int rc = mbedtls_rsa_gen_key(&impl->ctx, rng_callback, &rng, bits, static_cast<int>(e));
  if (rc) return backend_error("mbedtls_rsa_gen_key", rc);
  return RsaPrivateKey(std::move(impl));
}

Result<RsaPrivateKey> RsaPrivateKey::from_components(ByteView n, ByteView e, ByteView d, ByteView p,
                                                     ByteView q) {
  ByteView ns = strip(n), es = strip(e), ds = strip(d), ps = strip(p), qs = strip(q);
  if (ns.empty() || es.empty() || ds.empty()) return invalid("RSA private key: n, e and d are required");
  if (ns.size() > MBEDTLS_MPI_MAX_SIZE) return detail::unsupported("RSA modulus too large");
  auto impl = std::make_unique<Impl>();
  int rc = mbedtls_rsa_import_raw(&impl->ctx, ns.data(), ns.size(), ps.empty() ? nullptr : ps.data(),
                                  ps.size(), qs.empty() ? nullptr : qs.data(), qs.size(), ds.data(),
                                  ds.size(), es.data(), es.size());
  // mbedtls_rsa_complete derives p and q from (n, e, d) when absent (RFC 8017 does not need them).
  if (rc == 0) rc = mbedtls_rsa_complete(&impl->ctx);
  if (rc == 0) rc = mbedtls_rsa_check_privkey(&impl->ctx);
  if (rc) return invalid("RSA private key rejected (mbedTLS " + std::to_string(rc) + ")");
  return RsaPrivateKey(std::move(impl));
}

// RFC 8017 §A.1.2 RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv, ... }.
Result<RsaPrivateKey> RsaPrivateKey::from_der(ByteView der) {
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv seq, tlv::parse_single(der));
  if (seq.tag != asn1::kSequence) return malformed("RSAPrivateKey: not a SEQUENCE");
  tlv::Reader rd(seq.value);
  DNIE_ASSIGN_OR_RETURN(tlv::Tlv ver, rd.expect(asn1::kInteger));
  DNIE_ASSIGN_OR_RETURN(std::int64_t v, asn1::integer_value(ver.value));
  if (v != 0 && v != 1) return malformed("RSAPrivateKey: unknown version");
  SecureBuffer f[5];
  for (auto& x : f) {
    DNIE_ASSIGN_OR_RETURN(tlv::Tlv t, rd.expect(asn1::kInteger));
    DNIE_ASSIGN_OR_RETURN(Bytes val, asn1::integer_unsigned(t.value));
    x = SecureBuffer::adopt(std::move(val));
  }
  return from_components(f[0].view(), f[1].view(), f[2].view(), f[3].view(), f[4].view());
}

RsaPublicKey RsaPrivateKey::public_key() const {
  // (n, e) of a successfully constructed private key always form a valid public key.
  return RsaPublicKey::from_components(mpi_write(&m_impl->ctx.N).value_or(Bytes{}),
                                       mpi_write(&m_impl->ctx.E).value_or(Bytes{}))
      .value();
}

std::size_t RsaPrivateKey::size() const noexcept { return mbedtls_rsa_get_len(&m_impl->ctx); }

// RFC 8017 §5.2.1 RSASP1 (CRT with blinding; mbedTLS re-checks the result).
Result<SecureBuffer> RsaPrivateKey::private_op(ByteView input) const {
  DNIE_ASSIGN_OR_RETURN(SecureBuffer in, to_width(input, size()));
  SecureBuffer out(size());
  int rc;
  {
    std::lock_guard<std::mutex> lock(m_impl->mu);
    rc = mbedtls_rsa_private(&m_impl->ctx, rng_callback, &system_rng(), in.data(), out.data());
  }
  if (rc == MBEDTLS_ERR_RSA_PRIVATE_FAILED + MBEDTLS_ERR_MPI_BAD_INPUT_DATA ||
      rc == MBEDTLS_ERR_RSA_BAD_INPUT_DATA)
    return invalid("RSA input out of range");
  if (rc) return backend_error("mbedtls_rsa_private", rc);
  return out;
}

// RFC 8017 §8.2.1 RSASSA-PKCS1-V1_5-SIGN (mbedTLS encodes EMSA-PKCS1-v1_5).
Result<Bytes> RsaPrivateKey::sign_pkcs1_v15(HashAlg alg, ByteView digest) const {
  if (digest.size() != hash_size(alg)) return invalid("digest length does not match the hash algorithm");
  Bytes sig(size());
  std::lock_guard<std::mutex> lock(m_impl->mu);
  mbedtls_rsa_set_padding(&m_impl->ctx, MBEDTLS_RSA_PKCS_V15, 0);
  int rc = mbedtls_rsa_rsassa_pkcs1_v15_sign(&m_impl->ctx, rng_callback, &system_rng(), MBEDTLS_RSA_PRIVATE,
                                             detail::md_type(alg), static_cast<unsigned>(digest.size()),
                                             digest.data(), sig.data());
  if (rc) return backend_error("mbedtls_rsa_rsassa_pkcs1_v15_sign", rc);
  return sig;
}

// EMSA-PKCS1-v1_5 type-1 block (RFC 8017 §9.2 steps 4-5) around caller-supplied bytes.
Result<Bytes> RsaPrivateKey::sign_pkcs1_v15_raw(ByteView digest_info) const {
  const std::size_t k = size();
  if (digest_info.size() + 11 > k) return invalid("data too long for PKCS#1 v1.5 padding");
  Bytes em{0x00, 0x01};
  em.insert(em.end(), k - digest_info.size() - 3, 0xFF);
  em.push_back(0x00);
  append(em, digest_info);
  return detail::public_value(private_op(em));
}

// RFC 8017 §8.1.1 RSASSA-PSS-SIGN, MGF1 with the same hash, salt length = hash length.
Result<Bytes> RsaPrivateKey::sign_pss(HashAlg alg, ByteView digest, Rng& rng) const {
  if (digest.size() != hash_size(alg)) return invalid("digest length does not match the hash algorithm");
  Bytes sig(size());
  std::lock_guard<std::mutex> lock(m_impl->mu);
  mbedtls_rsa_set_padding(&m_impl->ctx, MBEDTLS_RSA_PKCS_V21, detail::md_type(alg));
  int rc = mbedtls_rsa_rsassa_pss_sign_ext(&m_impl->ctx, rng_callback, &rng, detail::md_type(alg),
                                           static_cast<unsigned>(digest.size()), digest.data(),
                                           static_cast<int>(hash_size(alg)), sig.data());
  mbedtls_rsa_set_padding(&m_impl->ctx, MBEDTLS_RSA_PKCS_V15, 0);
  if (rc) return backend_error("mbedtls_rsa_rsassa_pss_sign_ext", rc);
  return sig;
}

SecureBuffer RsaPrivateKey::to_der() const {
  const mbedtls_rsa_context& c = m_impl->ctx;
  const mbedtls_mpi* parts[] = {&c.N, &c.E, &c.D, &c.P, &c.Q, &c.DP, &c.DQ, &c.QP};
  SecureBuffer body(asn1::integer(std::int64_t{0}));
  for (const mbedtls_mpi* x : parts) {
    auto written = detail::mpi_write_secret(x);
    SecureBuffer v = written ? std::move(written).value() : SecureBuffer();
    body.append(SecureBuffer::adopt(asn1::integer(v.view())).view());
  }
  return SecureBuffer::adopt(tlv::encode(asn1::kSequence, body.view()));
}

}  // namespace dnie::crypto
