// SPDX-License-Identifier: Apache-2.0
// Trust store against an attacker: master lists that vouch for themselves (ICAO 9303-12 §5.2),
// stale and forged CRLs (RFC 5280 §5, §6.3), unrecognised critical extensions in the DS path
// (RFC 5280 §4.2). Synthetic PKIs signed here, plus the real BSI master list of tests/data/pki.
#include <filesystem>
#include <fstream>

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/rng.hpp"
#include "dnie/icao/sod.hpp"
#include "dnie/icao/trust_store.hpp"
#include "dnie/icao/verification.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::icao;
using dnie::test::data_path;
using dnie::test::read_file;

namespace {

std::int64_t date(int y, unsigned m, unsigned d) { return asn1::days_from_civil(y, m, d) * 86400; }
Bytes sha256_rsa() { return asn1::sequence({asn1::oid("1.2.840.113549.1.1.11"), asn1::null()}); }
Bytes sha256_alg() { return asn1::sequence({asn1::oid("2.16.840.1.101.3.4.2.1"), asn1::null()}); }

Bytes name(const std::string& c, const std::string& cn) {
  return asn1::sequence({asn1::set({asn1::sequence({asn1::oid("2.5.4.6"), asn1::printable_string(c)})}),
                         asn1::set({asn1::sequence({asn1::oid("2.5.4.3"), asn1::utf8_string(cn)})})});
}

Bytes ext(const char* oid, bool critical, ByteView value) {
  if (critical) return asn1::sequence({asn1::oid(oid), asn1::boolean(true), asn1::octet_string(value)});
  return asn1::sequence({asn1::oid(oid), asn1::octet_string(value)});
}

const crypto::RsaPrivateKey& key(int n) {
  static std::map<int, crypto::RsaPrivateKey> keys;
  auto it = keys.find(n);
  if (it == keys.end()) {
    crypto::DeterministicRng rng(ByteView::of("trust store test key " + std::to_string(n)));
    it = keys.emplace(n, crypto::RsaPrivateKey::generate(1024, rng).value()).first;
  }
  return it->second;
}

Bytes sign(const crypto::RsaPrivateKey& k, ByteView tbs) {
  return k.sign_pkcs1_v15(crypto::HashAlg::Sha256, crypto::hash(crypto::HashAlg::Sha256, tbs)).value();
}

Bytes cert(const crypto::RsaPrivateKey& issuer_key, ByteView issuer, ByteView subject, std::int64_t serial,
           const crypto::RsaPrivateKey& subject_key, std::vector<Bytes> exts) {
  Bytes list;
  for (const auto& e : exts) append(list, e);
  Bytes tbs = asn1::sequence(
      {asn1::context(0, asn1::integer(std::int64_t{2})), asn1::integer(serial), sha256_rsa(), issuer,
       asn1::sequence({asn1::utc_time(date(2015, 1, 1)), asn1::utc_time(date(2035, 1, 1))}), subject,
       subject_key.public_key().to_spki(), asn1::context(3, tlv::encode(0x30, list))});
  return asn1::sequence({tbs, sha256_rsa(), asn1::bit_string(sign(issuer_key, tbs))});
}

Bytes ca_exts_bc() { return ext("2.5.29.19", true, asn1::sequence({asn1::boolean(true)})); }
Bytes ca_exts_ku() { return ext("2.5.29.15", true, hex_bytes("03020106")); }  // keyCertSign, cRLSign
Bytes csca(int k, const std::string& cn, std::vector<Bytes> more = {}) {
  std::vector<Bytes> e = {ca_exts_bc(), ca_exts_ku()};
  for (auto& m : more) e.push_back(std::move(m));
  return cert(key(k), name("ES", cn), name("ES", cn), k, key(k), e);
}
Bytes ml_eku() { return ext("2.5.29.37", true, asn1::sequence({asn1::oid("2.23.136.1.1.3")})); }
Bytes signer_cert(int issuer_k, const std::string& issuer_cn, int k, std::vector<Bytes> e = {}) {
  if (e.empty()) e = {ext("2.5.29.15", true, hex_bytes("03020780")), ml_eku()};
  return cert(key(issuer_k), name("ES", issuer_cn), name("ES", "ML SIGNER " + std::to_string(k)), k, key(k),
              e);
}

// ICAO 9303-12 §5.2 CscaMasterList in RFC 5652 SignedData, signed by `signer` (key `k`).
Bytes master_list(const std::vector<Bytes>& csca_certs, ByteView signer, int k,
                  const std::vector<Bytes>& extra_cms_certs = {}) {
  Bytes set;
  for (const auto& c : csca_certs) append(set, c);
  Bytes content = asn1::sequence({asn1::integer(std::int64_t{0}), tlv::encode(0x31, set)});
  Bytes attrs = asn1::set(
      {asn1::sequence({asn1::oid("1.2.840.113549.1.9.3"), asn1::set({asn1::oid("2.23.136.1.1.2")})}),
       asn1::sequence({asn1::oid("1.2.840.113549.1.9.5"), asn1::set({asn1::utc_time(date(2024, 6, 15))})}),
       asn1::sequence({asn1::oid("1.2.840.113549.1.9.4"),
                       asn1::set({asn1::octet_string(crypto::hash(crypto::HashAlg::Sha256, content))})})});
  Bytes signed_attrs = attrs;
  signed_attrs[0] = 0xA0;
  auto sc = crypto::Certificate::parse(signer).value();
  Bytes si = asn1::sequence({asn1::integer(std::int64_t{1}),
                             asn1::sequence({sc.issuer().der, asn1::integer(sc.serial())}), sha256_alg(),
                             signed_attrs, sha256_rsa(), asn1::octet_string(sign(key(k), attrs))});
  Bytes certs = signer.to_bytes();
  for (const auto& c : extra_cms_certs) append(certs, c);
  Bytes sd = asn1::sequence(
      {asn1::integer(std::int64_t{3}), asn1::set({sha256_alg()}),
       asn1::sequence({asn1::oid("2.23.136.1.1.2"), asn1::context(0, asn1::octet_string(content))}),
       asn1::context(0, certs), asn1::set({si})});
  return asn1::sequence({asn1::oid("1.2.840.113549.1.7.2"), asn1::context(0, sd)});
}

// EF.SOD (one DG hash) signed by the DS `ds` with key `k` (RFC 5652 §5, ICAO 9303-10 §4.6.2).
Bytes sod(ByteView ds, int k) {
  Bytes lso = asn1::sequence(
      {asn1::integer(std::int64_t{0}), sha256_alg(),
       asn1::sequence(
           {asn1::sequence({asn1::integer(std::int64_t{1}),
                            asn1::octet_string(crypto::hash(crypto::HashAlg::Sha256, hex_bytes("61")))})})});
  Bytes attrs = asn1::set(
      {asn1::sequence({asn1::oid("1.2.840.113549.1.9.3"), asn1::set({asn1::oid("2.23.136.1.1.1")})}),
       asn1::sequence({asn1::oid("1.2.840.113549.1.9.5"), asn1::set({asn1::utc_time(date(2023, 6, 15))})}),
       asn1::sequence({asn1::oid("1.2.840.113549.1.9.4"),
                       asn1::set({asn1::octet_string(crypto::hash(crypto::HashAlg::Sha256, lso))})})});
  Bytes signed_attrs = attrs;
  signed_attrs[0] = 0xA0;
  auto dc = crypto::Certificate::parse(ds).value();
  Bytes si = asn1::sequence({asn1::integer(std::int64_t{1}),
                             asn1::sequence({dc.issuer().der, asn1::integer(dc.serial())}), sha256_alg(),
                             signed_attrs, sha256_rsa(), asn1::octet_string(sign(key(k), attrs))});
  Bytes sd = asn1::sequence(
      {asn1::integer(std::int64_t{3}), asn1::set({sha256_alg()}),
       asn1::sequence({asn1::oid("2.23.136.1.1.1"), asn1::context(0, asn1::octet_string(lso))}),
       asn1::context(0, ds), asn1::set({si})});
  return tlv::encode(0x77, asn1::sequence({asn1::oid("1.2.840.113549.1.7.2"), asn1::context(0, sd)}));
}

Bytes ds_cert(std::vector<Bytes> more = {}) {
  std::vector<Bytes> e = {ext("2.5.29.15", true, hex_bytes("03020780"))};
  for (auto& m : more) e.push_back(std::move(m));
  return cert(key(1), name("ES", "CSCA TEST"), name("ES", "DS TEST"), 7, key(10), e);
}

VerificationReport verify_with(const TrustStore& s, ByteView ds, std::int64_t now) {
  LdsContent d;
  d.sod = sod(ds, 10);
  PassiveAuthOptions o;
  o.trust_store = &s;
  o.now = now;
  return verify_document(d, o);
}

// RFC 5280 §5.1 CertificateList from the CSCA of key `k`.
struct CrlSpec {
  std::int64_t this_update = date(2024, 1, 1);
  std::optional<std::int64_t> next_update = date(2024, 7, 1);
  std::vector<std::int64_t> revoked;
  Bytes extensions;  // content of [0]
  Bytes inner_alg = sha256_rsa(), outer_alg = sha256_rsa();
  int key = 1;
  std::string issuer_cn = "CSCA TEST";
};
Bytes crl(const CrlSpec& c) {
  Bytes tbs;
  append(tbs, asn1::integer(std::int64_t{1}));
  append(tbs, c.inner_alg);
  append(tbs, name("ES", c.issuer_cn));
  append(tbs, asn1::utc_time(c.this_update));
  if (c.next_update) append(tbs, asn1::utc_time(*c.next_update));
  if (!c.revoked.empty()) {
    Bytes entries;
    for (auto n : c.revoked)
      append(entries, asn1::sequence({asn1::integer(n), asn1::utc_time(c.this_update)}));
    append(tbs, tlv::encode(0x30, entries));
  }
  if (!c.extensions.empty()) append(tbs, asn1::context(0, c.extensions));
  Bytes t = tlv::encode(0x30, tbs);
  return asn1::sequence({t, c.outer_alg, asn1::bit_string(sign(key(c.key), t))});
}

std::size_t count_cn(const TrustStore& s, const std::string& cn) {
  std::size_t n = 0;
  for (const auto& c : s.certificates()) n += c.subject().get("CN") == cn;
  return n;
}

}  // namespace

TEST_CASE("a master list that vouches for itself is refused, or taken only unanchored on request") {
  // The attacker's own CSCA (key 1) issues the list signer (key 2) and a fake "CSCA SPAIN".
  Bytes fake = csca(3, "CSCA SPAIN");
  Bytes own = csca(1, "EVIL CSCA");
  Bytes ml = master_list({own, fake}, signer_cert(1, "EVIL CSCA", 2), 2);
  TrustStore s;
  auto r = s.add_master_list(ml, "evil.ml");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::UntrustedDocument);
  CHECK(r.error().message.find("cannot be anchored") != std::string::npos);
  CHECK(r.error().message.find("EVIL CSCA") != std::string::npos);  // names the CSCA to load first
  CHECK(s.size() == 0);
  CHECK(s.master_lists().empty());

  MasterListOptions opt;
  opt.accept_unanchored = true;
  auto u = s.add_master_list(ml, "evil.ml", opt);
  REQUIRE(u);
  CHECK(u->signature_verified);
  CHECK_FALSE(u->signer_chain_verified);
  CHECK_FALSE(u->verified());
  CHECK(u->accepted_unanchored);
  CHECK(u->reason.find("not anchored") != std::string::npos);
  CHECK(u->signer_issuer == "C=ES, CN=EVIL CSCA");
  CHECK(s.size() == 2);
  for (const auto& c : s.certificates()) CHECK(s.from_unanchored_list(c));
  for (const auto& a : s.audit(date(2025, 1, 1))) CHECK(a.from_unanchored_list);

  // A CSCA taken from an unanchored list anchors nothing: a second list from the same attacker
  // is refused, not "verified".
  Bytes ml2 = master_list({fake}, signer_cert(1, "EVIL CSCA", 4), 4);
  auto r2 = s.add_master_list(ml2, "evil2.ml");
  REQUIRE_FALSE(r2);
  CHECK(r2.error().code == ErrorCode::UntrustedDocument);
}

TEST_CASE("a master list is verified when its signer chains to a CSCA loaded before it") {
  Bytes anchor = csca(1, "CSCA TEST");
  Bytes other = csca(3, "CSCA OTHER");
  Bytes ml = master_list({anchor, other}, signer_cert(1, "CSCA TEST", 2), 2);
  TrustStore s;
  REQUIRE(s.add_certificates(anchor, "csca.pem").value() == 1);
  auto r = s.add_master_list(ml, "good.ml");
  REQUIRE_MESSAGE(r, r.error().to_string());
  CHECK(r->verified());
  CHECK_FALSE(r->accepted_unanchored);
  CHECK(r->anchor == "C=ES, CN=CSCA TEST");
  CHECK(r->reason.empty());
  CHECK(r->added == 1);  // the anchor was already there
  for (const auto& c : s.certificates()) CHECK_FALSE(s.from_unanchored_list(c));

  // An unanchored copy of a CSCA becomes an anchor when the caller adds it explicitly.
  TrustStore t;
  MasterListOptions opt;
  opt.accept_unanchored = true;
  REQUIRE(t.add_master_list(ml, "first.ml", opt));
  auto a = crypto::Certificate::parse(anchor).value();
  CHECK(t.from_unanchored_list(a));
  CHECK_FALSE(t.add(a, "csca.pem"));
  CHECK_FALSE(t.from_unanchored_list(a));
  auto again = t.add_master_list(ml, "again.ml");
  REQUIRE(again);
  CHECK(again->verified());
}

TEST_CASE("master list signer chains through a link certificate carried by the list") {
  // Old CSCA key 1 is the anchor; the country rolled over to key 5 (link certificate signed by key
  // 1, ICAO 9303-12 §5.1) and key 5 issued the list signer.
  Bytes old_csca = csca(1, "CSCA TEST");
  Bytes link = cert(key(1), name("ES", "CSCA TEST"), name("ES", "CSCA TEST"), 50, key(5),
                    {ca_exts_bc(), ca_exts_ku()});
  Bytes new_csca = csca(5, "CSCA TEST");
  Bytes ml = master_list({new_csca, link}, signer_cert(5, "CSCA TEST", 2), 2);
  TrustStore s;
  REQUIRE(s.add_certificates(old_csca));
  auto r = s.add_master_list(ml, "rollover.ml");
  REQUIRE_MESSAGE(r, r.error().to_string());
  CHECK(r->verified());
  // Without the link certificate, the new key has no path to the anchor.
  Bytes ml2 = master_list({new_csca}, signer_cert(5, "CSCA TEST", 2), 2);
  TrustStore s2;
  REQUIRE(s2.add_certificates(old_csca));
  CHECK_FALSE(s2.add_master_list(ml2, "no-link.ml"));
}

TEST_CASE("a list of many same-name CAs signing each other cannot make the path search explode") {
  // 40 CAs named like the signer's issuer, all with one key: each signs every other, so a naive
  // depth-3 search would check 40*39*38 signatures before giving up.
  std::vector<Bytes> clones;
  for (int i = 0; i < 40; ++i)
    clones.push_back(cert(key(1), name("ES", "LOOP CSCA"), name("ES", "LOOP CSCA"), 100 + i, key(1),
                          {ca_exts_bc(), ca_exts_ku()}));
  TrustStore s;
  REQUIRE(s.add_certificates(csca(3, "CSCA OTHER")));
  auto r = s.add_master_list(master_list(clones, signer_cert(1, "LOOP CSCA", 2), 2), "loop.ml");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::UntrustedDocument);
  CHECK(r.error().message.find("path search stopped") != std::string::npos);
}

TEST_CASE("master list signers that a trusted CSCA did not issue for this purpose are refused") {
  Bytes anchor = csca(1, "CSCA TEST");
  TrustStore s;
  REQUIRE(s.add_certificates(anchor));
  // Same issuer name, other key: the attacker's look-alike CSCA.
  Bytes lookalike = csca(6, "CSCA TEST");
  auto r = s.add_master_list(master_list({lookalike}, signer_cert(6, "CSCA TEST", 2), 2), "lookalike.ml");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::VerificationFailed);
  // Issued by the anchor, but for something else (extKeyUsage without 2.23.136.1.1.3).
  Bytes tls = signer_cert(1, "CSCA TEST", 7,
                          {ext("2.5.29.37", true, asn1::sequence({asn1::oid("1.3.6.1.5.5.7.3.1")}))});
  r = s.add_master_list(master_list({}, tls, 7), "eku.ml");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("extKeyUsage") != std::string::npos);
  // Issued by the anchor with a critical extension nobody here understands.
  Bytes odd = signer_cert(1, "CSCA TEST", 8, {ml_eku(), ext("1.2.3.4.5", true, asn1::null())});
  r = s.add_master_list(master_list({}, odd, 8), "crit.ml");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("1.2.3.4.5") != std::string::npos);
  // Issued by a DS-like certificate of the store that is not a CA.
  TrustStore s2;
  Bytes not_ca = cert(key(1), name("ES", "CSCA TEST"), name("ES", "NOT A CA"), 9, key(9),
                      {ext("2.5.29.15", true, hex_bytes("03020780"))});
  REQUIRE(s2.add_certificates(not_ca));
  r = s2.add_master_list(master_list({}, signer_cert(9, "NOT A CA", 2), 2), "notca.ml");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("not a CA") != std::string::npos);
  // A broken list signature is refused even when unanchored lists are accepted.
  Bytes tampered = master_list({anchor}, signer_cert(1, "CSCA TEST", 2), 2);
  tampered[tampered.size() - 3] ^= 0x01;
  MasterListOptions opt;
  opt.accept_unanchored = true;
  TrustStore s3;
  CHECK(s3.add_master_list(tampered, "t.ml", opt).error().code == ErrorCode::VerificationFailed);
  CHECK(s3.size() == 0);
}

TEST_CASE("BSI master list: unanchored on first load, anchored with the German CSCA given first") {
  const Bytes raw = read_file(data_path("pki/DE_master_list_2026-05-28.ml"));
  TrustStore s;
  auto r = s.add_master_list(raw, "DE.ml");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::UntrustedDocument);
  CHECK(r.error().message.find("CN=csca-germany") != std::string::npos);
  MESSAGE(r.error().message);

  MasterListOptions opt;
  opt.accept_unanchored = true;
  auto u = s.add_master_list(raw, "DE.ml", opt);
  REQUIRE(u);
  CHECK(u->signature_verified);
  CHECK(u->accepted_unanchored);
  CHECK(u->certificates == 588);
  CHECK(count_cn(s, "CSCA SPAIN") == 5);

  // The csca-germany certificate that issued the signer, supplied separately (here taken from the
  // CMS certificate set, standing in for the copy the BSI publishes): the list verifies.
  auto ml = parse_master_list(raw).value();
  const crypto::Certificate* signer = find_signer_certificate(ml.signed_data, ml.signed_data.signers[0]);
  REQUIRE(signer != nullptr);
  const crypto::Certificate* de = nullptr;
  for (const auto& c : ml.signed_data.certificates)
    if (&c != signer && signer->verify_signed_by(c.public_key())) de = &c;
  REQUIRE(de != nullptr);
  TrustStore a;
  REQUIRE(a.add(*de, "csca-germany.pem"));
  auto v = a.add_master_list(raw, "DE.ml");
  REQUIRE_MESSAGE(v, v.error().to_string());
  CHECK(v->verified());
  CHECK(v->anchor.find("CN=csca-germany") != std::string::npos);
  CHECK(a.size() == u->added);  // csca-germany is in the list too
}

TEST_CASE("load_directory reads certificates before master lists, so a CSCA file anchors a list") {
  Bytes anchor = csca(1, "CSCA TEST");
  Bytes ml = master_list({csca(3, "CSCA OTHER")}, signer_cert(1, "CSCA TEST", 2), 2);
  const std::string dir = std::string(DNIE_TEST_DATA_DIR) + "/../../build/icao-truststore-anchor-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& f, const Bytes& b) {
    std::ofstream(dir + "/" + f, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  };
  write("a_list.ml", ml);  // sorts before the certificate
  write("list.der", ml);   // a master list with a certificate extension
  write("z_csca.der", anchor);
  TrustStore s;
  auto r = s.load_directory(dir);
  REQUIRE(r);
  CHECK(r->errors.empty());
  REQUIRE(r->master_lists.size() == 2);
  for (const auto& m : r->master_lists) CHECK(m.verified());
  CHECK(s.size() == 2);
  // Without the anchor the list is skipped with the reason; opting in takes it unanchored.
  std::filesystem::remove(dir + "/z_csca.der");
  TrustStore s2;
  auto r2 = s2.load_directory(dir);
  REQUIRE(r2);
  CHECK(r2->master_lists.empty());
  REQUIRE(r2->errors.size() == 2);
  CHECK(r2->errors[0].find("cannot be anchored") != std::string::npos);
  MasterListOptions opt;
  opt.accept_unanchored = true;
  TrustStore s3;
  auto r3 = s3.load_directory(dir, opt);
  REQUIRE(r3);
  CHECK(r3->master_lists.size() == 2);
  CHECK(s3.size() == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a stale or not yet valid CRL never proves \"not revoked\"") {
  TrustStore s;
  REQUIRE(s.add_certificates(csca(1, "CSCA TEST")));
  CrlSpec spec;  // current 2024-01-01 .. 2024-07-01, revokes nothing
  REQUIRE(s.add_crl(crl(spec)));
  const Bytes ds = ds_cert();
  auto dsc = crypto::Certificate::parse(ds).value();
  const auto& issuer = s.certificates().front();

  auto in_time = s.revocation(dsc, issuer, date(2024, 3, 1));
  CHECK(in_time.state == Revocation::Good);
  CHECK(verify_with(s, ds, date(2024, 3, 1)).status("ds.revocation") == CheckStatus::Pass);

  auto stale = s.revocation(dsc, issuer, date(2025, 1, 1));
  CHECK(stale.state == Revocation::Unknown);
  CHECK(stale.reason.find("stale") != std::string::npos);
  VerificationReport r = verify_with(s, ds, date(2025, 1, 1));
  CHECK(r.status("ds.chain") == CheckStatus::Pass);
  CHECK(r.status("ds.revocation") == CheckStatus::NotPerformed);
  CHECK(r.find("ds.revocation")->reason.find("2024-07-01") != std::string::npos);

  auto early = s.revocation(dsc, issuer, date(2023, 6, 1));
  CHECK(early.state == Revocation::Unknown);
  CHECK(early.reason.find("not yet valid") != std::string::npos);

  // No nextUpdate: no freshness, no proof.
  TrustStore s2;
  REQUIRE(s2.add_certificates(csca(1, "CSCA TEST")));
  CrlSpec open;
  open.next_update.reset();
  REQUIRE(s2.add_crl(crl(open)));
  auto r2 = s2.revocation(dsc, s2.certificates().front(), date(2024, 3, 1));
  CHECK(r2.state == Revocation::Unknown);
  CHECK(r2.reason.find("nextUpdate") != std::string::npos);

  // A stale CRL that lists the DS still proves revocation (RFC 5280 §3.3: it is permanent), and a
  // current CRL does not hide it.
  CrlSpec listed;
  listed.revoked = {7};
  REQUIRE(s.add_crl(crl(listed)));
  CrlSpec fresh;
  fresh.this_update = date(2024, 12, 1);
  fresh.next_update = date(2025, 6, 1);
  REQUIRE(s.add_crl(crl(fresh)));
  auto rev = s.revocation(dsc, issuer, date(2025, 1, 1));
  CHECK(rev.state == Revocation::Revoked);
  CHECK(verify_with(s, ds, date(2025, 1, 1)).status("ds.revocation") == CheckStatus::Fail);
}

TEST_CASE("forged, mislabelled and delta CRLs are refused") {
  TrustStore s;
  REQUIRE(s.add_certificates(csca(1, "CSCA TEST")));
  REQUIRE(s.add_certificates(csca(3, "CSCA OTHER")));
  CrlSpec forged;  // claims CSCA TEST, signed by CSCA OTHER's key
  forged.key = 3;
  forged.revoked = {7};
  CHECK(s.add_crl(crl(forged)).error().code == ErrorCode::VerificationFailed);
  CrlSpec unknown;
  unknown.issuer_cn = "NOBODY";
  CHECK(s.add_crl(crl(unknown)).error().code == ErrorCode::UntrustedDocument);
  // RFC 5280 §5.1.1.2: outer signatureAlgorithm must equal the signed one.
  CrlSpec swapped;
  swapped.outer_alg = asn1::sequence({asn1::oid("1.2.840.113549.1.1.5"), asn1::null()});
  CHECK(parse_crl(crl(swapped)).error().code == ErrorCode::MalformedData);
  CHECK(s.add_crl(crl(swapped)).error().code == ErrorCode::MalformedData);
  // A delta CRL (critical deltaCRLIndicator) lists only changes: treating it as complete would
  // report revoked certificates as good (RFC 5280 §5.2.4).
  CrlSpec delta;
  delta.extensions = asn1::sequence({ext("2.5.29.27", true, asn1::integer(std::int64_t{1}))});
  auto pd = parse_crl(crl(delta));
  REQUIRE(pd);
  CHECK(pd->unrecognised_critical_extensions == std::vector<std::string>{"2.5.29.27"});
  auto st = s.add_crl(crl(delta));
  CHECK(st.error().code == ErrorCode::Unsupported);
  CHECK(st.error().message.find("2.5.29.27") != std::string::npos);
  // Known CRL extensions are fine (authorityKeyIdentifier, cRLNumber).
  CrlSpec plain;
  plain.extensions = asn1::sequence({ext("2.5.29.20", false, asn1::integer(std::int64_t{4}))});
  CHECK(s.add_crl(crl(plain)));
  CHECK(s.crl_count() == 1);
  // A CSCA whose keyUsage lacks cRLSign cannot sign CRLs (RFC 5280 §6.3.3 (f)).
  TrustStore k;
  REQUIRE(k.add_certificates(cert(key(1), name("ES", "CSCA TEST"), name("ES", "CSCA TEST"), 1, key(1),
                                  {ca_exts_bc(), ext("2.5.29.15", true, hex_bytes("03020204"))})));
  CHECK(k.add_crl(crl(CrlSpec{})).error().code == ErrorCode::VerificationFailed);
}

TEST_CASE("an unrecognised critical extension in the DS or CSCA fails the chain, naming the OID") {
  TrustStore s;
  REQUIRE(s.add_certificates(csca(1, "CSCA TEST")));
  VerificationReport good = verify_with(s, ds_cert(), date(2024, 3, 1));
  CHECK(good.status("sod.signature") == CheckStatus::Pass);
  CHECK(good.status("ds.chain") == CheckStatus::Pass);
  // Non-critical unknown extensions are fine; so are recognised critical ones.
  VerificationReport soft = verify_with(
      s,
      ds_cert(
          {ext("1.2.3.4.5", false, asn1::null()),
           ext("2.23.136.1.1.6.2", true,
               asn1::sequence({asn1::integer(std::int64_t{0}), asn1::set({asn1::printable_string("ID")})}))}),
      date(2024, 3, 1));
  CHECK(soft.status("ds.chain") == CheckStatus::Pass);
  VerificationReport bad = verify_with(s, ds_cert({ext("1.2.3.4.5", true, asn1::null())}), date(2024, 3, 1));
  CHECK(bad.status("sod.signature") == CheckStatus::Pass);
  CHECK(bad.status("ds.chain") == CheckStatus::Fail);
  CHECK(bad.find("ds.chain")->reason.find("1.2.3.4.5") != std::string::npos);
  // privateKeyUsagePeriod is not enforced, so it may not be critical either.
  TrustStore s2;
  REQUIRE(s2.add_certificates(csca(1, "CSCA TEST", {ext("2.5.29.16", true, asn1::sequence({}))})));
  VerificationReport bad2 = verify_with(s2, ds_cert(), date(2024, 3, 1));
  CHECK(bad2.status("ds.chain") == CheckStatus::Fail);
  CHECK(bad2.find("ds.chain")->reason.find("2.5.29.16") != std::string::npos);
}

TEST_CASE("the DS chain reason says when its CSCA came from an unanchored master list") {
  Bytes anchor = csca(1, "CSCA TEST");
  TrustStore s;
  MasterListOptions opt;
  opt.accept_unanchored = true;
  REQUIRE(s.add_master_list(master_list({anchor}, signer_cert(1, "CSCA TEST", 2), 2), "first.ml", opt));
  VerificationReport r = verify_with(s, ds_cert(), date(2024, 3, 1));
  CHECK(r.status("ds.chain") == CheckStatus::Pass);
  CHECK(r.find("ds.chain")->reason.find("not anchored") != std::string::npos);
}
