// SPDX-License-Identifier: Apache-2.0
// EF.SOD and master list against real files nobody here made: the DNIe specimen SOD, the AT/DE/FR
// passport SODs (gmrtd test suite) and the BSI CSCA master list of 2026-05-28.
#include <filesystem>
#include <fstream>

#include "dnie/bytes/asn1.hpp"
#include "dnie/icao/sod.hpp"
#include "dnie/icao/trust_store.hpp"
#include "dnie/icao/verification.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::icao;
using dnie::test::data_path;
using dnie::test::read_file;
using dnie::test::vectors;

namespace {
std::int64_t date(int y, unsigned m, unsigned d) { return asn1::days_from_civil(y, m, d) * 86400; }

// The BSI list's signer is issued by csca-germany, itself in the list: a first load cannot anchor
// it (ICAO 9303-12 §5.2). The store trusts that CSCA first, as a verifier would with the copy the
// BSI publishes (taken here from the list's CMS certificate set), so the list verifies.
const TrustStore& master_list_store() {
  static TrustStore* store = [] {
    auto* s = new TrustStore();
    const Bytes raw = read_file(data_path("pki/DE_master_list_2026-05-28.ml"));
    auto ml = parse_master_list(raw);
    REQUIRE(ml.ok());
    const crypto::Certificate* signer = find_signer_certificate(ml->signed_data, ml->signed_data.signers[0]);
    REQUIRE(signer != nullptr);
    for (const auto& c : ml->signed_data.certificates)
      if (&c != signer && c.subject() == signer->issuer() && signer->verify_signed_by(c.public_key()))
        s->add(c, "csca-germany");
    auto r = s->add_master_list(raw, "DE_master_list");
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    return s;
  }();
  return *store;
}
}  // namespace

TEST_CASE("DNIe specimen SOD: structure and SHA-1 hashes of DG1,2,3,7,11,13,14") {
  auto sod = parse_sod(read_file(data_path("pki/SOD_ESPECIMEN.der")));
  REQUIRE(sod.ok());
  CHECK(sod->lds.hash_alg == crypto::HashAlg::Sha1);
  std::vector<int> dgs;
  for (const auto& h : sod->lds.hashes) dgs.push_back(h.number);
  CHECK(dgs == std::vector<int>{1, 2, 3, 7, 11, 13, 14});
  CHECK(to_hex(*sod->lds.hash_of(1)) == "FE79C0AE536E249330AD4D4EFD081B98E9851EE1");
  CHECK(to_hex(*sod->lds.hash_of(14)) == "A60DA8630179E98A34EFCA0E0C489ABD1FF79919");
  CHECK(sod->lds.hash_of(15) == nullptr);
  const SignerInfo* si = sod->signer();
  REQUIRE(si != nullptr);
  CHECK(si->digest_algorithm == "2.16.840.1.101.3.4.2.1");
  CHECK(si->signature_algorithm.oid == "1.2.840.113549.1.1.11");
  REQUIRE(si->signing_time.has_value());
  CHECK(asn1::format_time(*si->signing_time) == "2016-08-30T12:47:03Z");
  const crypto::Certificate* ds = sod->ds_certificate();
  REQUIRE(ds != nullptr);
  CHECK(ds->subject().get("CN") == "DS n-eID SPAIN 2");
  CHECK(ds->issuer().get("CN") == "CSCA SPAIN");
  auto types = ds->document_types();
  REQUIRE(types.has_value());
  CHECK(*types == std::vector<std::string>{"P", "ID", "IX"});
  CHECK(verify_signer(sod->signed_data, *si, ds->public_key()).ok());
}

TEST_CASE("a flipped bit in the specimen SOD breaks its signature") {
  Bytes raw = read_file(data_path("pki/SOD_ESPECIMEN.der"));
  auto sod = parse_sod(raw);
  REQUIRE(sod.ok());
  SignedData sd = sod->signed_data;
  sd.signers[0].signature[10] ^= 0x01;
  CHECK(verify_signer(sd, sd.signers[0], sod->ds_certificate()->public_key()).error().code ==
        ErrorCode::VerificationFailed);
  SignedData sd2 = sod->signed_data;
  sd2.content[40] ^= 0x01;  // a DG hash changed: messageDigest no longer matches
  CHECK(verify_signer(sd2, sd2.signers[0], sod->ds_certificate()->public_key()).error().code ==
        ErrorCode::VerificationFailed);
}

TEST_CASE("AT, DE and FR passport SODs parse, verify with their DS and carry the published DG1 hash") {
  auto v = vectors("samples_ef_cardaccess_cardsecurity_dg14_sod.json");
  int n = 0;
  for (const auto& s : v["ef_sod"]) {
    const std::string name = s["name"].get<std::string>();
    auto sod = parse_sod(dnie::test::hx(s["hex"]));
    REQUIRE_MESSAGE(sod.ok(), name << ": " << sod.error().to_string());
    CHECK_MESSAGE(to_hex(*sod->lds.hash_of(1)) == s["dg1_hash_in_lds_security_object"].get<std::string>(),
                  name);
    const crypto::Certificate* ds = sod->ds_certificate();
    REQUIRE_MESSAGE(ds != nullptr, name);
    Status st = verify_signer(sod->signed_data, *sod->signer(), ds->public_key());
    CHECK_MESSAGE(st.ok(), name << ": " << (st ? "" : st.error().to_string()));
    ++n;
  }
  CHECK(n == 3);
}

TEST_CASE("BSI master list: 588 CSCAs, its own signature verifies, 5 CSCA SPAIN") {
  auto ml = parse_master_list(read_file(data_path("pki/DE_master_list_2026-05-28.ml")));
  REQUIRE(ml.ok());
  CHECK(ml->certificates.size() == 588);
  const TrustStore& store = master_list_store();
  REQUIRE(store.master_lists().size() == 1);
  const MasterListReport& rep = store.master_lists()[0];
  CHECK(rep.certificates == 588);
  CHECK(rep.signature_verified);
  CHECK(rep.signer_chain_verified);
  CHECK_MESSAGE(rep.reason.empty(), rep.reason);
  CHECK(rep.signer.find("C=DE") != std::string::npos);
  CHECK(rep.anchor.find("CN=csca-germany") != std::string::npos);
  CHECK(store.size() == rep.added + 1);  // csca-germany was given first (and is in the list)
  CHECK(store.size() <= 588);
  std::size_t spain = 0;
  for (const auto& c : store.certificates())
    if (c.subject().get("CN") == "CSCA SPAIN") ++spain;
  CHECK(spain == 5);
  auto audit = store.audit(date(2026, 6, 1));
  CHECK(audit.size() == store.size());
  std::size_t es = 0, self_ok = 0, self_signed = 0;
  for (const auto& a : audit) {
    if (a.country == "ES") ++es;
    if (a.self_signed) ++self_signed;
    if (a.self_signature_ok.value_or(false)) ++self_ok;
  }
  CHECK(es >= 5);
  CHECK(self_signed > 300);
  CHECK(self_ok > 300);
}

TEST_CASE("a tampered master list is refused, even when unanchored lists are accepted") {
  Bytes raw = read_file(data_path("pki/DE_master_list_2026-05-28.ml"));
  raw[raw.size() - 5] ^= 0x01;  // inside the ECDSA signature
  TrustStore s;
  CHECK(s.add_master_list(raw, "tampered").error().code == ErrorCode::VerificationFailed);
  MasterListOptions opt;
  opt.accept_unanchored = true;
  TrustStore s2;
  CHECK(s2.add_master_list(raw, "tampered", opt).error().code == ErrorCode::VerificationFailed);
  CHECK(s2.size() == 0);
}

TEST_CASE("specimen SOD chains to CSCA SPAIN; DS valid at signing, expired now") {
  LdsContent doc;
  doc.sod = read_file(data_path("pki/SOD_ESPECIMEN.der"));
  PassiveAuthOptions o;
  o.trust_store = &master_list_store();
  o.now = date(2027, 1, 1);
  VerificationReport rep = verify_document(doc, o);
  CHECK(rep.status("sod.parse") == CheckStatus::Pass);
  CHECK(rep.status("sod.signature") == CheckStatus::Pass);
  CHECK(rep.status("ds.chain") == CheckStatus::Pass);
  CHECK(rep.find("ds.chain")->reason.find("CSCA SPAIN") != std::string::npos);
  CHECK(rep.status("ds.valid_at_signing") == CheckStatus::Pass);
  CHECK(rep.status("ds.valid_now") == CheckStatus::Fail);
  CHECK(rep.find("ds.valid_now")->reason.find("expired") != std::string::npos);
  CHECK(rep.status("ds.key_usage") == CheckStatus::Pass);
  CHECK(rep.status("csca.valid_at_signing") == CheckStatus::Pass);
  CHECK(rep.status("country.ds_csca") == CheckStatus::Pass);
  CHECK(rep.status("ds.revocation") == CheckStatus::NotPerformed);
  for (int dg : {1, 2, 3, 7, 11, 13, 14}) {
    const Check* c = rep.find("dg" + std::to_string(dg) + ".hash");
    REQUIRE(c != nullptr);
    CHECK(c->status == CheckStatus::NotPerformed);
  }
  // An expired DS is information (DS keys retire early); without the data groups and chip
  // authentication nothing can be proven.
  CHECK(rep.assessment().authenticity == Authenticity::CannotVerify);
  // While the DS was valid, nothing fails; the DGs were not read, so the verdict is incomplete.
  o.now = date(2020, 1, 1);
  VerificationReport rep2 = verify_document(doc, o);
  CHECK(rep2.status("ds.valid_now") == CheckStatus::Pass);
  CHECK(rep2.count(CheckStatus::Fail) == 0);
  CHECK(rep2.assessment().authenticity == Authenticity::CannotVerify);
}

TEST_CASE("FR and AT SODs chain to their CSCAs in the BSI master list") {
  // The AT result was confirmed independently (pure-Python ECDSA over the explicit brainpool
  // parameters of the two CSCA-AUSTRIA certificates that carry the signing key); the pki README
  // says its issuer is "not matched", which holds for a DN-with-serialNumber lookup only.
  auto v = vectors("samples_ef_cardaccess_cardsecurity_dg14_sod.json");
  PassiveAuthOptions o;
  o.trust_store = &master_list_store();
  const char* expect_csca[] = {"CSCA-AUSTRIA", nullptr, "CSCA-FRANCE"};
  for (int i : {0, 2}) {
    LdsContent d;
    d.sod = dnie::test::hx(v["ef_sod"][i]["hex"]);
    auto r = verify_document(d, o);
    CHECK(r.status("sod.signature") == CheckStatus::Pass);
    CHECK_MESSAGE(r.status("ds.chain") == CheckStatus::Pass, r.find("ds.chain")->reason);
    CHECK(r.find("ds.chain")->reason.find(expect_csca[i]) != std::string::npos);
    CHECK(r.status("country.ds_csca") == CheckStatus::Pass);
  }
  LdsContent de;
  de.sod = dnie::test::hx(v["ef_sod"][1]["hex"]);
  auto r = verify_document(de, o);
  CHECK(r.status("sod.signature") == CheckStatus::Pass);
  CHECK_MESSAGE(r.status("ds.chain") == CheckStatus::Pass, r.find("ds.chain")->reason);  // csca-germany
}

TEST_CASE("trust store from a directory of PEM/DER files") {
  auto sod = parse_sod(read_file(data_path("pki/SOD_ESPECIMEN.der")));
  REQUIRE(sod.ok());
  const std::string dir = std::string(DNIE_TEST_DATA_DIR) + "/../../build/icao-truststore-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir + "/ds.pem") << sod->ds_certificate()->to_pem();
    const Bytes& der = sod->ds_certificate()->der();
    std::ofstream(dir + "/ds.der", std::ios::binary)
        .write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
    std::ofstream(dir + "/junk.crt") << "not a certificate";
    std::ofstream(dir + "/readme.txt") << "ignored";
  }
  TrustStore s;
  auto r = s.load_directory(dir);
  REQUIRE(r.ok());
  CHECK(r->files == 3);
  CHECK(r->certificates_added == 1);  // the DER copy is a duplicate
  CHECK(r->errors.size() == 1);
  CHECK(s.size() == 1);
  CHECK(s.load_directory(dir + "/nope").error().code == ErrorCode::NotFound);
  std::filesystem::remove_all(dir);
}

TEST_CASE("malformed CMS / SOD / master list inputs") {
  CHECK(parse_sod(Bytes{}).error().code == ErrorCode::MalformedData);
  CHECK(parse_sod(hex_bytes("7700")).error().code == ErrorCode::MalformedData);
  CHECK(parse_sod(hex_bytes("77053003060100")).error().code == ErrorCode::MalformedData);
  Bytes raw = read_file(data_path("pki/SOD_ESPECIMEN.der"));
  for (std::size_t cut : {std::size_t{4}, std::size_t{100}, std::size_t{1000}, raw.size() - 1}) {
    Bytes t(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(cut));
    CHECK(parse_sod(t).error().code == ErrorCode::MalformedData);
  }
  CHECK(parse_master_list(raw).error().code == ErrorCode::MalformedData);  // an SOD is not a master list
  CHECK(parse_lds_security_object(hex_bytes("3003020105")).error().code == ErrorCode::MalformedData);
  CHECK(parse_crl(hex_bytes("3000")).error().code == ErrorCode::MalformedData);
}
