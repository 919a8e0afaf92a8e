// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/gen/profiles.cpp
// generate_card(): assembles the CardImage of a test profile from the seed — key set (cached
// per seed for the whole process), PKIs, LDS data groups, EF.SOD, PKCS#15 files and the file
// tree of docs/dnie-card.md §2.2 — and applies the profile's defect.
#include <algorithm>
#include <map>
#include <mutex>

#include "dnie/bytes/asn1.hpp"
#include "dnie/crypto/ec.hpp"
#include "dnie/crypto/x509.hpp"

#include "vcard/gen/gen_internal.hpp"

namespace dnie::vcard {

namespace gen {

namespace {

/// CSCA key size. RSA-4096 like the real CSCA SPAIN (docs/dnie-card.md §6.1); generation time is
/// dominated by it and stays well inside the budget with deterministic generation.
constexpr unsigned kCscaBits = 4096;

Bytes stream_seed(std::uint64_t seed, std::string_view label) {
  Bytes s = be_bytes(seed, 8);
  append(s, ByteView::of("dnie-vcard-gen:"));
  append(s, ByteView::of(label));
  return s;
}

Result<std::shared_ptr<crypto::RsaPrivateKey>> rsa_key(std::uint64_t seed, std::string_view label,
                                                       unsigned bits) {
  // One independent deterministic stream per key, so keys do not depend on generation order.
  crypto::DeterministicRng rng(stream_seed(seed, std::string("key:") + std::string(label)));
  DNIE_ASSIGN_OR_RETURN(auto key, crypto::RsaPrivateKey::generate(bits, rng));
  return std::make_shared<crypto::RsaPrivateKey>(std::move(key));
}

Result<std::shared_ptr<const KeySet>> make_key_set(std::uint64_t seed) {
  auto k = std::make_shared<KeySet>();
  k->csca_bits = kCscaBits;
  DNIE_ASSIGN_OR_RETURN(k->csca, rsa_key(seed, "csca", kCscaBits));
  DNIE_ASSIGN_OR_RETURN(k->ds, rsa_key(seed, "ds", 2048));
  DNIE_ASSIGN_OR_RETURN(k->csca_untrusted, rsa_key(seed, "csca-untrusted", 2048));
  DNIE_ASSIGN_OR_RETURN(k->ds_untrusted, rsa_key(seed, "ds-untrusted", 2048));
  DNIE_ASSIGN_OR_RETURN(k->dnie_root, rsa_key(seed, "dnie-root", 2048));
  DNIE_ASSIGN_OR_RETURN(k->dnie_ca, rsa_key(seed, "dnie-ca", 2048));
  DNIE_ASSIGN_OR_RETURN(k->auth, rsa_key(seed, "auth", 2048));
  DNIE_ASSIGN_OR_RETURN(k->sign, rsa_key(seed, "sign", 2048));
  DNIE_ASSIGN_OR_RETURN(k->comp_root_r1, rsa_key(seed, "component-root-r1", 2048));
  DNIE_ASSIGN_OR_RETURN(k->comp_root_r2, rsa_key(seed, "component-root-r2", 2048));
  DNIE_ASSIGN_OR_RETURN(k->comp_ca, rsa_key(seed, "component-ca", 2048));
  DNIE_ASSIGN_OR_RETURN(k->icc, rsa_key(seed, "icc", 1024));
  DNIE_ASSIGN_OR_RETURN(k->attacker_root, rsa_key(seed, "attacker-component-root", 1024));
  DNIE_ASSIGN_OR_RETURN(k->attacker_ca, rsa_key(seed, "attacker-component-ca", 1024));
  // Chip Authentication key on brainpoolP256r1 (ICAO parameter ID 13).
  DNIE_ASSIGN_OR_RETURN(auto group, crypto::EcGroup::standard(13));
  crypto::DeterministicRng rng(stream_seed(seed, "key:chip-authentication"));
  DNIE_ASSIGN_OR_RETURN(auto pair, group.generate(rng));
  k->ca_private = pair.private_key.view().to_bytes();
  k->ca_public = pair.public_key;
  return std::shared_ptr<const KeySet>(std::move(k));
}

}  // namespace

Result<std::shared_ptr<const KeySet>> key_set(std::uint64_t seed) {
  static std::mutex mu;
  static std::map<std::uint64_t, std::shared_ptr<const KeySet>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(seed);
  if (it != cache.end()) return it->second;
  DNIE_ASSIGN_OR_RETURN(auto ks, make_key_set(seed));
  cache.emplace(seed, ks);
  return ks;
}

namespace {

Bytes acl_for(int read_rule) {
  // FCI ACL bytes (docs/dnie-card.md §2.1): 0x always, 4x secure channel, Fx never; updates
  // never. The public files (read_rule 0 and 1) are read in plain on contact by both proven
  // clients, so their READ byte says "always" (§9); NFC needs PACE for every file anyway.
  const std::uint8_t r = read_rule <= 1 ? 0x00 : 0xFF;
  return Bytes{r, 0xFF, 0xFF, 0xFF, 0xFF};
}

VFile ef(std::uint16_t fid, Bytes content, int read_rule = 0, FileType type = FileType::Transparent) {
  VFile f;
  f.fid = fid;
  f.type = type;
  f.content = std::move(content);
  f.read_rule = read_rule;
  f.acl = acl_for(read_rule);
  return f;
}

VFile df(std::uint16_t fid, std::string name = {}, Bytes aid = {}) {
  VFile f;
  f.fid = fid;
  f.type = FileType::Df;
  f.df_name = std::move(name);
  f.aid = std::move(aid);
  f.acl = acl_for(0);
  return f;
}

Bytes derived_bytes(std::uint64_t seed, std::string_view label, std::size_t n) {
  crypto::DeterministicRng rng(stream_seed(seed, label));
  Bytes out(n);
  (void)rng.fill(out.data(), out.size());
  return out;
}

std::string id_body(std::uint64_t seed, const Identity& id) {
  // 28-char body of the PKCS#15 IDs: 14 hex digits, then a YYYYMMDDhhmmss timestamp as on
  // the specimen ("02034674163C20" + "20160830144606").
  return to_hex(derived_bytes(seed, "pkcs15-id", 7)) + fmt_yyyymmdd(id.issue) + "100000";
}

Status fill_identity(Identity& id, std::uint64_t seed, std::string_view profile) {
  DNIE_ASSIGN_OR_RETURN(Identity d, default_identity(seed, profile));
  if (id.idesp.empty()) id.idesp = d.idesp;
  if (id.issue.empty()) id.issue = d.issue;
  if (id.expiry.empty()) id.expiry = add_years(id.issue, 10);
  if (id.idesp.size() != 9) return make_error(ErrorCode::InvalidArgument, "IDESP must have 9 characters");
  if (id.dni.size() != 9)
    return make_error(ErrorCode::InvalidArgument, "DNI must have 8 digits and a letter");
  return ok_status();
}

}  // namespace

// The attacks of the hostile profiles (docs/security.md). A genuine DNIe never behaves so.
Status make_hostile(CardImage& img, const std::string& profile) {
  // Clones: the DG14 key without its private key (CA cannot succeed), and a way to hide it.
  if (profile.rfind("clone-", 0) == 0) {
    img.ca_private_key.clear();
    if (profile == "clone-no-dg14") {
      img.hostile.withhold = {0x010E};
    } else {
      img.hostile.plain_sw_after_ca = static_cast<std::uint16_t>(std::stoul(profile.substr(6), nullptr, 16));
    }
  }
  // Weak PACE parameters: EF.CardAccess offers only these (so the chip refuses the DNIe's ID 13
  // at MSE:Set AT with 6A 80 and the terminal reads the file). ICAO 9303-11 §9.2.1 PACEInfo /
  // PACEDomainParameterInfo; a terminal that ran PACE on them would give the CAN away offline.
  auto pace_info = [](const char* oid, std::int64_t id) {
    return asn1::sequence({asn1::oid(oid), asn1::integer(std::int64_t{2}), asn1::integer(id)});
  };
  Bytes weak;
  if (profile == "weak-id0") weak = asn1::set({pace_info("0.4.0.127.0.7.2.2.4.1.2", 0)});
  if (profile == "weak-id8") weak = asn1::set({pace_info("0.4.0.127.0.7.2.2.4.2.2", 8)});
  if (profile == "weak-dh") {
    // dhpublicnumber (X9.42): p = 2q + 1 of 22 bits, g = 4 of order q.
    Bytes ai =
        asn1::sequence({asn1::oid("1.2.840.10046.2.1"),
                        asn1::sequence({asn1::integer(hex_bytes("3AA3B7")), asn1::integer(hex_bytes("04")),
                                        asn1::integer(hex_bytes("1D51DB"))})});
    weak = asn1::set(
        {pace_info("0.4.0.127.0.7.2.2.4.1.2", 32),
         asn1::sequence({asn1::oid("0.4.0.127.0.7.2.2.4.1"), ai, asn1::integer(std::int64_t{32})})});
  }
  if (profile == "weak-ec") {
    // SEC 2 secp112r1 as explicit SpecifiedECDomain (SEC 1 §C.2): sound, and far too small.
    Bytes g = hex_bytes("0409487239995A5EE76B55F9C2F098A89CE5AF8724C0A23E0E0FF77500");
    Bytes params =
        asn1::sequence({asn1::integer(std::int64_t{1}),
                        asn1::sequence({asn1::oid("1.2.840.10045.1.1"),
                                        asn1::integer(hex_bytes("DB7C2ABF62E35E668076BEAD208B"))}),
                        asn1::sequence({asn1::octet_string(hex_bytes("DB7C2ABF62E35E668076BEAD2088")),
                                        asn1::octet_string(hex_bytes("659EF8BA043916EEDE8911702B22"))}),
                        asn1::octet_string(g), asn1::integer(hex_bytes("DB7C2ABF62E35E7628DFAC6561C5")),
                        asn1::integer(std::int64_t{1})});
    Bytes ai = asn1::sequence({asn1::oid("1.2.840.10045.2.1"), params});
    weak = asn1::set(
        {pace_info("0.4.0.127.0.7.2.2.4.2.2", 32),
         asn1::sequence({asn1::oid("0.4.0.127.0.7.2.2.4.2"), ai, asn1::integer(std::int64_t{32})})});
  }
  if (!weak.empty()) {
    VFile* ca = img.find_mut({0x011C});
    if (ca == nullptr) return make_error(ErrorCode::InternalError, "no EF.CardAccess");
    ca->content = std::move(weak);
  }
  // Impostors: an attacker's component chain (build_pki) claiming r1 / r2, holding the public
  // production CV root of that generation so that it accepts the production terminal
  // certificates as a real card would; "impostor-test" keeps the TEST root and TEST names.
  if (profile == "impostor-r1" || profile == "impostor-r2") {
    const CvRootHex root = production_cv_root(profile == "impostor-r2" ? Generation::R2 : Generation::R1);
    img.cvc_root_modulus = hex_bytes(root.modulus);
    img.cvc_root_exponent = hex_bytes(root.exponent);
  }
  return ok_status();
}

}  // namespace gen

std::vector<std::string> profiles() {
  std::vector<std::string> all = {"genuine",    "altered-dg",  "cloned-chip", "expired", "untrusted-csca",
                                  "terminated", "blocked-pin", "r1",          "r2",      "revoked"};
  for (auto& h : hostile_profiles()) all.push_back(std::move(h));
  return all;
}

std::vector<std::string> hostile_profiles() {
  return {"clone-6a82", "clone-6982", "clone-6d00",  "clone-6a80",  "clone-no-dg14", "weak-dh",     "weak-ec",
          "weak-id0",   "weak-id8",   "impostor-r1", "impostor-r2", "impostor-test", "hostile-text"};
}

Result<CardImage> generate_card(const GeneratorOptions& o) {
  using namespace gen;
  const std::string& profile = o.profile;
  Identity id = o.identity ? *o.identity : Identity{};
  DNIE_TRY(fill_identity(id, o.seed, profile));
  if (o.can.size() != 6 || o.pin.size() < 8 || o.pin.size() > 16 || o.pin_tries < 1 || o.pin_tries > 15)
    return make_error(ErrorCode::InvalidArgument, "CAN must have 6 digits, PIN 8-16 characters, tries 1-15");
  DNIE_ASSIGN_OR_RETURN(auto keys, key_set(o.seed));

  CardImage img;
  img.profile = profile;
  img.seed = o.seed;
  // r2: support number ≥ BMP100001 (docs/dnie-card.md §1.1).
  img.generation = id.idesp >= std::string("BMP100001") ? Generation::R2 : Generation::R1;
  const bool r2 = img.generation == Generation::R2;
  img.can = o.can;
  img.pin = o.pin;
  img.pin_max_tries = o.pin_tries;
  img.pin_tries_left = profile == "blocked-pin" ? 0 : o.pin_tries;
  img.terminated = profile == "terminated";
  // ATRs (docs/dnie-card.md §1): H7 = 10 (r1, Sagem/Morpho) / 20 (r2); life cycle 03 90 00, or
  // 0F 65 81 for a terminated card.
  img.atr_contact = hex_bytes("3B7F960000006A444E4965100101550421039000");
  if (r2) img.atr_contact[11] = 0x20;
  if (img.terminated) {
    img.atr_contact[17] = 0x0F;
    img.atr_contact[18] = 0x65;
    img.atr_contact[19] = 0x81;
  }
  img.atr_contactless = hex_bytes("3B888001E1F35E117781A10003");
  img.historical_bytes = hex_bytes("E1F35E117781A100");
  img.chip_serial = derived_bytes(o.seed, "chip-serial", 7);
  img.uid = derived_bytes(o.seed, "uid", 4);

  // ---- PKI ----------------------------------------------------------------------------
  PkiParams pp;
  pp.keys = keys.get();
  pp.id = &id;
  pp.generation = img.generation;
  pp.ds_from = add_days(id.issue, -45);
  pp.ds_to = add_days(add_years(pp.ds_from, 10), 150);  // covers the documents it signs
  pp.chip_serial = img.chip_serial;
  pp.seed = o.seed;
  if (profile.rfind("impostor-", 0) == 0) pp.impostor_claim = profile.substr(9);
  pp.revoke_holder = profile == "revoked";
  DNIE_ASSIGN_OR_RETURN(PkiCerts pki, build_pki(pp));

  // ---- LDS ----------------------------------------------------------------------------
  DNIE_ASSIGN_OR_RETURN(Jp2Image face, face_jp2(o.seed));
  DNIE_ASSIGN_OR_RETURN(Jp2Image sig, signature_jp2(o.seed));
  const std::uint8_t ca_key_id = 1;
  SodSpec sod;
  sod.dgs[1] = build_dg1(id);
  sod.dgs[2] = build_dg2(id, face.data, face.width, face.height);
  sod.dgs[3] = build_dg3();
  sod.dgs[7] = build_dg7(sig.data);
  sod.dgs[11] = build_dg11(id);
  sod.dgs[13] = build_dg13(id);
  sod.dgs[14] = build_dg14(keys->ca_public, ca_key_id);
  sod.signing_time = unix_time(id.issue, 9, 0, 0);
  const bool untrusted = profile == "untrusted-csca";
  sod.ds_cert = untrusted ? pki.ds_untrusted : pki.ds;
  DNIE_ASSIGN_OR_RETURN(Bytes sod_bytes, build_sod(sod, untrusted ? *keys->ds_untrusted : *keys->ds));
  std::map<int, Bytes> dgs = sod.dgs;
  if (profile == "altered-dg") {
    // DG11 changed after signing: another street number, same length (hash mismatch only).
    Identity altered = id;
    altered.street.back() = altered.street.back() == '9' ? '8' : static_cast<char>(altered.street.back() + 1);
    dgs[11] = build_dg11(altered);
  }

  img.ca_private_key = profile == "cloned-chip" ? Bytes{} : keys->ca_private;
  img.ca_param_id = 13;
  img.ca_key_id = ca_key_id;
  img.icc_private_key = keys->icc->to_der().view().to_bytes();
  img.auth_private_key = keys->auth->to_der().view().to_bytes();
  img.sign_private_key = keys->sign->to_der().view().to_bytes();
  // The real CV root key (02 0F) is not public: the card holds the TEST root of its generation,
  // so it accepts the test key sets (test-r1-* / test-r2-*) and rejects the production ones.
  const CvRootHex root = test_cv_root(img.generation);
  img.cvc_root_modulus = hex_bytes(root.modulus);
  img.cvc_root_exponent = hex_bytes(root.exponent);

  // ---- PKCS#15 --------------------------------------------------------------------------
  DNIE_ASSIGN_OR_RETURN(auto auth_c, crypto::Certificate::parse(pki.auth));
  DNIE_ASSIGN_OR_RETURN(auto sign_c, crypto::Certificate::parse(pki.sign));
  DNIE_ASSIGN_OR_RETURN(auto ca_c, crypto::Certificate::parse(pki.dnie_ca));
  // CDF path lengths are the certificates' DER sizes [I]: the specimen's 0x0548/0x0542/0x0550
  // fit 2048-bit certificates, not their compressed files.
  const std::string body = id_body(o.seed, id);
  DNIE_ASSIGN_OR_RETURN(Bytes cdf, build_cdf({
                                       {"CertAutenticacion", "A" + body, 0x7001, pki.auth.size(),
                                        auth_c.subject().der, auth_c.issuer().der, auth_c.serial()},
                                       {"CertFirmaDigital", "F" + body, 0x7002, pki.sign.size(),
                                        sign_c.subject().der, sign_c.issuer().der, sign_c.serial()},
                                       {"CertCAIntermediaDGP", "S" + body, 0x7003, pki.dnie_ca.size(),
                                        ca_c.subject().der, ca_c.issuer().der, ca_c.serial()},
                                   }));
  // Key path length 0x03B5 as on the specimen PrKDF.
  DNIE_ASSIGN_OR_RETURN(Bytes prkdf,
                        build_prkdf({{"KprivAutenticacion", "A" + body, false, 1, 0x0101, 0x03B5},
                                     {"KprivFirmaDigital", "F" + body, true, 2, 0x0102, 0x03B5}}));
  DNIE_ASSIGN_OR_RETURN(Bytes z_auth, compress_cert(pki.auth));
  DNIE_ASSIGN_OR_RETURN(Bytes z_sign, compress_cert(pki.sign));
  DNIE_ASSIGN_OR_RETURN(Bytes z_ca, compress_cert(pki.dnie_ca));

  // ---- file tree (docs/dnie-card.md §2.2) ------------------------------------------------------
  VFile& mf = img.mf;
  mf = df(0x3F00, "Master.File");
  mf.children.push_back(ef(0x0006, Bytes(id.idesp.begin(), id.idesp.end())));
  const std::string version = "DNIe 04.21 A9 H 0155 EXP 2-(5.2-10)";
  mf.children.push_back(ef(0x2F03, Bytes(version.begin(), version.end())));
  // EF.ATR/INFO: card capabilities (ISO 7816-4 §12.1.1.10): command chaining, no extended length.
  mf.children.push_back(ef(0x2F01, hex_bytes("4703940180")));
  mf.children.push_back(ef(0x011C, card_access()));
  mf.children.push_back(ef(0x601F, pki.icc));
  mf.children.push_back(ef(0x6020, pki.comp_ca));
  mf.children.push_back(ef(0x0000, Bytes{}, 2, FileType::KeyEf));  // PIN file (CHANGE PIN target)

  VFile p15 = df(0x5015);
  p15.children.push_back(ef(0x5031, build_odf(), 1));
  p15.children.push_back(ef(0x5032, build_token_info(img.chip_serial), 1));
  p15.children.push_back(ef(0x6000, build_aodf(), 1));
  p15.children.push_back(ef(0x6001, prkdf, 1));
  p15.children.push_back(ef(0x6004, cdf, 1));
  mf.children.push_back(std::move(p15));

  VFile certs = df(0x6061);
  certs.children.push_back(ef(0x7001, z_auth, 1, FileType::CompressedCert));
  certs.children.push_back(ef(0x7002, z_sign, 1, FileType::CompressedCert));
  certs.children.push_back(ef(0x7003, z_ca, 1, FileType::CompressedCert));
  mf.children.push_back(std::move(certs));

  VFile keydf = df(0x3F11);
  keydf.children.push_back(ef(0x0101, keys->auth->public_key().to_pkcs1(), 2, FileType::KeyEf));
  keydf.children.push_back(ef(0x0102, keys->sign->public_key().to_pkcs1(), 2, FileType::KeyEf));
  mf.children.push_back(std::move(keydf));

  VFile icao = df(0x3F01, {}, hex_bytes("A0000002471001"));
  icao.children.push_back(ef(0x011E, build_com(), 1));
  for (const auto& [num, bytes] : dgs)
    icao.children.push_back(ef(static_cast<std::uint16_t>(0x0100 + num), bytes, num == 3 ? 2 : 1));
  icao.children.push_back(ef(0x011D, sod_bytes, 1));
  mf.children.push_back(std::move(icao));

  // ---- extras for tests and tools -------------------------------------------------------
  img.extras["csca.der"] = pki.csca;
  img.extras["ds.der"] = sod.ds_cert;
  if (untrusted) img.extras["csca-untrusted.der"] = pki.csca_untrusted;
  img.extras["component-root.der"] = pki.comp_root;
  if (!pp.impostor_claim.empty()) {
    // The card's chain is the attacker's; the root a terminal trusts for test cards stays the
    // genuine TEST root (what a session on the virtual card trusts), so the impostor fails it.
    PkiParams genuine = pp;
    genuine.impostor_claim.clear();
    DNIE_ASSIGN_OR_RETURN(PkiCerts g, build_pki(genuine));
    img.extras["component-root.der"] = g.comp_root;
    img.extras["attacker-component-root.der"] = pki.comp_root;
  }
  img.extras["component-ca.der"] = pki.comp_ca;
  img.extras["icc-cert.der"] = pki.icc;
  img.extras["dnie-root.der"] = pki.dnie_root;
  img.extras["dnie-ca.der"] = pki.dnie_ca;
  img.extras["auth-cert.der"] = pki.auth;
  img.extras["sign-cert.der"] = pki.sign;
  // The holder CA's CRL travels inside the image, as a named extra like the CA certificate: the
  // .dvc format and its parser stay as they are, and wherever an image is installed, moved or
  // named by path (virtual:/dir/x.dvc), its revocation evidence is with it.
  img.extras["dnie-ca.crl"] = pki.dnie_ca_crl;
  img.extras["ca-public.bin"] = keys->ca_public;
  const std::string mrz = mrz_td1(id);
  img.extras["mrz.txt"] = Bytes(mrz.begin(), mrz.end());
  if (profile == "hostile-text") {
    // Card text is data: after the genuine name (so the MRZ still agrees), DG11 and DG13 carry an
    // SGR "conceal" (ESC [ 8 m), an OSC window title (ESC ] 0 ; title BEL), a lone 0xC3, 0xFF, a
    // NUL and markup; EF.SOD is signed over them, so only the text is the attack.
    Identity hostile = id;
    hostile.name += std::string("\x1b[8m\x1b]0;title\x07\xC3\xFF\0<i>", 20);
    img.find_mut({0x3F01, 0x010B})->content = build_dg11(hostile);
    img.find_mut({0x3F01, 0x010D})->content = build_dg13(hostile);
    DNIE_TRY(resign_document(img));
  }
  DNIE_TRY(gen::make_hostile(img, profile));
  return img;
}

Status resign_document(CardImage& img) {
  using namespace gen;
  DNIE_ASSIGN_OR_RETURN(auto keys, key_set(img.seed));
  VFile* sod_file = img.find_mut({0x3F01, 0x011D});
  auto ds_it = img.extras.find("ds.der");
  if (sod_file == nullptr || ds_it == img.extras.end())
    return make_error(ErrorCode::InvalidArgument,
                      "resign_document: the image has no EF.SOD or DS certificate");
  DNIE_ASSIGN_OR_RETURN(auto ds, crypto::Certificate::parse(ds_it->second));
  SodSpec sod;
  for (int n = 1; n <= 16; ++n)
    if (const VFile* f = img.find_mut({0x3F01, static_cast<std::uint16_t>(0x0100 + n)}))
      sod.dgs[n] = f->content;
  sod.ds_cert = ds_it->second;
  // Signed on the day of issue, 45 days into the DS certificate's life (as generate_card does).
  sod.signing_time = ds.not_before() + 45 * 86400 + 30 * 60;
  const bool untrusted = img.profile == "untrusted-csca";
  DNIE_ASSIGN_OR_RETURN(sod_file->content, build_sod(sod, untrusted ? *keys->ds_untrusted : *keys->ds));
  return ok_status();
}

}  // namespace dnie::vcard
