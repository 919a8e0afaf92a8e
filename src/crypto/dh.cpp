// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/dh.cpp
// Finite-field Diffie-Hellman (PKCS #3, ICAO 9303-11 §4.4.3.4 / §9.5.1 parameter IDs 0-2) over
// mbedtls_mpi. Groups are plain byte values, every operation builds its own mpis (thread-safe).
// Exponents are secrets: the mpis holding them are zeroized by mbedtls_mpi_free.
#include "dnie/crypto/dh.hpp"

#include "internal.hpp"

namespace dnie::crypto {

using detail::backend_error;
using detail::invalid;
using detail::Mpi;
using detail::mpi_read;
using detail::mpi_write;
using detail::mpi_write_secret;
using detail::public_value;

namespace {

struct DhDef {
  int id;
  const char *p, *g, *q;
};

// RFC 5114 §2.1-2.3 (also ICAO 9303-11 Table 6, parameter IDs 0-2).
const DhDef kGroups[] = {
    // 0: RFC 5114 §2.1 1024-bit MODP with 160-bit prime order subgroup
    {0,
     "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C0"
     "13ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0"
     "A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371",
     "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213"
     "160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28A"
     "D662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5",
     "F518AA8781A8DF278ABA4E7D64B7CB9D49462353"},
    // 1: RFC 5114 §2.2 2048-bit MODP with 224-bit subgroup
    {1,
     "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15"
     "EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207"
     "C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330"
     "278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8"
     "BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71"
     "CF9DE5384E71B81C0AC4DFFE0C10E64F",
     "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFA"
     "AB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98A"
     "E247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EF"
     "BB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381"
     "B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC0179"
     "81BC087F2A7065B384B890D3191F2BFA",
     "801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB"},
    // 2: RFC 5114 §2.3 2048-bit MODP with 256-bit subgroup
    {2,
     "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA30"
     "16C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B"
     "6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0E"
     "F13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026"
     "C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F"
     "693877FAD7EF09CADB094AE91E1A1597",
     "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555"
     "BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B"
     "777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55"
     "A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915"
     "B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D4795451"
     "5E2327CFEF98C582664B4C0F6CC41659",
     "8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3"},
};

ByteView strip(ByteView v) {
  std::size_t i = 0;
  while (i < v.size() && v[i] == 0) ++i;
  return v.subview(i);
}

}  // namespace

struct DhGroup::Impl {
  Bytes p, g, q;
  int param_id = -1;
};

DhGroup::DhGroup(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
DhGroup::DhGroup(const DhGroup& o) : m_impl(std::make_unique<Impl>(*o.m_impl)) {}
DhGroup& DhGroup::operator=(const DhGroup& o) {
  if (this != &o) m_impl = std::make_unique<Impl>(*o.m_impl);
  return *this;
}
DhGroup::DhGroup(DhGroup&&) noexcept = default;
DhGroup& DhGroup::operator=(DhGroup&&) noexcept = default;
DhGroup::~DhGroup() = default;

Result<DhGroup> DhGroup::standard(int param_id) {
  for (const auto& d : kGroups) {
    if (d.id != param_id) continue;
    auto impl = std::make_unique<Impl>();
    impl->p = hex_bytes(d.p);
    impl->g = hex_bytes(d.g);
    impl->q = hex_bytes(d.q);
    impl->param_id = d.id;
    return DhGroup(std::move(impl));
  }
  return detail::unsupported("unknown standardized DH domain parameter ID " + std::to_string(param_id));
}

Result<DhGroup> DhGroup::from_params(ByteView p, ByteView g, ByteView q) {
  ByteView ps = strip(p), gs = strip(g), qs = strip(q);
  if (ps.empty() || (ps[ps.size() - 1] & 1) == 0 || (ps.size() == 1 && ps[0] < 5))
    return invalid("DH: p must be an odd prime > 3");
  if (ps.size() > MBEDTLS_MPI_MAX_SIZE) return detail::unsupported("DH: p too large");
  Mpi mp, mg;
  DNIE_TRY(mpi_read(mp.get(), ps));
  DNIE_TRY(mpi_read(mg.get(), gs));
  if (mbedtls_mpi_cmp_int(mg.get(), 1) <= 0 || mbedtls_mpi_cmp_mpi(mg.get(), mp.get()) >= 0)
    return invalid("DH: generator out of range");
  for (const auto& d : kGroups) {
    if (ps == hex_bytes(d.p) && gs == strip(hex_bytes(d.g)) && (qs.empty() || qs == hex_bytes(d.q)))
      return standard(d.id);
  }
  auto impl = std::make_unique<Impl>();
  impl->p = ps.to_bytes();
  DNIE_ASSIGN_OR_RETURN(impl->g, mpi_write(mg.get(), ps.size()));
  impl->q = qs.to_bytes();
  return DhGroup(std::move(impl));
}

const Bytes& DhGroup::p() const noexcept { return m_impl->p; }
const Bytes& DhGroup::g() const noexcept { return m_impl->g; }
const Bytes& DhGroup::q() const noexcept { return m_impl->q; }
int DhGroup::param_id() const noexcept { return m_impl->param_id; }
std::size_t DhGroup::size() const noexcept { return m_impl->p.size(); }

Result<SecureBuffer> DhGroup::exp(ByteView base, ByteView exponent) const {
  Mpi p, b, e, r;
  DNIE_TRY(mpi_read(p.get(), m_impl->p));
  DNIE_TRY(mpi_read(b.get(), base));
  DNIE_TRY(mpi_read(e.get(), exponent));
  if (mbedtls_mpi_cmp_mpi(b.get(), p.get()) >= 0) return invalid("DH: base must be smaller than p");
  int rc = mbedtls_mpi_exp_mod(r.get(), b.get(), e.get(), p.get(), nullptr);
  if (rc) return backend_error("mbedtls_mpi_exp_mod", rc);
  return mpi_write_secret(r.get(), size());
}

Result<Bytes> DhGroup::mul(ByteView a, ByteView b) const {
  Mpi p, x, y, r;
  DNIE_TRY(mpi_read(p.get(), m_impl->p));
  DNIE_TRY(mpi_read(x.get(), a));
  DNIE_TRY(mpi_read(y.get(), b));
  int rc = mbedtls_mpi_mul_mpi(r.get(), x.get(), y.get());
  if (rc == 0) rc = mbedtls_mpi_mod_mpi(r.get(), r.get(), p.get());
  if (rc) return backend_error("DH modular multiplication", rc);
  return mpi_write(r.get(), size());
}

// NIST SP 800-56A §5.6.2.3.1 full public-key validation: 1 < y < p-1 and y^q = 1 (mod p).
Status DhGroup::check_public(ByteView y) const {
  Mpi p, pm1, v, r, q;
  DNIE_TRY(mpi_read(p.get(), m_impl->p));
  DNIE_TRY(mpi_read(v.get(), y));
  int rc = mbedtls_mpi_sub_int(pm1.get(), p.get(), 1);
  if (rc) return backend_error("mbedtls_mpi_sub_int", rc);
  if (mbedtls_mpi_cmp_int(v.get(), 1) <= 0 || mbedtls_mpi_cmp_mpi(v.get(), pm1.get()) >= 0)
    return invalid("DH public value out of range");
  if (!m_impl->q.empty()) {
    DNIE_TRY(mpi_read(q.get(), m_impl->q));
    rc = mbedtls_mpi_exp_mod(r.get(), v.get(), q.get(), p.get(), nullptr);
    if (rc) return backend_error("mbedtls_mpi_exp_mod", rc);
    if (mbedtls_mpi_cmp_int(r.get(), 1) != 0)
      return invalid("DH public value not in the prime-order subgroup");
  }
  return ok_status();
}

Result<DhGroup> DhGroup::with_generator(ByteView g) const {
  Mpi p, mg;
  DNIE_TRY(mpi_read(p.get(), m_impl->p));
  DNIE_TRY(mpi_read(mg.get(), g));
  if (mbedtls_mpi_cmp_int(mg.get(), 1) <= 0 || mbedtls_mpi_cmp_mpi(mg.get(), p.get()) >= 0)
    return invalid("DH: generator out of range");
  auto impl = std::make_unique<Impl>(*m_impl);
  DNIE_ASSIGN_OR_RETURN(impl->g, mpi_write(mg.get(), size()));
  if (impl->g != m_impl->g) impl->param_id = -1;  // mapped generator: no longer the standard group
  return DhGroup(std::move(impl));
}

// Private exponent uniform in [1, q-1] (or [1, p-2] when q is unknown) by rejection sampling.
Result<DhKeyPair> DhGroup::generate(Rng& rng) const {
  Mpi limit, x;
  if (!m_impl->q.empty()) {
    DNIE_TRY(mpi_read(limit.get(), m_impl->q));
  } else {
    DNIE_TRY(mpi_read(limit.get(), m_impl->p));
    int rc = mbedtls_mpi_sub_int(limit.get(), limit.get(), 1);
    if (rc) return backend_error("mbedtls_mpi_sub_int", rc);
  }
  const std::size_t bits = mbedtls_mpi_bitlen(limit.get());
  const std::size_t len = (bits + 7) / 8;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    DNIE_ASSIGN_OR_RETURN(SecureBuffer k, rng.secret(len));
    std::size_t excess = len * 8 - bits;
    if (excess) k[0] = static_cast<std::uint8_t>(k[0] & (0xFFu >> excess));
    DNIE_TRY(mpi_read(x.get(), k.view()));
    if (mbedtls_mpi_cmp_int(x.get(), 0) == 0 || mbedtls_mpi_cmp_mpi(x.get(), limit.get()) >= 0) continue;
    DNIE_ASSIGN_OR_RETURN(Bytes pub, public_key(k.view()));
    return DhKeyPair{std::move(k), std::move(pub)};
  }
  return Error(ErrorCode::CryptoError, "DH key generation: the RNG produced no valid exponent");
}

Result<Bytes> DhGroup::public_key(ByteView private_key) const {
  if (strip(private_key).empty()) return invalid("DH private key is zero");
  return public_value(exp(m_impl->g, private_key));
}

// PKCS #3 §8.2: Z = y^x mod p, at the full width of p (ICAO 9303-11 §4.4.3.4 / §9.4.1).
Result<SecureBuffer> DhGroup::shared_secret(ByteView private_key, ByteView peer_public) const {
  if (strip(private_key).empty()) return invalid("DH private key is zero");
  DNIE_TRY(check_public(peer_public));
  return exp(peer_public, private_key);
}

}  // namespace dnie::crypto
