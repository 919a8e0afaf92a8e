// SPDX-License-Identifier: Apache-2.0
// Hashes, block ciphers, MACs, KDF building blocks and RNGs of the crypto façade, against
// FIPS 180-4 / FIPS 197 / SP 800-38A / RFC 4493 values and the ICAO 9303-11 worked examples.
#include <set>
#include <thread>

#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/hash.hpp"
#include "dnie/crypto/rng.hpp"

#include "crypto/cipher.hpp"
#include "test_support.hpp"

using namespace dnie;
using namespace dnie::crypto;
using dnie::test::hx;
using dnie::test::vectors;

TEST_CASE("hash: FIPS 180-4 'abc' examples") {
  const ByteView abc = ByteView::of("abc");
  CHECK(to_hex(hash(HashAlg::Sha1, abc)) == "A9993E364706816ABA3E25717850C26C9CD0D89D");
  CHECK(to_hex(hash(HashAlg::Sha224, abc)) == "23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7");
  CHECK(to_hex(hash(HashAlg::Sha256, abc)) ==
        "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  CHECK(to_hex(hash(HashAlg::Sha384, abc)) ==
        "CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED8086072BA1E7CC2358BAECA134C825A7");
  CHECK(to_hex(hash(HashAlg::Sha512, abc)) ==
        "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD"
        "454D4423643CE80E2A9AC94FA54CA49F");
}

TEST_CASE("hash: incremental hasher, one million 'a', restart after finish") {
  Hasher h(HashAlg::Sha256);
  Bytes block(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.update(block);
  CHECK(to_hex(h.finish()) == "CDC76E5C9914FB9281A1C7E284D73E67F1809A48A497200E046D39CCC7112CD0");
  h.update(ByteView::of("abc"));
  CHECK(to_hex(h.finish()) == "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  Hasher moved = std::move(h);
  moved.update(ByteView::of("abc"));
  CHECK(moved.finish().size() == 32);
}

TEST_CASE("hash: names, sizes and OIDs") {
  for (HashAlg a : {HashAlg::Sha1, HashAlg::Sha224, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512}) {
    CHECK(hash(a, {}).size() == hash_size(a));
    auto back = hash_from_oid(hash_oid(a));
    REQUIRE(back);
    CHECK(*back == a);
  }
  CHECK(hash_name(HashAlg::Sha256) == "SHA-256");
  CHECK(hash_oid(HashAlg::Sha1) == "1.3.14.3.2.26");
  CHECK(hash_from_oid("1.2.3").error().code == ErrorCode::Unsupported);
}

TEST_CASE("AES: FIPS 197 appendix C and SP 800-38A F.2.1") {
  const Bytes pt = hex_bytes("00112233445566778899AABBCCDDEEFF");
  struct {
    std::size_t len;
    const char* ct;
  } cases[] = {{16, "69C4E0D86A7B0430D8CDB78070B4C55A"},
               {24, "DDA97CA4864CDFE06EAF70A0EC0D7191"},
               {32, "8EA2B7CA516745BFEAFC49904B496089"}};
  for (const auto& c : cases) {
    Bytes key(c.len);
    for (std::size_t i = 0; i < c.len; ++i) key[i] = static_cast<std::uint8_t>(i);
    auto ct = aes_ecb_encrypt(key, pt);
    REQUIRE(ct);
    CHECK(to_hex(*ct) == c.ct);
    auto back = aes_ecb_decrypt(key, *ct);
    REQUIRE(back);
    CHECK(back->view() == ByteView(pt));
  }
  const Bytes key = hex_bytes("2B7E151628AED2A6ABF7158809CF4F3C");
  Bytes iv(16);
  for (std::size_t i = 0; i < 16; ++i) iv[i] = static_cast<std::uint8_t>(i);
  auto ct = aes_cbc_encrypt(key, iv, hex_bytes("6BC1BEE22E409F96E93D7E117393172A"));
  REQUIRE(ct);
  CHECK(to_hex(*ct) == "7649ABAC8119B246CEE98E9B12E9197D");
  CHECK(aes_cbc_decrypt(key, iv, *ct)->view() == ByteView(hex_bytes("6BC1BEE22E409F96E93D7E117393172A")));
  CHECK(aes_ecb_encrypt(Bytes(15), pt).error().code == ErrorCode::InvalidArgument);
  CHECK(aes_ecb_encrypt(key, Bytes(15)).error().code == ErrorCode::InvalidArgument);
  CHECK(aes_cbc_encrypt(key, Bytes(8), pt).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("AES-CMAC: RFC 4493 / SP 800-38B examples for 128, 192 and 256-bit keys") {
  const Bytes m = hex_bytes("6BC1BEE22E409F96E93D7E117393172A");
  const Bytes k128 = hex_bytes("2B7E151628AED2A6ABF7158809CF4F3C");
  const Bytes k192 = hex_bytes("8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B");
  const Bytes k256 = hex_bytes("603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4");
  CHECK(to_hex(*aes_cmac(k128, {})) == "BB1D6929E95937287FA37D129B756746");
  CHECK(to_hex(*aes_cmac(k128, m)) == "070A16B46B4D4144F79BDD9DD04A287C");
  CHECK(to_hex(*aes_cmac(k192, {})) == "D17DDF46ADAACDE531CAC483DE7A9367");
  CHECK(to_hex(*aes_cmac(k192, m)) == "9E99A7BF31E710900662F65E617C5184");
  CHECK(to_hex(*aes_cmac(k256, {})) == "028962F61B7BF89EFC6B551F4667D983");
  CHECK(to_hex(*aes_cmac(k256, m)) == "28A7023F452E8F82BD4BF28D8C37C35C");
  CHECK(aes_cmac(Bytes(8), m).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("padding method 2 and DES parity") {
  CHECK(to_hex(pad_iso9797_m2(hex_bytes("011E"), 8)) == "011E800000000000");
  CHECK(pad_iso9797_m2(Bytes(8, 1), 8).size() == 16);
  CHECK(to_hex(*unpad_iso9797_m2(hex_bytes("011E800000000000"))) == "011E");
  CHECK(unpad_iso9797_m2(hex_bytes("011E000000000000")).error().code == ErrorCode::MalformedData);
  CHECK(unpad_iso9797_m2({}).error().code == ErrorCode::MalformedData);
  Bytes k = hex_bytes("AB94FCEDF2664EDFB9B291F85D7F77F2");
  adjust_des_parity(k);
  CHECK(to_hex(k) == "AB94FDECF2674FDFB9B391F85D7F76F2");
}

TEST_CASE("vectors: ICAO 9303-11 App. D.1-D.3 BAC (SHA-1 KDF, parity, 3DES, retail MAC)") {
  auto j = vectors("bac_appendix_d.json")["values"];
  CHECK(hash(HashAlg::Sha1, hx(j["mrz_information_hex"])) == hx(j["sha1_mrz_information"]));
  CHECK(hash(HashAlg::Sha1, hx(j["D_enc_Kseed_00000001"])) == hx(j["sha1_D_enc"]));
  CHECK(hash(HashAlg::Sha1, hx(j["D_mac_Kseed_00000002"])) == hx(j["sha1_D_mac"]));
  Bytes kenc = hx(j["sha1_D_enc"]);
  kenc.resize(16);
  adjust_des_parity(kenc);
  CHECK(kenc == hx(j["K_enc"]));
  Bytes kmac = hx(j["sha1_D_mac"]);
  kmac.resize(16);
  adjust_des_parity(kmac);
  CHECK(kmac == hx(j["K_mac"]));
  auto e_ifd = des3_cbc_encrypt(kenc, Bytes(8), hx(j["S_RNDIFD_RNDIC_KIFD"]));
  REQUIRE(e_ifd);
  CHECK(*e_ifd == hx(j["E_IFD"]));
  auto m_ifd = retail_mac(kmac, pad_iso9797_m2(*e_ifd, 8));
  REQUIRE(m_ifd);
  CHECK(*m_ifd == hx(j["M_IFD"]));
  CHECK(*retail_mac(kmac, pad_iso9797_m2(hx(j["E_IC"]), 8)) == hx(j["M_IC"]));
  CHECK(des3_cbc_decrypt(kenc, Bytes(8), hx(j["E_IC"]))->view() ==
        ByteView(hx(j["R_decrypted_RNDIC_RNDIFD_KIC"])));
}

TEST_CASE("vectors: ICAO 9303-11 App. D.4 3DES secure messaging") {
  auto v = vectors("sm_3des_appendix_d4.json");
  const Bytes ks_enc = hx(v["parameters"]["KS_enc"]), ks_mac = hx(v["parameters"]["KS_mac"]);
  int steps = 0;
  for (const auto& s : v["steps"]) {
    ++steps;
    CHECK(*retail_mac(ks_mac, hx(s["N_SSC_M_padded"])) == hx(s["CC_mac"]));
    CHECK(*retail_mac(ks_mac, hx(s["K_SSC_DOs_padded"])) == hx(s["CC_response_mac"]));
    if (s.contains("padded_data")) {
      CHECK(*des3_cbc_encrypt(ks_enc, Bytes(8), hx(s["padded_data"])) == hx(s["encrypted_data"]));
    }
    Bytes resp = hx(s["protected_response_apdu"]);
    auto first = tlv::parse_first(resp);
    REQUIRE(first);
    if (first->tag == 0x87) {
      auto plain = des3_cbc_decrypt(ks_enc, Bytes(8), first->value.subview(1));
      REQUIRE(plain);
      CHECK(*unpad_iso9797_m2(plain->view()) == hx(s["decrypted_response_data"]));
    }
  }
  CHECK(steps == 3);
}

TEST_CASE("vectors: KDF (ICAO 9303-11 §9.7.1, TR-03110 A.2.3)") {
  auto v = vectors("kdf_vectors.json");
  int n = 0;
  for (const auto& e : v["vectors"]) {
    Bytes input = hx(e["K"]);
    if (e.contains("nonce")) append(input, hx(e["nonce"]));
    append(input, be_bytes(e["counter"].get<std::uint64_t>(), 4));
    const int bits = e["key_bits"].get<int>();
    const bool des = e["cipher"] == "3DES";
    Bytes k = (des || bits == 128) ? hash(HashAlg::Sha1, input) : hash(HashAlg::Sha256, input);
    k.resize(des ? 16 : static_cast<std::size_t>(bits / 8));
    if (des) adjust_des_parity(k);
    CHECK_MESSAGE(k == hx(e["expected"]), e["name"].get<std::string>());
    ++n;
  }
  CHECK(n == 16);
}

TEST_CASE("DES: single-DES ECB building block (FIPS 81 style check against 3DES with K1=K2)") {
  const Bytes k = hex_bytes("0123456789ABCDEF"), pt = hex_bytes("4E6F772069732074");  // "Now is t"
  auto c = des_ecb_encrypt(k, pt);
  REQUIRE(c);
  CHECK(to_hex(*c) == "3FA40E8A984D4815");  // FIPS 81 / classic DES example
  auto c3 = des3_cbc_encrypt(concat({k, k}), Bytes(8), pt);
  CHECK(*c3 == *c);
  CHECK(des_ecb_encrypt(Bytes(7), pt).error().code == ErrorCode::InvalidArgument);
  CHECK(retail_mac(Bytes(16), Bytes(7)).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("rng: DeterministicRng is SHA-256(seed || counter64) and reproducible") {
  const Bytes seed = hex_bytes("00112233");
  DeterministicRng a(seed), b(seed);
  auto x = a.bytes(100);
  REQUIRE(x);
  Bytes y(100);
  REQUIRE(b.fill(y.data(), 37));
  REQUIRE(b.fill(y.data() + 37, 63));
  CHECK(*x == y);
  Bytes block0 = hash(HashAlg::Sha256, concat({seed, be_bytes(0, 8)}));
  Bytes block1 = hash(HashAlg::Sha256, concat({seed, be_bytes(1, 8)}));
  CHECK(ByteView(*x).first(32) == ByteView(block0));
  CHECK(ByteView(*x).subview(32, 32) == ByteView(block1));
  DeterministicRng c(hex_bytes("00112234"));
  CHECK(*c.bytes(100) != *x);
}

TEST_CASE("rng: system_rng from several threads") {
  std::vector<Bytes> out(4);
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&out, i] { out[static_cast<std::size_t>(i)] = system_rng().bytes(2000).value(); });
  for (auto& t : ts) t.join();
  std::set<Bytes> distinct(out.begin(), out.end());
  CHECK(distinct.size() == 4);
  auto s = system_rng().secret(32);
  REQUIRE(s);
  CHECK(s->size() == 32);
  unsigned char buf[8];
  CHECK(rng_callback(&system_rng(), buf, sizeof buf) == 0);
  CHECK(rng_callback(nullptr, buf, sizeof buf) != 0);
}
