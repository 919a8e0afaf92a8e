// SPDX-License-Identifier: Apache-2.0
// Passive authentication report over synthetic documents signed here (CSCA → DS → EF.SOD with
// RFC 5652 signed attributes), so every check can be driven to pass and to fail: DG hashes,
// chain, CRL, countries, expiry, MRZ consistency with DG11/DG13. (The real-file oracles are in
// test_sod_pki.cpp.)
#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/rng.hpp"
#include "dnie/icao/mrz.hpp"
#include "dnie/icao/verification.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::icao;

namespace {

std::int64_t date(int y, unsigned m, unsigned d) { return asn1::days_from_civil(y, m, d) * 86400; }
Bytes sha256_rsa() { return asn1::sequence({asn1::oid("1.2.840.113549.1.1.11"), asn1::null()}); }

Bytes name(const std::string& c, const std::string& cn) {
  return asn1::sequence({asn1::set({asn1::sequence({asn1::oid("2.5.4.6"), asn1::printable_string(c)})}),
                         asn1::set({asn1::sequence({asn1::oid("2.5.4.3"), asn1::utf8_string(cn)})})});
}

Bytes ext(const char* oid, bool critical, ByteView value) {
  if (critical) return asn1::sequence({asn1::oid(oid), asn1::boolean(true), asn1::octet_string(value)});
  return asn1::sequence({asn1::oid(oid), asn1::octet_string(value)});
}

struct Pki {
  crypto::RsaPrivateKey csca_key, ds_key;
  Bytes csca_name, csca_der, ds_der;
};

Bytes sign_cert(const crypto::RsaPrivateKey& issuer, ByteView issuer_name, ByteView subject_name,
                std::int64_t serial, const crypto::RsaPublicKey& subject_key, Bytes extensions) {
  Bytes tbs = asn1::sequence(
      {asn1::context(0, asn1::integer(std::int64_t{2})), asn1::integer(serial), sha256_rsa(), issuer_name,
       asn1::sequence({asn1::utc_time(date(2015, 1, 1)), asn1::utc_time(date(2035, 1, 1))}), subject_name,
       subject_key.to_spki(), asn1::context(3, extensions)});
  auto sig = issuer.sign_pkcs1_v15(crypto::HashAlg::Sha256, crypto::hash(crypto::HashAlg::Sha256, tbs));
  REQUIRE(sig.ok());
  return asn1::sequence({tbs, sha256_rsa(), asn1::bit_string(*sig)});
}

const Pki& pki() {
  static Pki* p = [] {
    crypto::DeterministicRng rng(ByteView::of("icao pa test"));
    auto ck = crypto::RsaPrivateKey::generate(1024, rng);
    auto dk = crypto::RsaPrivateKey::generate(1024, rng);
    REQUIRE(ck.ok());
    REQUIRE(dk.ok());
    auto* out = new Pki{std::move(*ck), std::move(*dk), name("ES", "CSCA TEST"), {}, {}};
    Bytes csca_ext = asn1::sequence({ext("2.5.29.19", true, asn1::sequence({asn1::boolean(true)})),
                                     ext("2.5.29.15", true, hex_bytes("03020106"))});
    out->csca_der =
        sign_cert(out->csca_key, out->csca_name, out->csca_name, 1, out->csca_key.public_key(), csca_ext);
    Bytes doc_types =
        asn1::sequence({asn1::integer(std::int64_t{0}), asn1::set({asn1::printable_string("ID")})});
    Bytes ds_ext = asn1::sequence(
        {ext("2.5.29.15", true, hex_bytes("03020780")), ext("2.23.136.1.1.6.2", false, doc_types)});
    out->ds_der =
        sign_cert(out->csca_key, out->csca_name, name("ES", "DS TEST"), 7, out->ds_key.public_key(), ds_ext);
    return out;
  }();
  return *p;
}

std::string td1(const std::string& state, const std::string& idesp, const std::string& dni) {
  std::string l1 = "ID" + state + idesp + "0" + dni + "<<<<<<";
  std::string l2 = "8001014F3306157ESP<<<<<<<<<<<";
  l1[14] = *mrz_check_digit(l1.substr(5, 9));
  l2[6] = *mrz_check_digit(l2.substr(0, 6));
  l2[14] = *mrz_check_digit(l2.substr(8, 6));
  l2 += *mrz_check_digit(l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11));
  return l1 + l2 + "ESPANOLA<ESPANOLA<<CARMEN<<<<<";
}

Bytes dg13(const std::string& dni) {
  Bytes c;
  for (const char* f : {"ESPAÑOLA", "ESPAÑOLA", "CARMEN"}) append(c, asn1::utf8_string(f));
  append(c, asn1::utf8_string(dni));
  for (const char* f : {"01 01 1980", "ESP", "15 06 2033", "BAA000589", "F", "MADRID", "MADRID",
                        "JUAN / CARMEN", "AVDA DE MADRID 1", "MADRID", "MADRID", "ESPAÑA"})
    append(c, asn1::utf8_string(f));
  return tlv::encode(0x6D, asn1::sequence({c}));
}

// EF.SOD over `dgs` signed by the DS (RFC 5652 §5 with contentType, signingTime, messageDigest).
Bytes make_sod(const std::map<int, Bytes>& dgs) {
  const Pki& p = pki();
  Bytes hashes;
  for (const auto& [n, b] : dgs)
    append(hashes, asn1::sequence({asn1::integer(std::int64_t{n}),
                                   asn1::octet_string(crypto::hash(crypto::HashAlg::Sha256, b))}));
  Bytes sha256 = asn1::sequence({asn1::oid("2.16.840.1.101.3.4.2.1"), asn1::null()});
  Bytes lso = asn1::sequence({asn1::integer(std::int64_t{0}), sha256, tlv::encode(0x30, hashes)});
  Bytes attrs = asn1::set(
      {asn1::sequence({asn1::oid("1.2.840.113549.1.9.3"), asn1::set({asn1::oid("2.23.136.1.1.1")})}),
       asn1::sequence({asn1::oid("1.2.840.113549.1.9.5"), asn1::set({asn1::utc_time(date(2023, 6, 15))})}),
       asn1::sequence({asn1::oid("1.2.840.113549.1.9.4"),
                       asn1::set({asn1::octet_string(crypto::hash(crypto::HashAlg::Sha256, lso))})})});
  auto sig = p.ds_key.sign_pkcs1_v15(crypto::HashAlg::Sha256, crypto::hash(crypto::HashAlg::Sha256, attrs));
  REQUIRE(sig.ok());
  Bytes signed_attrs = attrs;
  signed_attrs[0] = 0xA0;
  Bytes signer = asn1::sequence({asn1::integer(std::int64_t{1}),
                                 asn1::sequence({p.csca_name, asn1::integer(std::int64_t{7})}), sha256,
                                 signed_attrs, sha256_rsa(), asn1::octet_string(*sig)});
  Bytes sd = asn1::sequence(
      {asn1::integer(std::int64_t{3}), asn1::set({sha256}),
       asn1::sequence({asn1::oid("2.23.136.1.1.1"), asn1::context(0, asn1::octet_string(lso))}),
       asn1::context(0, p.ds_der), asn1::set({signer})});
  return tlv::encode(0x77, asn1::sequence({asn1::oid("1.2.840.113549.1.7.2"), asn1::context(0, sd)}));
}

LdsContent document(const std::string& state = "ESP", const std::string& dni13 = "99999999R") {
  LdsContent d;
  d.dgs[1] = tlv::encode(0x61, tlv::encode(0x5F1F, ByteView::of(td1(state, "BAA000589", "99999999R"))));
  d.dgs[11] = tlv::encode(0x6B, concat({tlv::encode(0x5F0E, ByteView::of("ESPAÑOLA ESPAÑOLA<<CARMEN")),
                                        tlv::encode(0x5F10, ByteView::of("99999999R")),
                                        tlv::encode(0x5F2B, ByteView::of("19800101"))}));
  d.dgs[13] = dg13(dni13);
  d.dgs[3] = tlv::encode(0x63, Bytes{});
  d.sod = make_sod(d.dgs);
  d.dgs.erase(3);
  d.unreadable[3] = Error(ErrorCode::AccessDenied, "not readable (needs EAC)");
  return d;
}

TrustStore store() {
  TrustStore s;
  REQUIRE(s.add_certificates(pki().csca_der, "test").ok());
  return s;
}

}  // namespace

TEST_CASE("genuine synthetic document: every check passes") {
  TrustStore s = store();
  PassiveAuthOptions o;
  o.trust_store = &s;
  o.now = date(2025, 1, 1);
  VerificationReport r = verify_document(document(), o);
  for (const auto& c : r.checks) INFO(c.id << " " << check_status_name(c.status) << " " << c.reason);
  for (const char* id : {"sod.parse", "sod.signature", "dg1.hash", "dg11.hash", "dg13.hash",
                         "ds.valid_at_signing", "ds.valid_now", "ds.key_usage", "ds.document_type",
                         "ds.chain", "csca.valid_at_signing", "csca.key_usage", "country.ds_csca",
                         "country.mrz", "mrz.check_digits", "document.expiry", "mrz.dg11", "mrz.dg13"})
    CHECK_MESSAGE(r.status(id) == CheckStatus::Pass,
                  id << ": " << (r.find(id) ? r.find(id)->reason : "absent"));
  CHECK(r.status("dg3.hash") == CheckStatus::NotPerformed);
  CHECK(r.find("dg3.hash")->reason == "not readable (needs EAC)");
  CHECK(r.status("ds.revocation") == CheckStatus::NotPerformed);
  CHECK(r.status("chip_authentication") == CheckStatus::NotPerformed);
  CHECK(r.status("active_authentication") == CheckStatus::NotPerformed);
  CHECK(r.count(CheckStatus::Fail) == 0);
  // Passive authentication alone never makes a chip genuine: a clone copies the data.
  CHECK(r.assessment().authenticity == Authenticity::CannotVerify);
  CHECK(r.assessment().deciding == std::vector<std::string>{"chip_authentication"});
  record_result(r, "chip_authentication", "Chip Authentication", ok_status());
  CHECK(r.status("chip_authentication") == CheckStatus::Pass);
  // DG3 is EAC-protected: unreadable groups do not count.
  CHECK(r.assessment().authenticity == Authenticity::Genuine);
  CHECK_FALSE(r.assessment().expired);
  record_result(r, "chip_authentication", "Chip Authentication",
                Error(ErrorCode::VerificationFailed, "clone"));
  CHECK(r.status("chip_authentication") == CheckStatus::Fail);
  CHECK(r.assessment().authenticity == Authenticity::NotGenuine);
  CHECK(r.assessment().label() == "NOT GENUINE");
}

TEST_CASE("altered data group, expired document, untrusted CSCA") {
  TrustStore s = store();
  PassiveAuthOptions o;
  o.trust_store = &s;
  o.now = date(2025, 1, 1);
  LdsContent d = document();
  d.dgs[11].back() ^= 0x01;
  VerificationReport r = verify_document(d, o);
  CHECK(r.status("dg11.hash") == CheckStatus::Fail);
  CHECK(r.status("dg1.hash") == CheckStatus::Pass);
  CHECK(r.assessment().authenticity == Authenticity::NotGenuine);
  REQUIRE_FALSE(r.assessment().deciding.empty());
  CHECK(r.assessment().deciding.front() == "dg11.hash");

  o.now = date(2034, 1, 1);
  VerificationReport r2 = verify_document(document(), o);
  CHECK(r2.status("document.expiry") == CheckStatus::Fail);
  record_result(r2, "chip_authentication", "Chip Authentication", ok_status());
  CHECK(r2.assessment().authenticity == Authenticity::Genuine);
  CHECK(r2.assessment().expired);
  CHECK(r2.assessment().label() == "GENUINE, EXPIRED");

  TrustStore empty;
  o.trust_store = &empty;
  o.now = date(2025, 1, 1);
  VerificationReport r3 = verify_document(document(), o);
  // A genuine document whose CSCA is not in the store is not forged: CANNOT VERIFY.
  CHECK(r3.status("ds.chain") == CheckStatus::NotPerformed);
  CHECK(r3.find("ds.chain")->reason.find("no CSCA") != std::string::npos);
  record_result(r3, "chip_authentication", "Chip Authentication", ok_status());
  CHECK(r3.assessment().authenticity == Authenticity::CannotVerify);
  CHECK(r3.assessment().label() == "CANNOT VERIFY");
  o.trust_store = nullptr;
  CHECK(verify_document(document(), o).status("ds.chain") == CheckStatus::NotPerformed);
}

TEST_CASE("MRZ issuing state and DG13 inconsistencies are reported") {
  TrustStore s = store();
  PassiveAuthOptions o;
  o.trust_store = &s;
  o.now = date(2025, 1, 1);
  VerificationReport r = verify_document(document("FRA"), o);
  CHECK(r.status("country.mrz") == CheckStatus::Fail);
  CHECK(r.status("sod.signature") == CheckStatus::Pass);
  VerificationReport r2 = verify_document(document("ESP", "12345678Z"), o);
  CHECK(r2.status("mrz.dg13") == CheckStatus::Fail);
  CHECK(r2.find("mrz.dg13")->reason.find("DNI number") != std::string::npos);
  CHECK(r2.status("mrz.dg11") == CheckStatus::Pass);
}

TEST_CASE("a CRL from the CSCA revokes the DS") {
  const Pki& p = pki();
  Bytes tbs = asn1::sequence(
      {asn1::integer(std::int64_t{1}), sha256_rsa(), p.csca_name, asn1::utc_time(date(2024, 1, 1)),
       asn1::utc_time(date(2026, 1, 1)),
       asn1::sequence({asn1::sequence({asn1::integer(std::int64_t{7}), asn1::utc_time(date(2024, 1, 1))})})});
  auto sig = p.csca_key.sign_pkcs1_v15(crypto::HashAlg::Sha256, crypto::hash(crypto::HashAlg::Sha256, tbs));
  REQUIRE(sig.ok());
  Bytes crl = asn1::sequence({tbs, sha256_rsa(), asn1::bit_string(*sig)});
  TrustStore s = store();
  REQUIRE(s.add_crl(crl).ok());
  CHECK(s.crl_count() == 1);
  Bytes forged = crl;
  forged[forged.size() - 4] ^= 0x01;
  CHECK(s.add_crl(forged).error().code == ErrorCode::VerificationFailed);
  TrustStore none;
  CHECK(none.add_crl(crl).error().code == ErrorCode::UntrustedDocument);
  PassiveAuthOptions o;
  o.trust_store = &s;
  o.now = date(2025, 1, 1);
  VerificationReport r = verify_document(document(), o);
  CHECK(r.status("ds.revocation") == CheckStatus::Fail);
}

TEST_CASE("no SOD / broken SOD never throw and are reported") {
  LdsContent d = document();
  d.sod.clear();
  VerificationReport r = verify_document(d);
  CHECK(r.status("sod.parse") == CheckStatus::Fail);
  CHECK(r.status("dg1.hash") == CheckStatus::NotPerformed);
  d.sod = hex_bytes("77023000");
  CHECK(verify_document(d).status("sod.parse") == CheckStatus::Fail);
  CHECK(country_alpha3("ES") == "ESP");
  CHECK(country_alpha3("DE") == "D");
  CHECK(country_alpha3("FR") == "FRA");
  CHECK(country_alpha3("??").empty());
}
