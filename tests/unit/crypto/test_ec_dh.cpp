// SPDX-License-Identifier: Apache-2.0
// EC groups (all 11 ICAO curves), ECDH/ECDSA, DH on RFC 5114 groups and BigInt, against the
// ICAO 9303-11 App. G and BSI EAC worked examples.
#include "dnie/crypto/dh.hpp"
#include "dnie/crypto/ec.hpp"

#include "crypto/bigint.hpp"
#include "crypto/cipher.hpp"
#include "test_support.hpp"

using namespace dnie;
using namespace dnie::crypto;
using dnie::test::hx;
using dnie::test::vectors;

namespace {
Bytes sub_mod(const Bytes& p, const Bytes& y) {  // p - y
  return BigInt::from_bytes(p).sub(BigInt::from_bytes(y)).value().to_bytes(p.size()).value();
}
}  // namespace

TEST_CASE("ec: all 11 ICAO standardized curves") {
  const char* names[] = {"secp192r1",       "brainpoolP192r1", "secp224r1",       "brainpoolP224r1",
                         "secp256r1",       "brainpoolP256r1", "brainpoolP320r1", "secp384r1",
                         "brainpoolP384r1", "brainpoolP512r1", "secp521r1"};
  const std::size_t fsz[] = {24, 24, 28, 28, 32, 32, 40, 48, 48, 64, 66};
  for (int id = 8; id <= 18; ++id) {
    CAPTURE(id);
    auto g = EcGroup::standard(id);
    REQUIRE(g);
    const std::size_t i = static_cast<std::size_t>(id - 8);
    CHECK(g->name() == names[i]);
    CHECK(g->param_id() == id);
    CHECK(g->field_size() == fsz[i]);
    CHECK(g->point_size() == 1 + 2 * fsz[i]);
    // G on the curve; (n-1)·G = -G; (n-1)·G + G = infinity → n·G = O.
    REQUIRE(g->check_point(g->generator()));
    const CurveParams& cp = g->params();
    Bytes nm1 = BigInt::from_bytes(cp.n).sub(BigInt(1)).value().to_bytes().value();
    auto neg_g = g->mul_base(nm1);
    REQUIRE(neg_g);
    CHECK(*neg_g == concat({Bytes{0x04}, cp.gx, sub_mod(cp.p, cp.gy)}));
    auto inf = g->add(*neg_g, g->generator());
    CHECK_FALSE(inf);
    CHECK(g->mul_base(cp.n).error().code == ErrorCode::InvalidArgument);
    // 2G via add == 2G via mul.
    CHECK(*g->add(g->generator(), g->generator()) == *g->mul_base(Bytes{2}));
    // Names, OIDs and explicit parameters are recognised.
    CHECK(EcGroup::by_name(names[i])->param_id() == id);
    CHECK(EcGroup::by_oid(g->oid())->param_id() == id);
    auto fp = EcGroup::from_params(cp);
    REQUIRE(fp);
    CHECK(fp->name() == names[i]);
    // Key agreement and ECDSA with a deterministic RNG.
    DeterministicRng rng(Bytes{static_cast<std::uint8_t>(id)});
    auto a = g->generate(rng);
    auto b = g->generate(rng);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->private_key.size() == g->order_size());
    CHECK(*g->public_key(a->private_key.view()) == a->public_key);
    auto k1 = g->ecdh(a->private_key.view(), b->public_key);
    auto k2 = g->ecdh(b->private_key.view(), a->public_key);
    REQUIRE(k1);
    REQUIRE(k2);
    CHECK(k1->size() == g->field_size());
    CHECK(k1->equals(k2->view()));
    Bytes digest = hash(HashAlg::Sha256, ByteView::of("message"));
    auto sig = g->ecdsa_sign(a->private_key.view(), digest, rng);
    REQUIRE(sig);
    CHECK(sig->size() == 2 * g->order_size());
    CHECK(g->ecdsa_verify(a->public_key, digest, *sig));
    CHECK(g->ecdsa_verify(a->public_key, digest, ecdsa_raw_to_der(*sig)));
    CHECK(*ecdsa_der_to_raw(ecdsa_raw_to_der(*sig), g->order_size()) == *sig);
    digest[0] ^= 1;
    CHECK(g->ecdsa_verify(a->public_key, digest, *sig).error().code == ErrorCode::VerificationFailed);
    CHECK(g->ecdsa_verify(b->public_key, hash(HashAlg::Sha256, ByteView::of("message")), *sig).error().code ==
          ErrorCode::VerificationFailed);
    // Compressed encodings (SEC 1 §2.3.3) decode to the same point; y parity honoured.
    const Bytes& pub = a->public_key;
    Bytes comp{static_cast<std::uint8_t>(0x02 | (pub.back() & 1))};
    append(comp, ByteView(pub).subview(1, g->field_size()));
    CHECK(*g->decode_point(comp) == pub);
    comp[0] ^= 1;
    CHECK(*g->decode_point(comp) != pub);
  }
  CHECK(EcGroup::standard(7).error().code == ErrorCode::Unsupported);
  CHECK(EcGroup::standard(19).error().code == ErrorCode::Unsupported);
  CHECK(EcGroup::by_oid("1.2.3.4").error().code == ErrorCode::Unsupported);
}

TEST_CASE("ec: invalid points are rejected") {
  auto g = EcGroup::standard(13).value();
  Bytes gen = g.generator();
  Bytes bad = gen;
  bad.back() ^= 1;
  CHECK(g.check_point(bad).error().code == ErrorCode::MalformedData);
  CHECK(g.mul(Bytes{5}, bad).error().code == ErrorCode::MalformedData);
  CHECK(g.add(gen, bad).error().code == ErrorCode::MalformedData);
  CHECK_FALSE(g.decode_point(Bytes{0x00}));
  CHECK_FALSE(g.decode_point(ByteView(gen).first(64)));
  CHECK_FALSE(g.decode_point({}));
  CHECK(g.mul(Bytes{0}, gen).error().code == ErrorCode::InvalidArgument);
  CHECK(g.ecdh(Bytes{1}, bad).error().code == ErrorCode::MalformedData);
  auto xy = g.make_point(g.params().gx, g.params().gy);
  REQUIRE(xy);
  CHECK(*xy == gen);
  CHECK(*g.x_coordinate(gen) == g.params().gx);
  CurveParams cp = g.params();
  cp.gy.back() ^= 1;
  CHECK_FALSE(EcGroup::from_params(cp));
  CHECK_FALSE(g.ecdsa_verify(gen, Bytes(32), Bytes(10)));
}

TEST_CASE("ec: ECDH keeps leading zero bytes of the shared x-coordinate") {
  auto g = EcGroup::standard(8).value();  // secp192r1: cheap, ~1/256 chance per try
  DeterministicRng rng(ByteView::of("leading-zero"));
  auto peer = g.generate(rng).value();
  int tries = 0;
  bool found = false;
  for (; tries < 5000 && !found; ++tries) {
    auto kp = g.generate(rng).value();
    auto z = g.ecdh(kp.private_key.view(), peer.public_key);
    REQUIRE(z);
    REQUIRE(z->size() == g.field_size());
    if ((*z)[0] == 0) {
      found = true;
      CHECK(z->size() == 24);
      CHECK(g.ecdh(peer.private_key.view(), kp.public_key)->equals(z->view()));
    }
  }
  MESSAGE("leading-zero shared secret found after " << tries << " key pairs");
  CHECK(found);
}

TEST_CASE("vectors: PACE GM ECDH brainpoolP256r1 (ICAO 9303-11 App. G.1)") {
  auto v = vectors("pace_gm_ecdh_brainpoolp256r1.json")["values"];
  auto g = EcGroup::standard(13).value();
  CHECK(*g.public_key(hx(v["terminal_mapping_private_key"])) == hx(v["terminal_mapping_public_key"]));
  CHECK(*g.public_key(hx(v["chip_mapping_private_key"])) == hx(v["chip_mapping_public_key"]));
  auto h = g.mul(hx(v["chip_mapping_private_key"]), hx(v["terminal_mapping_public_key"]));
  REQUIRE(h);
  CHECK(h->view() == ByteView(hx(v["shared_secret_H"])));
  CHECK(g.mul(hx(v["terminal_mapping_private_key"]), hx(v["chip_mapping_public_key"]))->view() == h->view());
  auto sg = g.mul_base(hx(v["decrypted_nonce_s"]));
  REQUIRE(sg);
  auto ghat = g.add(*sg, h->view());
  REQUIRE(ghat);
  CHECK(*ghat == hx(v["mapped_generator_G_hat"]));
  auto mapped = g.with_generator(*ghat);
  REQUIRE(mapped);
  CHECK(mapped->param_id() == -1);
  CHECK(*mapped->public_key(hx(v["terminal_ephemeral_private_key"])) ==
        hx(v["terminal_ephemeral_public_key"]));
  CHECK(*mapped->public_key(hx(v["chip_ephemeral_private_key"])) == hx(v["chip_ephemeral_public_key"]));
  auto k = mapped->ecdh(hx(v["terminal_ephemeral_private_key"]), hx(v["chip_ephemeral_public_key"]));
  REQUIRE(k);
  CHECK(k->view() == ByteView(hx(v["shared_secret_K"])));
  Bytes t_ifd = aes_cmac(hx(v["KS_mac"]), hx(v["auth_token_input_for_T_IFD_chip_pubkey"])).value();
  t_ifd.resize(8);
  CHECK(t_ifd == hx(v["T_IFD"]));
}

TEST_CASE("vectors: BSI EAC worked example (PACE ECDH, AES SM, TA ECDSA, CA v2)") {
  auto v = vectors("bsi_eac_worked_example_ecdh.json");
  auto p = v["pace"];
  auto g = EcGroup::standard(13).value();
  Bytes t_pcd = aes_cmac(hx(p["KS_mac"]), hx(p["auth_token_input_for_T_PCD_computed"])).value();
  t_pcd.resize(8);
  CHECK(t_pcd == hx(p["T_PCD"]));
  Bytes t_picc = aes_cmac(hx(p["KS_mac"]), hx(p["auth_token_input_for_T_PICC_computed"])).value();
  t_picc.resize(8);
  CHECK(t_picc == hx(p["T_PICC"]));
  // The ephemeral keys live on the mapped group, but ECDH only needs the curve.
  auto k = g.ecdh(hx(p["chip_ephemeral_private_key"]), hx(p["terminal_ephemeral_public_key"]));
  REQUIRE(k);
  CHECK(k->view() == ByteView(hx(p["shared_secret_K"])));
  auto k2 = g.ecdh(hx(p["terminal_ephemeral_private_key"]), hx(p["chip_ephemeral_public_key"]));
  REQUIRE(k2);
  CHECK(k2->view() == ByteView(hx(p["shared_secret_K"])));
  auto ghat = g.add(*g.mul_base(hx(p["decrypted_nonce_s"])),
                    g.mul(hx(p["chip_mapping_private_key"]), hx(p["terminal_mapping_public_key"]))->view());
  CHECK(*ghat == hx(p["mapped_generator_G_hat"]));
  // AES secure messaging: IV = E(KS_enc, SSC), CBC encryption, CMAC over the padded input.
  auto sm = v["secure_messaging_after_pace"];
  Bytes iv = aes_ecb_encrypt(hx(p["KS_enc"]), hx(sm["SSC_command"])).value();
  CHECK(iv == hx(sm["IV_E_KSenc_SSC_computed"]));
  CHECK(*aes_cbc_encrypt(hx(p["KS_enc"]), iv, pad_iso9797_m2(hx(sm["command_data_plain"]), 16)) ==
        hx(sm["encrypted_data"]));
  Bytes cc = aes_cmac(hx(p["KS_mac"]), hx(sm["mac_input_computed"])).value();
  cc.resize(8);
  CHECK(cc == hx(sm["CC_computed"]));
  // Terminal Authentication: ECDSA-SHA-512 on brainpoolP512r1, raw r||s.
  auto ta = v["terminal_authentication"];
  auto g17 = EcGroup::standard(17).value();
  auto pub = g17.public_key(hx(ta["terminal_private_key_scalar"]));
  REQUIRE(pub);
  Bytes digest = hash(HashAlg::Sha512, hx(ta["signed_message_ID_PICC_rPICC_CompPKPCD_computed"]));
  CHECK(g17.ecdsa_verify(*pub, digest, hx(ta["signature_r_s"])));
  digest[5] ^= 0x40;
  CHECK_FALSE(g17.ecdsa_verify(*pub, digest, hx(ta["signature_r_s"])));
  // Chip Authentication v2.
  auto ca = v["chip_authentication_v2"];
  CHECK(*g.public_key(hx(ca["chip_static_private_key"])) == hx(ca["chip_static_public_key"]));
  auto kca = g.ecdh(hx(ca["chip_static_private_key"]), hx(ca["terminal_ephemeral_public_key"]));
  REQUIRE(kca);
  CHECK(kca->view() == ByteView(hx(ca["shared_secret_K"])));
  Bytes tca = aes_cmac(hx(ca["KS_mac"]), hx(ca["auth_token_input_computed"])).value();
  tca.resize(8);
  CHECK(tca == hx(ca["T_PICC"]));
}

TEST_CASE("vectors: PACE GM DH 1024 (ICAO 9303-11 App. G.2, RFC 5114 §2.1)") {
  auto j = vectors("pace_gm_dh_1024.json");
  auto v = j["values"];
  auto g = DhGroup::standard(0).value();
  CHECK(g.p() == hx(j["parameters"]["p"]));
  CHECK(g.g() == hx(j["parameters"]["g"]));
  CHECK(g.q() == hx(j["parameters"]["q"]));
  CHECK(g.size() == 128);
  CHECK(*g.public_key(hx(v["terminal_mapping_private_key"])) == hx(v["terminal_mapping_public_key"]));
  CHECK(*g.public_key(hx(v["chip_mapping_private_key"])) == hx(v["chip_mapping_public_key"]));
  auto h = g.shared_secret(hx(v["chip_mapping_private_key"]), hx(v["terminal_mapping_public_key"]));
  REQUIRE(h);
  CHECK(h->view() == ByteView(hx(v["shared_secret_H"])));
  auto gs = g.exp(g.g(), hx(v["decrypted_nonce_s"]));
  REQUIRE(gs);
  auto ghat = g.mul(gs->view(), h->view());
  REQUIRE(ghat);
  CHECK(*ghat == hx(v["mapped_generator_g_hat"]));
  auto mapped = g.with_generator(*ghat).value();
  CHECK(mapped.param_id() == -1);
  CHECK(*mapped.public_key(hx(v["terminal_ephemeral_private_key"])) ==
        hx(v["terminal_ephemeral_public_key"]));
  CHECK(*mapped.public_key(hx(v["chip_ephemeral_private_key"])) == hx(v["chip_ephemeral_public_key"]));
  auto k = mapped.shared_secret(hx(v["chip_ephemeral_private_key"]), hx(v["terminal_ephemeral_public_key"]));
  REQUIRE(k);
  CHECK(k->size() == 128);
  CHECK(k->view() == ByteView(hx(v["shared_secret_K"])));
  Bytes t = aes_cmac(hx(v["KS_mac"]), hx(v["auth_token_input_for_T_IFD_chip_pubkey"])).value();
  t.resize(8);
  CHECK(t == hx(v["T_IFD"]));
}

TEST_CASE("dh: RFC 5114 groups, generation, validation") {
  const std::size_t sizes[] = {128, 256, 256}, qsizes[] = {20, 28, 32};
  for (int id = 0; id <= 2; ++id) {
    CAPTURE(id);
    auto g = DhGroup::standard(id);
    REQUIRE(g);
    CHECK(g->size() == sizes[id]);
    CHECK(g->q().size() == qsizes[id]);
    CHECK(g->check_public(g->g()));  // g generates the order-q subgroup
    DeterministicRng rng(Bytes{static_cast<std::uint8_t>(id), 1});
    auto a = g->generate(rng).value();
    auto b = g->generate(rng).value();
    CHECK(a.public_key.size() == g->size());
    auto k1 = g->shared_secret(a.private_key.view(), b.public_key).value();
    auto k2 = g->shared_secret(b.private_key.view(), a.public_key).value();
    CHECK(k1.size() == g->size());
    CHECK(k1.equals(k2.view()));
    auto same = DhGroup::from_params(g->p(), g->g(), g->q());
    REQUIRE(same);
    CHECK(same->param_id() == id);
  }
  auto g = DhGroup::standard(0).value();
  CHECK(g.check_public(Bytes{1}).error().code == ErrorCode::InvalidArgument);
  CHECK(g.check_public(g.p()).error().code == ErrorCode::InvalidArgument);
  CHECK(g.check_public(Bytes{2}).error().code == ErrorCode::InvalidArgument);  // not in subgroup
  CHECK(DhGroup::standard(3).error().code == ErrorCode::Unsupported);
  auto ex = DhGroup::from_params(Bytes{23}, Bytes{5}, {});
  REQUIRE(ex);
  CHECK(ex->param_id() == -1);
  CHECK(ex->exp(Bytes{5}, Bytes{3})->view() == ByteView(Bytes{10}));  // 125 mod 23
}

TEST_CASE("bigint: arithmetic") {
  BigInt a(1000), b(7);
  CHECK(a.add(b) == BigInt(1007));
  CHECK(*a.sub(b) == BigInt(993));
  CHECK(b.sub(a).error().code == ErrorCode::InvalidArgument);
  CHECK(a.mul(b) == BigInt(7000));
  CHECK(*a.mod(b) == BigInt(6));
  CHECK(*a.div(b) == BigInt(142));
  CHECK(*b.exp_mod(BigInt(3), BigInt(11)) == BigInt(2));  // 343 mod 11
  CHECK(*b.inv_mod(BigInt(11)) == BigInt(8));
  CHECK(BigInt(6).inv_mod(BigInt(9)).error().code == ErrorCode::InvalidArgument);
  CHECK(a.shift_left(3) == BigInt(8000));
  CHECK(a.shift_right(3) == BigInt(125));
  CHECK(BigInt().is_zero());
  CHECK(BigInt().to_bytes()->empty());
  CHECK(*BigInt(0x0102).to_bytes(4) == hex_bytes("00000102"));
  CHECK(BigInt(0x010203).to_bytes(2).error().code == ErrorCode::InvalidArgument);
  CHECK(BigInt::from_bytes(hex_bytes("0000FF")).bits() == 8);
  CHECK(BigInt(3).is_odd());
  CHECK(BigInt(3) < BigInt(4));
  BigInt c = a;
  CHECK(c == a);
  BigInt d = std::move(c);
  CHECK(d == a);
  CHECK(a.div(BigInt()).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("ec: the default arithmetic (OpenSSL when built with it) agrees with mbedTLS on every curve") {
  DeterministicRng rng(Bytes{0x5A});
  for (int id = 8; id <= 18; ++id) {
    CAPTURE(id);
    auto fast = EcGroup::standard(id).value();
    auto ref = fast.with_arithmetic(EcArithmetic::Reference);
    CHECK(std::string(ref.backend_name()) == "mbedtls");
#ifdef DNIE_WITH_OPENSSL_EC
    CHECK(std::string(fast.backend_name()) == "openssl");
#endif
    for (int i = 0; i < 4; ++i) {
      auto a = ref.generate(rng).value();
      auto b = ref.generate(rng).value();
      CHECK(*fast.public_key(a.private_key.view()) == a.public_key);
      CHECK(fast.mul(a.private_key.view(), b.public_key)->view() ==
            ref.mul(a.private_key.view(), b.public_key)->view());
      // A mapped generator (PACE GM) keeps the fast path: same curve, new G.
      auto gm_fast = fast.with_generator(b.public_key).value();
      auto gm_ref = ref.with_generator(b.public_key).value();
      CHECK(std::string(gm_fast.backend_name()) == std::string(fast.backend_name()));
      CHECK(*gm_fast.public_key(a.private_key.view()) == *gm_ref.public_key(a.private_key.view()));
      CHECK(gm_fast.public_key(a.private_key.view())->size() == fast.point_size());
    }
    // Same errors on both paths: invalid input is rejected before any multiplication.
    CHECK(fast.mul_base(Bytes{0}).error().code == ref.mul_base(Bytes{0}).error().code);
    Bytes off = fast.generator();
    off.back() ^= 1;
    CHECK(fast.mul(Bytes{2}, off).error().code == ErrorCode::MalformedData);
  }
}

// ---- validation of explicit domain parameters (a chip's EF.CardAccess is unauthenticated) ----

namespace {

/// First line of an error message contains `what`.
bool refused_for(const Status& s, std::string_view what) {
  return !s.ok() && s.error().code == ErrorCode::InvalidArgument &&
         s.error().message.find(std::string(what)) != std::string::npos;
}

CurveParams curve(const char* p, const char* a, const char* b, const char* gx, const char* gy, const char* n,
                  std::uint32_t h = 1) {
  return CurveParams{hex_bytes(p), hex_bytes(a), hex_bytes(b), hex_bytes(gx), hex_bytes(gy), hex_bytes(n), h};
}

// SEC 2 v1 secp112r1 (a real prime-order curve, too small for 112-bit security).
CurveParams secp112r1() {
  return curve("DB7C2ABF62E35E668076BEAD208B", "DB7C2ABF62E35E668076BEAD2088", "659EF8BA043916EEDE8911702B22",
               "09487239995A5EE76B55F9C2F098", "A89CE5AF8724C0A23E0E0FF77500",
               "DB7C2ABF62E35E7628DFAC6561C5");
}

// SEC 2 v2 secp256k1: a valid curve that is not one of the ICAO standardized ones.
CurveParams secp256k1() {
  return curve("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", "00", "07",
               "79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798",
               "483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8",
               "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");
}

// Supersingular y² = x³ + x over p ≡ 3 (mod 4): #E = p + 1 = 288·n, embedding degree 2 (MOV).
// Generated for this test: n prime (240 bits), p = 288·n - 1 prime, G = 288·R for a random R.
CurveParams mov_curve() {
  return curve("F35BA329F1351D7B31ED0D1CDC37FDBB819D3B1104A1F2D57E236A9A9D745F", "01", "00",
               "07F8AE3D7FE9EBB1F61587DCF65639FA7A61415D175E73363133D42CF7EAD8",
               "23B19B7ECA5B23DEB9265244AD8CA2215F09158D765FD1507E4D1F00C4FAFF",
               "D85174970F4BA86D81B6448B6E6AA8A6AC19FB9D59738284E1E697A5E14B", 288);
}

EcGroup explicit_group(const CurveParams& cp) {
  auto g = EcGroup::from_params(cp);
  REQUIRE_MESSAGE(g.ok(), g.error().to_string());
  CHECK(g->param_id() == -1);
  return std::move(g).value();
}

}  // namespace

TEST_CASE("ec validate: the standardized curves of at least 224 bits pass, 192-bit ones do not") {
  for (int id = 8; id <= 18; ++id) {
    CAPTURE(id);
    auto g = EcGroup::standard(id).value();
    if (id <= 9)
      CHECK(refused_for(g.validate(), "fewer than 224 bits"));
    else
      CHECK_MESSAGE(g.validate().ok(), g.validate().error().to_string());
  }
  CHECK(EcGroup::standard(8)->validate(192).ok());
  CHECK(explicit_group(secp256k1()).validate().ok());
}

TEST_CASE("ec validate: crafted bad parameter sets are refused, each by its own check") {
  const CurveParams bp = EcGroup::standard(13)->params();
  SUBCASE("a real but small curve (secp112r1)") {
    auto g = explicit_group(secp112r1());
    CHECK(refused_for(g.validate(), "p has 112 bits, fewer than 224 bits"));
    CHECK(g.validate(112).ok());  // the rest of secp112r1 is sound
  }
  SUBCASE("composite p") {
    // p = (two 128-bit primes), a = p - 3, b chosen so that G is on the curve.
    auto g = explicit_group(curve("8BCEFB6BE50E91F961FD9699E259347FABC6585B5022377CD90F8EBD0BA8BD89",
                                  "8BCEFB6BE50E91F961FD9699E259347FABC6585B5022377CD90F8EBD0BA8BD86",
                                  "7090EE3ABC6B204F5F99BFCD8B49A2FBA424DE9B945333DDF7EE2AEF4805CE7C",
                                  "0CB1E29C658CDA1495E60AF593BD04CF0FD630F1F29D0DA9953F48F1A09F76B5",
                                  "6B4CB2424A23D5962217BEADDBC496CB8E81973E0BECD7B03898D190F9EBDACC",
                                  "A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7"));
    CHECK(refused_for(g.validate(), "p is not an odd prime"));
  }
  SUBCASE("singular curve y² = x³ over brainpoolP256r1's field") {
    CurveParams cp = bp;
    cp.a = Bytes{0};
    cp.b = Bytes{0};
    cp.gx = Bytes{1};
    cp.gy = Bytes{1};
    CHECK(refused_for(explicit_group(cp).validate(), "singular"));
  }
  SUBCASE("generator off the curve: refused when the group is built") {
    CurveParams cp = bp;
    cp.gy.back() ^= 1;
    CHECK(EcGroup::from_params(cp).error().code == ErrorCode::InvalidArgument);
  }
  SUBCASE("composite order") {
    CurveParams cp = bp;
    cp.n = hex_bytes("A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A9");  // n + 2
    CHECK(refused_for(explicit_group(cp).validate(), "order n is not prime"));
  }
  SUBCASE("wrong (prime) order: NIST P-256's n on brainpoolP256r1") {
    CurveParams cp = bp;
    cp.n = EcGroup::standard(12)->params().n;
    CHECK(refused_for(explicit_group(cp).validate(), "wrong order"));
  }
  SUBCASE("order smaller than required") {
    CHECK(refused_for(explicit_group(mov_curve()).validate(245), "n has 240 bits, fewer than 245 bits"));
  }
  SUBCASE("anomalous: n = p") {
    CurveParams cp = bp;
    cp.n = bp.p;
    CHECK(refused_for(explicit_group(cp).validate(), "anomalous"));
  }
  SUBCASE("cofactor inconsistent with the Hasse bound") {
    CurveParams cp = bp;
    cp.h = 2;
    CHECK(refused_for(explicit_group(cp).validate(), "Hasse"));
  }
  SUBCASE("supersingular curve: embedding degree 2") {
    auto g = explicit_group(mov_curve());
    CHECK(refused_for(g.validate(), "embedding degree (2"));
    CurveParams cp = mov_curve();
    cp.h = 287;
    CHECK(refused_for(explicit_group(cp).validate(), "Hasse"));
  }
}

TEST_CASE("dh validate: RFC 5114 2048-bit groups and RFC 7919 ffdhe2048 pass; crafted groups fail") {
  CHECK(DhGroup::standard(1)->validate().ok());
  CHECK(DhGroup::standard(2)->validate().ok());
  auto g0 = DhGroup::standard(0).value();
  CHECK(refused_for(g0.validate(), "p has 1024 bits, fewer than 2048 bits"));
  CHECK(g0.validate(1024, 160).ok());

  // RFC 7919 ffdhe2048: safe prime, g = 2, q = (p - 1) / 2.
  const Bytes ff = hex_bytes(
      "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF97D2FE3"
      "63630C"
      "75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935984F0C70E0E68B77E2"
      "A689DA"
      "F3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394D"
      "F4AE"
      "56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B"
      "4C6F"
      "AD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF");
  const Bytes ff_q = BigInt::from_bytes(ff).shift_right(1).to_bytes().value();
  auto ffdhe = DhGroup::from_params(ff, Bytes{2}, ff_q).value();
  CHECK(ffdhe.param_id() == -1);
  CHECK(ffdhe.validate().ok());

  const auto g2 = DhGroup::standard(2).value();
  const Bytes p2 = g2.p(), q2 = g2.q(), gen2 = g2.g();
  auto check = [](ByteView p, ByteView g, ByteView q, const char* what) {
    auto grp = DhGroup::from_params(p, g, q);
    REQUIRE_MESSAGE(grp.ok(), grp.error().to_string());
    CHECK(grp->param_id() == -1);
    Status st = grp->validate();
    CHECK_MESSAGE(refused_for(st, what), (st ? std::string("accepted") : st.error().message));
  };
  // 22-bit group: p = 2q + 1 safe prime, g = 4 of order q (what a fake chip would offer).
  check(hex_bytes("3AA3B7"), Bytes{4}, hex_bytes("1D51DB"), "p has 22 bits, fewer than 2048 bits");
  CHECK(DhGroup::from_params(hex_bytes("3AA3B7"), Bytes{4}, hex_bytes("1D51DB"))->validate(22, 21).ok());
  Bytes p2_plus_2 = BigInt::from_bytes(p2).add(BigInt(2)).to_bytes().value();  // divisible by 5
  check(p2_plus_2, gen2, q2, "p is not prime");
  check(ff, Bytes{2}, {}, "q is not given");
  check(p2, gen2, hex_bytes("8CF8364201"), "q has 40 bits, fewer than 224 bits");
  check(p2, gen2, BigInt::from_bytes(q2).add(BigInt(2)).to_bytes().value(), "q is not prime");
  check(p2, gen2, DhGroup::standard(1)->q(), "q does not divide p - 1");
  check(p2, BigInt::from_bytes(p2).sub(BigInt(1)).value().to_bytes().value(), q2, "g is not in [2, p - 2]");
  check(p2, Bytes{2}, q2, "g does not generate the subgroup");
}
