// SPDX-License-Identifier: Apache-2.0
// X.509 parsing and verification against real-world data nobody on the team produced: the
// DNIe specimen signing certificate, the DS certificate of the specimen EF.SOD and the 588
// CSCA certificates of the German master list (RSA, RSA-PSS, ECDSA with named and explicit
// prime/brainpool parameters, negative serial numbers).
#include <map>

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/rng.hpp"
#include "dnie/crypto/x509.hpp"

#include "test_support.hpp"

using namespace dnie;
using namespace dnie::crypto;
using dnie::test::data_path;
using dnie::test::hx;
using dnie::test::read_file;

namespace {

/// Children of a constructed element.
std::vector<tlv::Tlv> kids(ByteView content) { return tlv::parse_all(content).value(); }

/// ContentInfo (RFC 5652 §3) → SignedData content.
ByteView signed_data(ByteView content_info) {
  auto ci = kids(tlv::parse_single(content_info).value().value);
  REQUIRE(ci.size() == 2);
  REQUIRE(ci[1].tag == 0xA0);
  auto sd = tlv::parse_single(ci[1].value).value();
  REQUIRE(sd.tag == 0x30);
  return sd.value;
}

std::vector<Certificate> cms_certificates(ByteView sd) {
  std::vector<Certificate> out;
  for (const auto& t : kids(sd))
    if (t.tag == 0xA0)
      for (const auto& c : kids(t.value)) out.push_back(Certificate::parse(c.raw).value());
  return out;
}

/// Verifies the (single) SignerInfo's signature over its signed attributes (RFC 5652 §5.4).
Status verify_signer_info(ByteView sd, const PublicKey& key) {
  auto parts = kids(sd);
  const auto& infos = parts.back();
  REQUIRE(infos.tag == 0x31);
  auto si = kids(kids(infos.value).at(0).value);
  // version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature
  REQUIRE(si.size() >= 6);
  auto dalg = kids(si[2].value);
  HashAlg h = hash_from_oid(asn1::oid_to_string(dalg[0].value).value()).value();
  Bytes attrs = tlv::encode(0x31, si[3].value);
  AlgorithmIdentifier sig_alg;
  auto salg = kids(si[4].value);
  sig_alg.oid = asn1::oid_to_string(salg[0].value).value();
  if (salg.size() > 1) sig_alg.params = salg[1].raw.to_bytes();
  return key.verify(sig_alg, attrs, si[5].value, h);
}

const std::vector<Certificate>& master_list() {
  static std::vector<Certificate> certs = [] {
    static Bytes ml = read_file(data_path("pki/DE_master_list_2026-05-28.ml"));
    ByteView sd = signed_data(ml);
    auto parts = kids(sd);
    auto eci = kids(parts.at(2).value);  // encapContentInfo
    REQUIRE(eci.size() == 2);
    CHECK(asn1::oid_to_string(eci[0].value).value() == "2.23.136.1.1.2");  // id-icao-cscaMasterList
    auto octets = tlv::parse_single(eci[1].value).value();
    auto list =
        kids(tlv::parse_single(octets.value).value().value);  // SEQUENCE { version, SET OF Certificate }
    REQUIRE(list.size() == 2);
    std::vector<Certificate> out;
    for (const auto& c : kids(list[1].value)) {
      auto cert = Certificate::parse(c.raw);
      CHECK_MESSAGE(cert, (cert ? "" : cert.error().to_string()));
      if (cert) out.push_back(std::move(*cert));
    }
    return out;
  }();
  return certs;
}

Certificate ds_certificate() {
  static Bytes sod = read_file(data_path("pki/SOD_ESPECIMEN.der"));
  auto t = tlv::parse_single(sod).value();
  REQUIRE(t.tag == 0x77);
  auto certs = cms_certificates(signed_data(t.value));
  REQUIRE(certs.size() == 1);
  return certs[0];
}

}  // namespace

TEST_CASE("x509: DNIe specimen signing certificate") {
  Bytes der = read_file(data_path("pki/DNIE_ESPECIMEN_signing_cert.cer"));
  auto c = Certificate::parse(der);
  REQUIRE(c);
  CHECK(c->version() == 3);
  CHECK(c->subject().get("CN").find("(FIRMA)") != std::string::npos);
  CHECK(c->subject().get("serialNumber") == "99999002Q");
  CHECK(c->subject().get("2.5.4.5") == "99999002Q");
  CHECK(c->subject().get("C") == "ES");
  CHECK(c->subject().get("GN") == "FICTICIO FICTITIOUS FICTIF");
  CHECK(c->subject().get("SN") ==
        "ESPECIMEN SPECIMEN SP\xC3\x89"
        "CIMEN");
  CHECK(c->subject().get("L").empty());
  CHECK(c->issuer().get("CN") == "AC DNIE 001");
  CHECK(c->issuer().to_string() == "C=ES, O=DIRECCION GENERAL DE LA POLICIA, OU=DNIE, CN=AC DNIE 001");
  CHECK(to_hex(c->serial()) == "3E81E0267F200C1A57C5808896D42751");
  CHECK(c->signature_algorithm().oid == "1.2.840.113549.1.1.11");
  REQUIRE(c->public_key().is_rsa());
  CHECK(c->public_key().description() == "RSA-2048");
  CHECK(asn1::format_time(c->not_before()) == "2016-08-30T12:48:07Z");
  CHECK(asn1::format_time(c->not_after()) == "2021-02-26T22:59:59Z");
  CHECK(c->valid_at(c->not_before() + 1));
  CHECK_FALSE(c->valid_at(c->not_after() + 1));
  CHECK(c->key_usage() == unsigned{kNonRepudiation});
  CHECK_FALSE(c->is_ca());
  CHECK(c->subject_key_id() == hex_bytes("AFDAE87B06BC6721DCF47BB0912CDD955781CADE"));
  CHECK(c->authority_key_id() == hex_bytes("1A89A8C5EE8F765D557189F33B35BDAA0500956F"));
  CHECK_FALSE(c->document_types());
  CHECK(c->extended_key_usage().empty());
  CHECK(c->fingerprint_sha256() == "A9386913702186DBAC20F5958938F31D57C878C8CD23989BF73F7983C6869111");
  CHECK(ByteView(c->der()).subview(4).starts_with(c->tbs().first(4)));
  auto spki_key = PublicKey::from_spki(c->spki());
  REQUIRE(spki_key);
  CHECK(spki_key->rsa()->modulus() == c->public_key().rsa()->modulus());
  // PEM round trip, bundle and parse_any.
  std::string pem = c->to_pem();
  CHECK(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
  auto again = Certificate::parse_any(ByteView::of(pem));
  REQUIRE(again);
  CHECK(again->der() == der);
  auto bundle = Certificate::parse_pem_bundle(pem + "junk\n" + pem);
  REQUIRE(bundle);
  CHECK(bundle->size() == 2);
  CHECK(*base64_decode(base64_encode(der)) == der);
  CHECK(pem_decode("nothing", "CERTIFICATE").error().code == ErrorCode::NotFound);
  // Not self-signed: its own key does not verify it.
  CHECK(c->verify_signed_by(c->public_key()).error().code == ErrorCode::VerificationFailed);
}

TEST_CASE("x509: base64 (RFC 4648 §10 test vectors)") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(base64_encode(ByteView::of(plain[i])) == enc[i]);
    CHECK(*base64_decode(enc[i]) == ByteView::of(plain[i]).to_bytes());
  }
  CHECK(base64_decode("Zm9v!").error().code == ErrorCode::MalformedData);
  CHECK(base64_decode("Zg==Zg").error().code == ErrorCode::MalformedData);
}

TEST_CASE("x509: DS certificate from the specimen EF.SOD, chained to CSCA SPAIN") {
  Certificate ds = ds_certificate();
  CHECK(ds.subject().get("CN") == "DS n-eID SPAIN 2");
  CHECK(ds.issuer().get("CN") == "CSCA SPAIN");
  CHECK(ds.public_key().description() == "RSA-2048");
  CHECK(ds.key_usage() == unsigned{kDigitalSignature});
  auto types = ds.document_types();
  REQUIRE(types);
  CHECK(std::find(types->begin(), types->end(), "ID") != types->end());
  CHECK(std::find(types->begin(), types->end(), "P") != types->end());
  // The SOD's SignerInfo verifies with the DS key (CMS: digest algorithm as hint).
  static Bytes sod = read_file(data_path("pki/SOD_ESPECIMEN.der"));
  ByteView sd = signed_data(tlv::parse_single(sod).value().value);
  CHECK(verify_signer_info(sd, ds.public_key()));
  // Chain: one of the CSCA SPAIN certificates in the master list signed it.
  int spain = 0, signed_by = 0;
  for (const auto& c : master_list()) {
    if (c.subject().get("CN") != "CSCA SPAIN") continue;
    ++spain;
    auto st = ds.verify_signed_by(c.public_key());
    if (st) {
      ++signed_by;
      CHECK(c.public_key().description() == "RSA-4096");
      CHECK(c.subject() == ds.issuer());
      CHECK(c.is_ca());
      CHECK((*c.key_usage() & kKeyCertSign) != 0);
    } else {
      CHECK(st.error().code == ErrorCode::VerificationFailed);
    }
  }
  CHECK(spain >= 5);
  CHECK(signed_by >= 1);
  MESSAGE("CSCA SPAIN certificates: " << spain << ", verifying the DS: " << signed_by);
}

TEST_CASE("x509: German CSCA master list (588 certificates)") {
  const auto& certs = master_list();
  CHECK(certs.size() == 588);
  // Self-signed: issuer == subject and the AKI (if any) names the certificate's own key. Link
  // certificates (same name, signed by the previous key) are checked against that key instead.
  int self_signed = 0, ok = 0, ec = 0, ec_ok = 0, explicit_ok = 0, brainpool_ok = 0, pss = 0, pss_ok = 0;
  int links = 0, links_ok = 0, negative_serials = 0;
  std::map<std::string, int> failures;
  for (const auto& c : certs) {
    if (!c.serial().empty() && (c.serial()[0] & 0x80)) ++negative_serials;
    if (c.subject() != c.issuer()) continue;
    auto aki = c.authority_key_id();
    if (aki && aki != c.subject_key_id()) {
      ++links;
      for (const auto& o : certs)
        if (o.subject() == c.issuer() && o.subject_key_id() == aki && c.verify_signed_by(o.public_key())) {
          ++links_ok;
          break;
        }
      continue;
    }
    ++self_signed;
    const bool is_pss = c.signature_algorithm().oid == "1.2.840.113549.1.1.10";
    pss += is_pss;
    const bool is_ec = c.public_key().is_ec();
    ec += is_ec;
    auto st = c.verify_signed_by(c.public_key());
    if (st) {
      ++ok;
      pss_ok += is_pss;
      if (is_ec) {
        ++ec_ok;
        const auto& g = *c.public_key().ec()->group;
        if (g.name().rfind("brainpool", 0) == 0) ++brainpool_ok;
        // Explicit parameters in the SPKI (specifiedCurve: params is a SEQUENCE).
        auto spki = tlv::parse_single(c.spki()).value();
        auto alg = kids(kids(spki.value)[0].value);
        if (alg.size() > 1 && alg[1].tag == 0x30) ++explicit_ok;
      }
    } else {
      failures[c.signature_algorithm().oid + " " + c.public_key().description() + " (" +
               c.subject().to_string() + "): " + st.error().message]++;
    }
  }
  MESSAGE("master list: " << certs.size() << " certificates; " << self_signed << " self-signed, " << ok
                          << " verify with their own key (EC " << ec_ok << "/" << ec << ", brainpool "
                          << brainpool_ok << ", explicit parameters " << explicit_ok << ", RSA-PSS " << pss_ok
                          << "/" << pss << "); link certificates " << links_ok << "/" << links
                          << " verified by the previous key found in the list; negative serials "
                          << negative_serials);
  for (const auto& [why, n] : failures) MESSAGE("  not verified x" << n << ": " << why);
  CHECK(self_signed > 300);
  CHECK(ok * 100 >= self_signed * 95);
  CHECK(ec_ok > 0);
  CHECK(brainpool_ok > 0);
  CHECK(explicit_ok > 0);
  CHECK(pss_ok > 0);
  // The master list's own signature (RFC 5652 SignerInfo) verifies with its signer certificate.
  static Bytes ml = read_file(data_path("pki/DE_master_list_2026-05-28.ml"));
  ByteView sd = signed_data(ml);
  auto signers = cms_certificates(sd);
  REQUIRE_FALSE(signers.empty());
  bool verified = false;
  for (const auto& s : signers) verified = verified || verify_signer_info(sd, s.public_key()).ok();
  CHECK(verified);
}

TEST_CASE("x509: malformed and tampered input gives clear errors") {
  Bytes der = read_file(data_path("pki/DNIE_ESPECIMEN_signing_cert.cer"));
  for (std::size_t n = 0; n < der.size(); n += (n < 64 ? 1 : 7)) {
    auto c = Certificate::parse(ByteView(der).first(n));
    REQUIRE_FALSE(c);
    CHECK(c.error().code == ErrorCode::MalformedData);
  }
  Bytes trailing = der;
  trailing.push_back(0);
  CHECK(Certificate::parse(trailing).error().code == ErrorCode::MalformedData);
  CHECK_FALSE(Certificate::parse({}));
  CHECK_FALSE(Certificate::parse(hex_bytes("3000")));
  CHECK_FALSE(PublicKey::from_spki(hex_bytes("30053003060100")));
  // Tampered signature / TBS with the right key: VerificationFailed.
  Certificate ds = ds_certificate();
  const Certificate* issuer = nullptr;
  for (const auto& c : master_list())
    if (c.subject().get("CN") == "CSCA SPAIN" && ds.verify_signed_by(c.public_key())) issuer = &c;
  REQUIRE(issuer);
  Bytes bad_sig = ds.der();
  bad_sig[bad_sig.size() - 5] ^= 0x01;
  auto c1 = Certificate::parse(bad_sig);
  REQUIRE(c1);
  CHECK(c1->verify_signed_by(issuer->public_key()).error().code == ErrorCode::VerificationFailed);
  Bytes bad_tbs = ds.der();
  const std::string cn = "DS n-eID SPAIN 2";
  auto it = std::search(bad_tbs.begin(), bad_tbs.end(), cn.begin(), cn.end());
  REQUIRE(it != bad_tbs.end());
  it[15] = '3';
  auto c2 = Certificate::parse(bad_tbs);
  REQUIRE(c2);
  CHECK(c2->subject().get("CN") == "DS n-eID SPAIN 3");
  CHECK(c2->verify_signed_by(issuer->public_key()).error().code == ErrorCode::VerificationFailed);
  // Unknown signature algorithm.
  AlgorithmIdentifier md5rsa{"1.2.840.113549.1.1.4", {}};
  CHECK(issuer->public_key().verify(md5rsa, ds.tbs(), ds.signature()).error().code == ErrorCode::Unsupported);
  // rsaEncryption without a digest hint.
  AlgorithmIdentifier rsa{"1.2.840.113549.1.1.1", {}};
  CHECK(issuer->public_key().verify(rsa, ds.tbs(), ds.signature()).error().code ==
        ErrorCode::InvalidArgument);
  CHECK(issuer->public_key().verify(rsa, ds.tbs(), ds.signature(), HashAlg::Sha256));
  // ECDSA algorithm with an RSA key.
  AlgorithmIdentifier ecdsa{"1.2.840.10045.4.3.2", {}};
  CHECK(issuer->public_key().verify(ecdsa, ds.tbs(), ds.signature()).error().code ==
        ErrorCode::VerificationFailed);
}

TEST_CASE("x509: names with BMPString, T61String and unknown attribute types") {
  // SEQUENCE { SET { SEQUENCE { CN, BMPString "Aé" } }, SET { SEQUENCE { O, T61String "x" } },
  //            SET { SEQUENCE { 1.2.3.4, INTEGER 5 } } }
  Bytes name = asn1::sequence({
      asn1::set({asn1::sequence({asn1::oid("2.5.4.3"), hex_bytes("1E04004100E9")})}),
      asn1::set({asn1::sequence({asn1::oid("2.5.4.10"), hex_bytes("140178")})}),
      asn1::set({asn1::sequence({asn1::oid("1.2.3.4"), asn1::integer(std::int64_t{5})})}),
  });
  auto n = parse_name(name);
  REQUIRE(n);
  CHECK(n->get("CN") == "A\xC3\xA9");
  CHECK(n->get("O") == "x");
  CHECK(n->to_string() == "CN=A\xC3\xA9, O=x, 1.2.3.4=#020105");
  CHECK(n->der == name);
  CHECK_FALSE(parse_name(hex_bytes("3003310130")));
}

// ---- Hostile certificates ------------------------------------------------------------------

namespace {

std::int64_t day(int y, unsigned m, unsigned d) { return asn1::days_from_civil(y, m, d) * 86400; }
Bytes alg(const char* oid) { return asn1::sequence({asn1::oid(oid), asn1::null()}); }
Bytes cn_name(const std::string& cn) {
  return asn1::sequence({asn1::set({asn1::sequence({asn1::oid("2.5.4.3"), asn1::utf8_string(cn)})})});
}
Bytes ext(const char* oid, bool critical, ByteView value) {
  if (critical) return asn1::sequence({asn1::oid(oid), asn1::boolean(true), asn1::octet_string(value)});
  return asn1::sequence({asn1::oid(oid), asn1::octet_string(value)});
}

const RsaPrivateKey& test_key() {
  static RsaPrivateKey k = [] {
    DeterministicRng rng(ByteView::of("x509 hostile"));
    return RsaPrivateKey::generate(1024, rng).value();
  }();
  return k;
}

struct Spec {
  std::vector<Bytes> exts;
  bool with_extensions = true;
  Bytes inner = alg("1.2.840.113549.1.1.11"), outer = alg("1.2.840.113549.1.1.11");
  Bytes version = asn1::context(0, asn1::integer(std::int64_t{2}));
  Bytes validity = asn1::sequence({asn1::utc_time(day(2020, 1, 1)), asn1::utc_time(day(2030, 1, 1))});
  Bytes subject = cn_name("HOSTILE");
  std::optional<Bytes> tail;  ///< replaces the extensions: raw fields after the SPKI
};

/// A self-signed RSA certificate built field by field (RFC 5280 §4.1), signed over its TBS.
Bytes build(const Spec& s) {
  Bytes tbs;
  append(tbs, s.version);
  append(tbs, asn1::integer(std::int64_t{42}));
  append(tbs, s.inner);
  append(tbs, cn_name("HOSTILE"));
  append(tbs, s.validity);
  append(tbs, s.subject);
  append(tbs, test_key().public_key().to_spki());
  if (s.tail) {
    append(tbs, *s.tail);
  } else if (s.with_extensions) {
    Bytes list;
    for (const auto& e : s.exts) append(list, e);
    append(tbs, asn1::context(3, tlv::encode(0x30, list)));
  }
  Bytes t = tlv::encode(0x30, tbs);
  auto sig = test_key().sign_pkcs1_v15(HashAlg::Sha256, hash(HashAlg::Sha256, t)).value();
  return asn1::sequence({t, s.outer, asn1::bit_string(sig)});
}

Bytes with(std::vector<Bytes> exts) {
  Spec s;
  s.exts = std::move(exts);
  return build(s);
}

ErrorCode parse_error(ByteView der) {
  auto c = Certificate::parse(der);
  return c ? ErrorCode::Ok : c.error().code;
}

}  // namespace

TEST_CASE("x509: a well-formed synthetic certificate parses and verifies (baseline for the attacks)") {
  auto c = Certificate::parse(with({ext("2.5.29.19", true, asn1::sequence({asn1::boolean(true)})),
                                    ext("2.5.29.15", true, hex_bytes("03020106"))}));
  REQUIRE(c);
  CHECK(c->is_ca());
  CHECK(c->key_usage() == unsigned{kKeyCertSign | kCrlSign});
  CHECK(c->verify_signed_by(c->public_key()));
  CHECK(c->unrecognised_critical_extensions().empty());
  CHECK(c->check_critical_extensions());
}

TEST_CASE("x509: an extension the SDK relies on that does not decode fails the certificate") {
  // Read as "absent" these would drop a restriction (keyUsage) or an identity (key ids).
  const char* ku = "2.5.29.15";
  for (const char* bad : {"0402FFFF", "0300", "03020880", "030100FF", "030101", "03020780FF"})
    CHECK_MESSAGE(parse_error(with({ext(ku, true, hex_bytes(bad))})) == ErrorCode::MalformedData, bad);
  const char* bc = "2.5.29.19";
  for (const char* bad : {"0101FF", "30020100", "30040102FFFF", "3003020101FF", "300301FF", "30030201FF",
                          "30060101FF0101FF", "3003040100"})
    CHECK_MESSAGE(parse_error(with({ext(bc, true, hex_bytes(bad))})) == ErrorCode::MalformedData, bad);
  const char* eku = "2.5.29.37";
  for (const char* bad : {"3000", "30030401FF", "0603550403", "300506035504"})
    CHECK_MESSAGE(parse_error(with({ext(eku, false, hex_bytes(bad))})) == ErrorCode::MalformedData, bad);
  CHECK(parse_error(with({ext("2.5.29.14", false, hex_bytes("0201FF"))})) == ErrorCode::MalformedData);
  CHECK(parse_error(with({ext("2.5.29.35", false, hex_bytes("3006820101800101"))})) ==
        ErrorCode::MalformedData);
  CHECK(parse_error(with({ext("2.23.136.1.1.6.2", false, hex_bytes("3003020100"))})) ==
        ErrorCode::MalformedData);
  // BER quirks real CSCAs carry still parse: cA TRUE as 01 (CSCA-UKRAINE), pathLen with cA absent
  // (Italian CSCA), keyUsage with unused bits.
  auto ua = Certificate::parse(with({ext(bc, true, hex_bytes("3006010101020100"))}));
  REQUIRE(ua);
  CHECK(ua->is_ca());
  CHECK(ua->path_length() == std::int64_t{0});
  auto it = Certificate::parse(with({ext(bc, true, hex_bytes("3003020100"))}));
  REQUIRE(it);
  CHECK_FALSE(it->is_ca());
  auto ds = Certificate::parse(with({ext(ku, true, hex_bytes("03020780"))}));
  REQUIRE(ds);
  CHECK(ds->key_usage() == unsigned{kDigitalSignature});
}

TEST_CASE("x509: tbsCertificate.signature must equal signatureAlgorithm (RFC 5280 §4.1.1.2)") {
  Spec s;
  s.outer = alg("1.2.840.113549.1.1.5");  // the unsigned outer field says SHA-1
  CHECK(parse_error(build(s)) == ErrorCode::MalformedData);
  Spec p;
  p.outer = asn1::sequence({asn1::oid("1.2.840.113549.1.1.11")});  // parameters differ (absent vs NULL)
  CHECK(parse_error(build(p)) == ErrorCode::MalformedData);
  Spec same;
  CHECK(parse_error(build(same)) == ErrorCode::Ok);
}

TEST_CASE("x509: unrecognised critical extensions are reported for path validation (RFC 5280 §4.2)") {
  auto c = Certificate::parse(
      with({ext("2.5.29.15", true, hex_bytes("03020780")), ext("1.2.3.4.5", true, asn1::null()),
            ext("1.2.3.4.6", false, asn1::null()),
            ext("2.5.29.32", true, asn1::sequence({asn1::sequence({asn1::oid("2.5.29.32.0")})}))}));
  REQUIRE(c);  // parsing succeeds: the decision belongs to path validation
  CHECK(c->unrecognised_critical_extensions() == std::vector<std::string>{"1.2.3.4.5", "2.5.29.32"});
  auto st = c->check_critical_extensions();
  REQUIRE_FALSE(st);
  CHECK(st.error().code == ErrorCode::VerificationFailed);
  CHECK(st.error().message.find("1.2.3.4.5") != std::string::npos);
  for (const char* oid : {"2.5.29.15", "2.5.29.19", "2.5.29.37", "2.23.136.1.1.6.2", "2.5.29.14", "2.5.29.35",
                          "2.5.29.17", "2.5.29.18", "2.23.136.1.1.6.1"})
    CHECK_MESSAGE(is_recognised_extension(oid), oid);
  for (const char* oid :
       {"2.5.29.16", "2.5.29.32", "2.5.29.30", "2.5.29.36", "2.5.29.54", "2.5.29.31", "1.2.3"})
    CHECK_MESSAGE(!is_recognised_extension(oid), oid);
}

TEST_CASE("x509: real certificates carry no critical extension the SDK does not recognise") {
  Bytes der = read_file(data_path("pki/DNIE_ESPECIMEN_signing_cert.cer"));
  CHECK(Certificate::parse(der)->check_critical_extensions());
  CHECK(ds_certificate().check_critical_extensions());
  std::map<std::string, int> critical;
  for (const auto& c : master_list()) {
    CHECK_MESSAGE(c.check_critical_extensions(), c.subject().to_string());
    for (const auto& e : c.extensions())
      if (e.critical) critical[e.oid]++;
  }
  for (const auto& [oid, n] : critical) MESSAGE("critical in the master list: " << oid << " x" << n);
  CHECK(critical.size() == 2);  // keyUsage and basicConstraints only
}

TEST_CASE("x509: structural attacks on extensions, validity and names") {
  // The same extension twice: which one counts would depend on the implementation (§4.2).
  CHECK(parse_error(with({ext("2.5.29.15", true, hex_bytes("03020780")),
                          ext("2.5.29.15", false, hex_bytes("03020106"))})) == ErrorCode::MalformedData);
  // Extensions in a v1 certificate (§4.1.2.9).
  Spec v1;
  v1.version = {};
  v1.exts = {ext("2.5.29.19", true, asn1::sequence({asn1::boolean(true)}))};
  CHECK(parse_error(build(v1)) == ErrorCode::MalformedData);
  v1.with_extensions = false;
  auto plain = Certificate::parse(build(v1));
  REQUIRE(plain);
  CHECK(plain->version() == 1);
  // critical BOOLEAN without content.
  Bytes empty_crit =
      asn1::sequence({asn1::oid("1.2.3.4"), hex_bytes("0100"), asn1::octet_string(asn1::null())});
  CHECK(parse_error(with({empty_crit})) == ErrorCode::MalformedData);
  // A third time in Validity.
  Spec v;
  v.validity = asn1::sequence(
      {asn1::utc_time(day(2020, 1, 1)), asn1::utc_time(day(2030, 1, 1)), asn1::utc_time(day(2040, 1, 1))});
  CHECK(parse_error(build(v)) == ErrorCode::MalformedData);
  // Out-of-range times.
  Spec t;
  t.validity = asn1::sequence(
      {tlv::encode(asn1::kUtcTime, ByteView::of("201301000000Z")), asn1::utc_time(day(2030, 1, 1))});
  CHECK(parse_error(build(t)) == ErrorCode::MalformedData);
  // UniversalString code points beyond Unicode or surrogates.
  for (const char* ucs : {"1C0400110041", "1C040000D800"}) {
    Spec n;
    n.subject = asn1::sequence({asn1::set({asn1::sequence({asn1::oid("2.5.4.3"), hex_bytes(ucs)})})});
    CHECK_MESSAGE(parse_error(build(n)) == ErrorCode::MalformedData, ucs);
  }
  // Trailing element after the attribute value.
  CHECK_FALSE(parse_name(asn1::sequence({asn1::set(
      {asn1::sequence({asn1::oid("2.5.4.3"), asn1::utf8_string("A"), asn1::utf8_string("B")})})})));
  // Unique identifiers after the extensions, or twice (§4.1.2.8 order: [1], [2], [3]).
  const Bytes uid = hex_bytes("810200FF");
  const Bytes exts = asn1::context(3, asn1::sequence({ext("2.5.29.15", true, hex_bytes("03020780"))}));
  Spec u;
  u.tail = concat({uid, exts});
  CHECK(parse_error(build(u)) == ErrorCode::Ok);
  u.tail = concat({exts, uid});
  CHECK(parse_error(build(u)) == ErrorCode::MalformedData);
  u.tail = concat({uid, uid, exts});
  CHECK(parse_error(build(u)) == ErrorCode::MalformedData);
  u.tail = concat({exts, exts});
  CHECK(parse_error(build(u)) == ErrorCode::MalformedData);
}
