// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/gen/pki.cpp
// The test PKIs of a virtual card, all with fictitious "TEST" names:
//  - ICAO: CSCA SPAIN TEST → DS n-eID SPAIN TEST (signs EF.SOD; ICAO 9303-12 §7.1), and an
//    untrusted CSCA/DS pair for the untrusted-csca profile;
//  - DNIe holder PKI: AC RAIZ DNIE 2 TEST → AC DNIE 00x TEST → authentication / signing certs
//    (docs/dnie-card.md §2.3, modelled on the specimen FIRMA certificate), and the CA's CRL (RFC 5280 §5);
//  - CWA-14890 component PKI: AC RAIZ COMPONENTES [2] → component CA (EF 6020) → ICC (EF 601F),
//    docs/dnie-card.md §2.4.
#include "dnie/crypto/x509.hpp"

#include "vcard/gen/gen_internal.hpp"

namespace dnie::vcard::gen {

namespace {

constexpr const char* kDgp = "DIRECCION GENERAL DE LA POLICIA";

Bytes serial_for(std::uint64_t seed, std::string_view label) {
  Bytes in = be_bytes(seed, 8);
  append(in, ByteView::of("serial:"));
  append(in, ByteView::of(label));
  Bytes h = crypto::hash(crypto::HashAlg::Sha256, in);
  h.resize(16);
  h[0] = static_cast<std::uint8_t>((h[0] & 0x7F) | 0x01);  // positive, 16 significant bytes
  return h;
}

struct Issuer {
  Bytes name;
  Bytes key_id;
  const crypto::RsaPrivateKey* key;
};

Result<Bytes> make_ca_cert(const Bytes& subject, const crypto::RsaPrivateKey& key, const Issuer* issuer,
                           Bytes serial, std::int64_t from, std::int64_t to, int path_len, crypto::HashAlg h,
                           std::vector<Bytes> extra = {}) {
  CertSpec s;
  s.serial = std::move(serial);
  s.subject = subject;
  s.issuer = issuer ? issuer->name : subject;
  s.not_before = from;
  s.not_after = to;
  s.spki = key.public_key().to_spki();
  s.hash = h;
  DNIE_ASSIGN_OR_RETURN(Bytes kid, key_identifier(s.spki));
  s.extensions.push_back(ext_basic_constraints(true, path_len));
  s.extensions.push_back(ext_key_usage(crypto::kKeyCertSign | crypto::kCrlSign));
  s.extensions.push_back(ext_ski(kid));
  s.extensions.push_back(ext_aki(issuer ? issuer->key_id : kid));
  for (auto& e : extra) s.extensions.push_back(std::move(e));
  return build_certificate(s, issuer ? *issuer->key : key);
}

Result<Issuer> issuer_of(const Bytes& name, const crypto::RsaPrivateKey& key) {
  DNIE_ASSIGN_OR_RETURN(Bytes kid, key_identifier(key.public_key().to_spki()));
  return Issuer{name, kid, &key};
}

Bytes ds_name() {
  return build_name(
      {{"2.5.4.6", "ES"}, {"2.5.4.10", kDgp}, {"2.5.4.11", "PASSPORT"}, {"2.5.4.3", "DS n-eID SPAIN TEST"}});
}

Result<Bytes> make_ds(const Issuer& csca, const crypto::RsaPrivateKey& ds_key, Bytes serial,
                      std::int64_t from, std::int64_t to) {
  // Modelled on the specimen's "DS n-eID SPAIN 2" (SOD_ESPECIMEN.der): key usage
  // digitalSignature, key ids, private key usage period, alt names, document types P/ID/IX, CRL DP.
  CertSpec s;
  s.serial = std::move(serial);
  s.issuer = csca.name;
  s.subject = ds_name();
  s.not_before = from;
  s.not_after = to;
  s.spki = ds_key.public_key().to_spki();
  DNIE_ASSIGN_OR_RETURN(Bytes kid, key_identifier(s.spki));
  s.extensions = {
      ext_key_usage(crypto::kDigitalSignature),
      ext_ski(kid),
      ext_aki(csca.key_id),
      ext_private_key_usage(from, from + 92 * 86400),
      ext_alt_name_uri_l("2.5.29.17", "http://www.policia.test", "ESP"),
      ext_alt_name_uri_l("2.5.29.18", "http://www.policia.test", "ESP"),
      ext_document_types({"P", "ID", "IX"}),
      ext_crl_dp("http://pki.policia.test/csca/crls/ESP.crl"),
  };
  return build_certificate(s, *csca.key);
}

std::string upper_surnames(const Identity& id) { return id.first_surname + " " + id.second_surname; }

Result<Bytes> make_holder(const Issuer& ca, const crypto::RsaPrivateKey& key, const Identity& id,
                          bool signing, Bytes serial) {
  CertSpec s;
  s.serial = std::move(serial);
  s.issuer = ca.name;
  const std::string cn = upper_surnames(id) + ", " + id.name + (signing ? " (FIRMA)" : " (AUTENTICACIÓN)");
  s.subject = build_name({{"2.5.4.6", "ES"},
                          {"2.5.4.5", id.dni},
                          {"2.5.4.4", upper_surnames(id)},
                          {"2.5.4.42", id.name},
                          {"2.5.4.3", cn}});
  s.not_before = unix_time(id.issue, 10, 0, 0);
  s.not_after = unix_time(id.expiry, 22, 59, 59);
  s.spki = key.public_key().to_spki();
  DNIE_ASSIGN_OR_RETURN(Bytes kid, key_identifier(s.spki));
  // Extensions as in the specimen FIRMA certificate (DNIE_ESPECIMEN_signing_cert.cer).
  s.extensions.push_back(ext("2.5.29.19", true, seq({})));  // basicConstraints CA:FALSE
  s.extensions.push_back(ext_ski(kid));
  s.extensions.push_back(ext_aki(ca.key_id));
  if (signing) s.extensions.push_back(ext_qc_statements());
  s.extensions.push_back(ext_aia("http://ocsp.dnie.test", "http://www.dnie.test/certs/ACRaiz.crt"));
  s.extensions.push_back(
      ext_policies(signing ? "2.16.724.1.2.2.2.3" : "2.16.724.1.2.2.2.4", "http://www.dnie.test/dpc"));
  s.extensions.push_back(ext_subject_dir_birth(id.birth));
  s.extensions.push_back(ext_key_usage(signing ? crypto::kNonRepudiation : crypto::kDigitalSignature));
  return build_certificate(s, *ca.key);
}

}  // namespace

std::int64_t reference_time() { return unix_time({2024, 1, 1}); }

Result<PkiCerts> build_pki(const PkiParams& p) {
  const KeySet& k = *p.keys;
  const Identity& id = *p.id;
  const bool r2 = p.generation == Generation::R2;
  PkiCerts out;
  const auto sha256 = crypto::HashAlg::Sha256;

  // ---- ICAO: CSCA and DS (ICAO 9303-12 §7.1.1) ----------------------------------------
  Bytes csca_name =
      build_name({{"2.5.4.6", "ES"}, {"2.5.4.10", kDgp}, {"2.5.4.5", "1"}, {"2.5.4.3", "CSCA SPAIN TEST"}});
  const std::int64_t csca_from = unix_time({2012, 1, 1}), csca_to = unix_time({2042, 1, 1});
  DNIE_ASSIGN_OR_RETURN(
      out.csca, make_ca_cert(csca_name, *k.csca, nullptr, serial_for(p.seed, "csca"), csca_from, csca_to, 0,
                             sha256, {ext_private_key_usage(csca_from, unix_time({2017, 1, 1}))}));
  DNIE_ASSIGN_OR_RETURN(auto csca, issuer_of(csca_name, *k.csca));
  const std::int64_t ds_from = unix_time(p.ds_from, 8, 30, 0), ds_to = unix_time(p.ds_to, 8, 30, 0);
  DNIE_ASSIGN_OR_RETURN(
      out.ds, make_ds(csca, *k.ds, serial_for(p.seed, "ds" + fmt_yyyymmdd(p.ds_from)), ds_from, ds_to));

  Bytes ucsca_name =
      build_name({{"2.5.4.6", "ES"}, {"2.5.4.10", "UNTRUSTED TEST ISSUER"}, {"2.5.4.3", "CSCA SPAIN TEST"}});
  DNIE_ASSIGN_OR_RETURN(out.csca_untrusted,
                        make_ca_cert(ucsca_name, *k.csca_untrusted, nullptr,
                                     serial_for(p.seed, "csca-untrusted"), csca_from, csca_to, 0, sha256));
  DNIE_ASSIGN_OR_RETURN(auto ucsca, issuer_of(ucsca_name, *k.csca_untrusted));
  DNIE_ASSIGN_OR_RETURN(out.ds_untrusted,
                        make_ds(ucsca, *k.ds_untrusted, serial_for(p.seed, "ds-untrusted"), ds_from, ds_to));

  // ---- DNIe holder PKI --------------------------------------------------------------------
  auto dnie_name = [](const char* cn) {
    return build_name({{"2.5.4.6", "ES"}, {"2.5.4.10", kDgp}, {"2.5.4.11", "DNIE"}, {"2.5.4.3", cn}});
  };
  Bytes root_name = dnie_name("AC RAIZ DNIE 2 TEST");
  DNIE_ASSIGN_OR_RETURN(out.dnie_root,
                        make_ca_cert(root_name, *k.dnie_root, nullptr, serial_for(p.seed, "dnie-root"),
                                     unix_time({2008, 1, 1}), unix_time({2045, 1, 1}), -1, sha256));
  DNIE_ASSIGN_OR_RETURN(auto root, issuer_of(root_name, *k.dnie_root));
  Bytes ca_name = dnie_name(r2 ? "AC DNIE 004 TEST" : "AC DNIE 001 TEST");
  DNIE_ASSIGN_OR_RETURN(
      out.dnie_ca, make_ca_cert(ca_name, *k.dnie_ca, &root, serial_for(p.seed, r2 ? "dnie-ca4" : "dnie-ca1"),
                                unix_time({2010, 1, 1}), unix_time({2040, 1, 1}), 0, sha256,
                                {ext_policies("2.5.29.32.0", "http://www.dnie.test/dpc")}));
  DNIE_ASSIGN_OR_RETURN(auto ca, issuer_of(ca_name, *k.dnie_ca));
  // The "revoked" card's certificates have serials of their own (from the seed only), so that
  // one CA has one CRL: every image whose CA is AC DNIE 001 TEST (the default holder is r1)
  // carries the same CRL listing them, and no other card's certificate is in it.
  const Bytes revoked_auth = serial_for(p.seed, "revoked-auth"),
              revoked_sign = serial_for(p.seed, "revoked-sign");
  const Bytes auth_serial =
      p.revoke_holder ? revoked_auth : serial_for(p.seed, "auth" + id.idesp + fmt_yyyymmdd(id.issue));
  const Bytes sign_serial =
      p.revoke_holder ? revoked_sign : serial_for(p.seed, "sign" + id.idesp + fmt_yyyymmdd(id.issue));
  DNIE_ASSIGN_OR_RETURN(out.auth, make_holder(ca, *k.auth, id, false, auth_serial));
  DNIE_ASSIGN_OR_RETURN(out.sign, make_holder(ca, *k.sign, id, true, sign_serial));
  {
    // The CA's CRL (RFC 5280 §5.1), current from the reference time until 2034-01-01. CRLReason
    // (§5.3.1) of the revoked card: superseded (4) for authentication, keyCompromise (1) for
    // signing, both revoked at the reference time.
    CrlSpec c;
    c.issuer = ca.name;
    c.issuer_key_id = ca.key_id;
    c.this_update = reference_time();
    c.next_update = unix_time({2034, 1, 1});
    if (!r2 || p.revoke_holder)
      c.revoked = {{revoked_auth, c.this_update, 4}, {revoked_sign, c.this_update, 1}};
    DNIE_ASSIGN_OR_RETURN(out.dnie_ca_crl, build_crl(c, *ca.key));
  }

  // ---- CWA-14890 component PKI (EF 6020 / 601F) -----------------------------------------
  // The root's name has the layout of the real issuers of EF 6020 (OpenSC cwa-dnie.c,
  // AC_RAIZ_COMPONENTES_ISSUER / AC_RAIZ_COMPONENTES_2_ISSUER): the root's name in an OU, the CHR
  // of the CV root in the CN; OpenSC tells r2 cards by "/OU=AC RAIZ COMPONENTES 2/" in it
  // (dnie_set_channel_data; docs/dnie-card.md §1.1). An impostor profile signs the same kind of
  // chain with the attacker's keys, under the names of the generation it claims (no "TEST" for
  // r1/r2; the genuine TEST names for "test").
  const std::string& claim = p.impostor_claim;
  const bool named_r2 = claim.empty() ? r2 : claim == "r2";
  const bool test_names = claim.empty() || claim == "test";
  const auto comp_hash = r2 ? sha256 : crypto::HashAlg::Sha1;
  std::vector<Rdn> croot_rdns{{"2.5.4.6", "ES"}, {"2.5.4.10", kDgp}, {"2.5.4.11", "DNIE"}};
  if (named_r2) croot_rdns.push_back({"2.5.4.97", "VATES-S2816015H"});  // organizationIdentifier
  croot_rdns.push_back({"2.5.4.11", named_r2 ? "AC RAIZ COMPONENTES 2" : "AC RAIZ COMPONENTES"});
  croot_rdns.push_back({"2.5.4.3", named_r2 ? "000000006573524449620018" : "000000006573524449600006"});
  Bytes croot_name = build_name(croot_rdns);
  const crypto::RsaPrivateKey& croot_key =
      !claim.empty() ? *k.attacker_root : (r2 ? *k.comp_root_r2 : *k.comp_root_r1);
  const crypto::RsaPrivateKey& cca_key = !claim.empty() ? *k.attacker_ca : *k.comp_ca;
  DNIE_ASSIGN_OR_RETURN(
      out.comp_root,
      make_ca_cert(croot_name, croot_key, nullptr, serial_for(p.seed, r2 ? "croot2" : "croot1"),
                   unix_time({2006, 1, 1}), unix_time({2046, 1, 1}), -1, comp_hash));
  DNIE_ASSIGN_OR_RETURN(auto croot, issuer_of(croot_name, croot_key));
  const std::string cca_cn =
      std::string(named_r2 ? "AC COMPONENTES 002" : "AC COMPONENTES 001") + (test_names ? " TEST" : "");
  Bytes cca_name =
      build_name({{"2.5.4.6", "ES"}, {"2.5.4.10", kDgp}, {"2.5.4.11", "DNIE"}, {"2.5.4.3", cca_cn}});
  DNIE_ASSIGN_OR_RETURN(out.comp_ca,
                        make_ca_cert(cca_name, cca_key, &croot, serial_for(p.seed, r2 ? "cca2" : "cca1"),
                                     unix_time({2010, 1, 1}), unix_time({2040, 1, 1}), 0, comp_hash));
  DNIE_ASSIGN_OR_RETURN(auto cca, issuer_of(cca_name, cca_key));
  {
    CertSpec s;
    s.serial = serial_for(p.seed, "icc" + to_hex(p.chip_serial));
    s.issuer = cca.name;
    s.subject = build_name({{"2.5.4.6", "ES"},
                            {"2.5.4.10", kDgp},
                            {"2.5.4.11", "DNIE"},
                            {"2.5.4.5", to_hex(p.chip_serial)},
                            {"2.5.4.3", "ICC " + to_hex(p.chip_serial)}});
    s.not_before = unix_time(add_days(id.issue, -30));
    s.not_after = unix_time(add_years(id.issue, 15));
    s.spki = k.icc->public_key().to_spki();
    s.hash = comp_hash;
    DNIE_ASSIGN_OR_RETURN(Bytes kid, key_identifier(s.spki));
    s.extensions = {ext("2.5.29.19", true, seq({})),
                    ext_key_usage(crypto::kDigitalSignature | crypto::kKeyEncipherment), ext_ski(kid),
                    ext_aki(cca.key_id)};
    DNIE_ASSIGN_OR_RETURN(out.icc, build_certificate(s, *cca.key));
  }
  return out;
}

}  // namespace dnie::vcard::gen
