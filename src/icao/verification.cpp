// SPDX-License-Identifier: Apache-2.0
// Verification report and passive authentication: ICAO 9303-11 §5.1 (PA), 9303-12 §4.6–§4.7
// (DS/CSCA profiles, validity, document type list), RFC 5280 §6 (path validation, simplified to
// the ICAO two-level hierarchy) and §5 (CRLs); consistency of DG1 with DG11 and the DNIe's DG13.
#include "dnie/icao/verification.hpp"

#include <algorithm>
#include <cctype>

#include "dnie/bytes/asn1.hpp"
#include "dnie/icao/data_groups.hpp"
#include "dnie/icao/mrz.hpp"
#include "dnie/icao/sod.hpp"

namespace dnie::icao {

std::string_view check_status_name(CheckStatus s) noexcept {
  switch (s) {
    case CheckStatus::Pass:
      return "pass";
    case CheckStatus::Fail:
      return "fail";
    case CheckStatus::NotPerformed:
      break;
  }
  return "not_performed";
}

void VerificationReport::set(std::string id, std::string description, CheckStatus status,
                             std::string reason) {
  for (auto& c : checks) {
    if (c.id == id) {
      c.description = std::move(description);
      c.status = status;
      c.reason = std::move(reason);
      return;
    }
  }
  checks.push_back(Check{std::move(id), std::move(description), status, std::move(reason)});
}

const Check* VerificationReport::find(std::string_view id) const noexcept {
  for (const auto& c : checks)
    if (c.id == id) return &c;
  return nullptr;
}

CheckStatus VerificationReport::status(std::string_view id) const noexcept {
  const Check* c = find(id);
  return c ? c->status : CheckStatus::NotPerformed;
}

std::size_t VerificationReport::count(CheckStatus s) const noexcept {
  return static_cast<std::size_t>(
      std::count_if(checks.begin(), checks.end(), [s](const Check& c) { return c.status == s; }));
}

void record_result(VerificationReport& report, std::string id, std::string description,
                   const Status& outcome) {
  if (outcome.ok())
    report.pass(std::move(id), std::move(description));
  else if (outcome.error().code == ErrorCode::VerificationFailed)
    report.fail(std::move(id), std::move(description), outcome.error().message);
  else
    report.not_performed(std::move(id), std::move(description), outcome.error().to_string());
}

namespace {

std::string dg_id(int n) { return "dg" + std::to_string(n) + ".hash"; }
std::string dg_desc(int n) { return "Hash of DG" + std::to_string(n) + " matches EF.SOD"; }
std::string day(std::int64_t t) { return asn1::format_time(t).substr(0, 10); }

// Upper-case A–Z and digits only; common Spanish/Latin-1 letters in UTF-8 transliterated
// (ICAO 9303-3 §6 style) so "ESPAÑOLA" compares equal to the MRZ's "ESPANOLA".
std::string normalize(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      const unsigned char d = static_cast<unsigned char>(s[++i]) | 0x20;  // fold case
      if (d >= 0xA0 && d <= 0xA5)
        out.push_back('A');
      else if (d == 0xA7)
        out.push_back('C');
      else if (d >= 0xA8 && d <= 0xAB)
        out.push_back('E');
      else if (d >= 0xAC && d <= 0xAF)
        out.push_back('I');
      else if (d == 0xB1)
        out.push_back('N');
      else if (d >= 0xB2 && d <= 0xB6)
        out.push_back('O');
      else if (d >= 0xB9 && d <= 0xBC)
        out.push_back('U');
      continue;
    }
    if (std::isalnum(c)) out.push_back(static_cast<char>(std::toupper(c)));
  }
  return out;
}

std::string digits(std::string_view s) {
  std::string d;
  for (char c : s)
    if (c >= '0' && c <= '9') d.push_back(c);
  return d;
}

// The MRZ name may be truncated: it must be a prefix of the full name.
bool names_match(const std::string& mrz_norm, const std::string& full_norm) {
  return !mrz_norm.empty() && full_norm.compare(0, mrz_norm.size(), mrz_norm) == 0;
}

std::string strip_fillers(std::string s) {
  while (!s.empty() && s.back() == '<') s.pop_back();
  return s;
}

// YYMMDD ('<' unknown) → Unix seconds at the end of that day; nullopt if not a full date.
std::optional<std::int64_t> expiry_time(const std::string& yymmdd) {
  if (yymmdd.size() != 6 || digits(yymmdd).size() != 6) return std::nullopt;
  const int yy = std::stoi(yymmdd.substr(0, 2)), mm = std::stoi(yymmdd.substr(2, 2)),
            dd = std::stoi(yymmdd.substr(4, 2));
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) return std::nullopt;
  return asn1::days_from_civil(2000 + yy, static_cast<unsigned>(mm), static_cast<unsigned>(dd)) * 86400 +
         86399;
}

void check_consistency(VerificationReport& rep, const Mrz& mrz, const LdsContent& doc) {
  const std::string mrz_name = normalize(mrz.primary_identifier + mrz.secondary_identifier);
  const std::string mrz_pn = normalize(mrz.personal_number());
  if (const Bytes* b = doc.dg(11)) {
    auto dg = parse_dg11(*b);
    if (!dg) {
      rep.fail("mrz.dg11", "DG11 agrees with the MRZ", "DG11 does not parse: " + dg.error().message);
    } else {
      std::vector<std::string> bad;
      if (dg->full_name && !names_match(mrz_name, normalize(*dg->full_name))) bad.push_back("name");
      if (dg->personal_number && !mrz_pn.empty() && normalize(*dg->personal_number) != mrz_pn)
        bad.push_back("personal number");
      if (dg->full_date_of_birth) {
        const std::string d = digits(*dg->full_date_of_birth);
        if (d.size() == 8 && d.substr(2) != mrz.date_of_birth) bad.push_back("date of birth");
      }
      std::string why;
      for (const auto& s : bad) why += (why.empty() ? "" : ", ") + s;
      if (bad.empty())
        rep.pass("mrz.dg11", "DG11 agrees with the MRZ", "name, personal number and birth date");
      else
        rep.fail("mrz.dg11", "DG11 agrees with the MRZ", "differs in: " + why);
    }
  } else {
    rep.not_performed("mrz.dg11", "DG11 agrees with the MRZ", "DG11 not read");
  }
  if (const Bytes* b = doc.dg(13)) {
    auto dg = parse_dg13_spain(*b);
    if (!dg) {
      rep.not_performed("mrz.dg13", "DG13 (Spanish layout) agrees with the MRZ",
                        "DG13 is not in the Spanish layout: " + dg.error().message);
      return;
    }
    std::vector<std::string> bad;
    if (!names_match(mrz_name, normalize(dg->first_surname + dg->second_surname + dg->name)))
      bad.push_back("name");
    if (!mrz_pn.empty() && normalize(dg->dni_number) != mrz_pn) bad.push_back("DNI number");
    auto ymd = [](const std::string& dmy) {
      std::string d = digits(dmy);
      return d.size() == 8 ? d.substr(6, 2) + d.substr(2, 2) + d.substr(0, 2) : std::string();
    };
    if (ymd(dg->date_of_birth) != mrz.date_of_birth) bad.push_back("date of birth");
    if (ymd(dg->date_of_expiry) != mrz.date_of_expiry) bad.push_back("date of expiry");
    if (normalize(dg->idesp) != normalize(mrz.document_number)) bad.push_back("IDESP / document number");
    if (!dg->sex.empty() && dg->sex.substr(0, 1) != mrz.sex && mrz.sex != "<") bad.push_back("sex");
    if (!dg->nationality.empty() && normalize(dg->nationality) != normalize(mrz.nationality))
      bad.push_back("nationality");
    std::string why;
    for (const auto& s : bad) why += (why.empty() ? "" : ", ") + s;
    if (bad.empty())
      rep.pass("mrz.dg13", "DG13 (Spanish layout) agrees with the MRZ",
               "name, DNI, dates, IDESP, sex and nationality");
    else
      rep.fail("mrz.dg13", "DG13 (Spanish layout) agrees with the MRZ", "differs in: " + why);
  } else {
    rep.not_performed("mrz.dg13", "DG13 (Spanish layout) agrees with the MRZ", "DG13 not read");
  }
}

void check_ds(VerificationReport& rep, const Sod& sod, const crypto::Certificate& ds,
              const std::optional<Mrz>& mrz, const PassiveAuthOptions& o, std::int64_t now) {
  const SignerInfo& si = *sod.signer();
  const std::string vd = "DS certificate valid " + day(ds.not_before()) + " to " + day(ds.not_after());
  if (si.signing_time) {
    if (ds.valid_at(*si.signing_time))
      rep.pass("ds.valid_at_signing", "DS certificate valid when the SOD was signed",
               "signed " + day(*si.signing_time) + "; " + vd);
    else
      rep.fail("ds.valid_at_signing", "DS certificate valid when the SOD was signed",
               "signed " + day(*si.signing_time) + " outside " + vd);
  } else {
    rep.not_performed("ds.valid_at_signing", "DS certificate valid when the SOD was signed",
                      "EF.SOD carries no signingTime attribute");
  }
  if (ds.valid_at(now))
    rep.pass("ds.valid_now", "DS certificate valid now", vd);
  else
    rep.fail("ds.valid_now", "DS certificate valid now",
             (now > ds.not_after() ? "expired: " : "not yet valid: ") + vd);

  auto ku = ds.key_usage();
  if (!ku)
    rep.fail("ds.key_usage", "DS key usage allows digital signatures",
             "no key usage extension (9303-12 §7.1.1)");
  else if (*ku & crypto::kDigitalSignature)
    rep.pass("ds.key_usage", "DS key usage allows digital signatures");
  else
    rep.fail("ds.key_usage", "DS key usage allows digital signatures", "digitalSignature bit not set");

  auto types = ds.document_types();
  if (!types) {
    rep.not_performed("ds.document_type", "DS may sign this document type",
                      "no document type list extension");
  } else {
    std::string list;
    for (const auto& t : *types) list += (list.empty() ? "" : ", ") + t;
    if (!mrz) {
      rep.not_performed("ds.document_type", "DS may sign this document type",
                        "no MRZ to compare; DS lists " + list);
    } else {
      const std::string code = strip_fillers(mrz->document_code);
      bool ok = false;
      for (const auto& t : *types)
        if (t == code || (t.size() == 1 && !code.empty() && code[0] == t[0])) ok = true;
      if (ok)
        rep.pass("ds.document_type", "DS may sign this document type", "document " + code + " in " + list);
      else
        rep.fail("ds.document_type", "DS may sign this document type",
                 "document " + code + " not in " + list);
    }
  }

  const std::string ds_c = ds.issuer().get("C");
  const crypto::Certificate* csca = nullptr;
  if (!o.trust_store) {
    rep.not_performed("ds.chain", "DS certificate signed by a trusted CSCA", "no trust store supplied");
  } else {
    auto cands = o.trust_store->find_issuers(ds);
    for (const auto* c : cands)
      if (ds.verify_signed_by(c->public_key()).ok()) {
        csca = c;
        break;
      }
    Status crit = ok_status();  // RFC 5280 §6.1.4 (o): no unrecognised critical extension in the path
    if (csca) {
      crit = ds.check_critical_extensions();
      if (crit) crit = csca->check_critical_extensions();
    }
    if (csca && !crit)
      rep.fail("ds.chain", "DS certificate signed by a trusted CSCA", crit.error().message);
    else if (csca)
      rep.pass("ds.chain", "DS certificate signed by a trusted CSCA",
               csca->subject().to_string() +
                   (o.trust_store->from_unanchored_list(*csca)
                        ? " (from a master list whose signer is not anchored; accepted on request)"
                        : ""));
    else if (cands.empty())  // missing trust is not evidence of forgery
      rep.not_performed("ds.chain", "DS certificate signed by a trusted CSCA",
                        "no CSCA in the trust store for issuer " + ds.issuer().to_string());
    else
      rep.fail("ds.chain", "DS certificate signed by a trusted CSCA",
               "the DS signature does not verify with any of " + std::to_string(cands.size()) +
                   " candidate CSCAs");
  }
  if (csca) {
    if (si.signing_time) {
      if (csca->valid_at(*si.signing_time))
        rep.pass("csca.valid_at_signing", "CSCA certificate valid when the SOD was signed");
      else
        rep.fail("csca.valid_at_signing", "CSCA certificate valid when the SOD was signed",
                 "CSCA valid " + day(csca->not_before()) + " to " + day(csca->not_after()));
    } else if (csca->valid_at(ds.not_before())) {
      rep.pass("csca.valid_at_signing", "CSCA certificate valid when the SOD was signed",
               "no signingTime; CSCA valid when the DS was issued");
    } else {
      rep.fail("csca.valid_at_signing", "CSCA certificate valid when the SOD was signed",
               "CSCA not valid when the DS was issued");
    }
    auto cku = csca->key_usage();
    if (csca->is_ca() && (!cku || (*cku & crypto::kKeyCertSign)))
      rep.pass("csca.key_usage", "CSCA is a CA allowed to sign certificates");
    else
      rep.fail("csca.key_usage", "CSCA is a CA allowed to sign certificates",
               "basicConstraints cA or keyCertSign missing");
    const RevocationCheck rc = o.trust_store->revocation(ds, *csca, now);
    switch (rc.state) {
      case Revocation::Good:
        rep.pass("ds.revocation", "DS certificate not revoked", rc.reason);
        break;
      case Revocation::Revoked:
        rep.fail("ds.revocation", "DS certificate not revoked", rc.reason);
        break;
      case Revocation::Unknown:
        rep.not_performed("ds.revocation", "DS certificate not revoked", rc.reason);
        break;
    }
    const std::string csca_c = csca->subject().get("C");
    if (csca_c == ds_c && ds.subject().get("C") == ds_c)
      rep.pass("country.ds_csca", "DS and CSCA belong to the same country", ds_c);
    else
      rep.fail("country.ds_csca", "DS and CSCA belong to the same country",
               "DS " + ds.subject().get("C") + ", DS issuer " + ds_c + ", CSCA " + csca_c);
  } else {
    rep.not_performed("ds.revocation", "DS certificate not revoked", "no CSCA found");
    if (ds.subject().get("C") == ds_c)
      rep.not_performed("country.ds_csca", "DS and CSCA belong to the same country",
                        "no CSCA found; DS is " + ds_c);
    else
      rep.fail("country.ds_csca", "DS and CSCA belong to the same country",
               "DS subject and issuer countries differ");
  }
  if (mrz) {
    const std::string state = strip_fillers(mrz->issuing_state);
    const std::string a3 = country_alpha3(ds_c);
    if (!a3.empty() && a3 == state)
      rep.pass("country.mrz", "MRZ issuing state matches the DS country", state + " = " + ds_c);
    else
      rep.fail("country.mrz", "MRZ issuing state matches the DS country", "MRZ " + state + ", DS " + ds_c);
  } else {
    rep.not_performed("country.mrz", "MRZ issuing state matches the DS country", "DG1 not read");
  }
}

}  // namespace

VerificationReport verify_document(const LdsContent& doc, const PassiveAuthOptions& o) {
  VerificationReport rep;
  const std::int64_t now = o.now != 0 ? o.now : unix_now();

  // DG1 first: the MRZ feeds several other checks.
  std::optional<Mrz> mrz;
  if (const Bytes* dg1 = doc.dg(1)) {
    auto m = parse_dg1(*dg1);
    if (!m) {
      rep.fail("mrz.check_digits", "MRZ check digits are correct",
               "DG1 does not parse: " + m.error().message);
    } else {
      mrz = std::move(*m);
      if (mrz->checks_ok())
        rep.pass("mrz.check_digits", "MRZ check digits are correct",
                 std::string(mrz_format_name(mrz->format)));
      else
        rep.fail("mrz.check_digits", "MRZ check digits are correct", "wrong: " + mrz->failed_checks());
      auto exp = expiry_time(mrz->date_of_expiry);
      if (!exp)
        rep.not_performed("document.expiry", "Document not expired", "no full expiry date in the MRZ");
      else if (now <= *exp)
        rep.pass("document.expiry", "Document not expired", "expires " + day(*exp));
      else
        rep.fail("document.expiry", "Document not expired", "expired " + day(*exp));
    }
  } else {
    rep.not_performed("mrz.check_digits", "MRZ check digits are correct", "DG1 not read");
  }

  if (doc.sod.empty()) {
    rep.fail("sod.parse", "EF.SOD present and well formed", "EF.SOD not read");
    for (const auto& [n, b] : doc.dgs) rep.not_performed(dg_id(n), dg_desc(n), "no EF.SOD");
    rep.not_performed("sod.signature", "EF.SOD signature verifies with the DS certificate", "no EF.SOD");
    rep.not_performed("ds.chain", "DS certificate signed by a trusted CSCA", "no EF.SOD");
  } else if (auto sod = parse_sod(doc.sod); !sod) {
    rep.fail("sod.parse", "EF.SOD present and well formed", sod.error().message);
    rep.not_performed("sod.signature", "EF.SOD signature verifies with the DS certificate",
                      "EF.SOD does not parse");
    rep.not_performed("ds.chain", "DS certificate signed by a trusted CSCA", "EF.SOD does not parse");
  } else {
    std::string hashed;
    for (const auto& h : sod->lds.hashes)
      hashed += (hashed.empty() ? "DG" : ", DG") + std::to_string(h.number);
    rep.pass("sod.parse", "EF.SOD present and well formed",
             std::string(crypto::hash_name(sod->lds.hash_alg)) + " over " + hashed);
    // Data group hashes (9303-11 §5.1 step 3).
    for (const auto& h : sod->lds.hashes) {
      const int n = h.number;
      if (const Bytes* b = doc.dg(n)) {
        if (crypto::hash(sod->lds.hash_alg, *b) == h.hash)
          rep.pass(dg_id(n), dg_desc(n));
        else
          rep.fail(dg_id(n), dg_desc(n), "hash differs: the data group was altered");
      } else if (!o.report_unread_groups) {
        continue;
      } else if (auto it = doc.unreadable.find(n); it != doc.unreadable.end()) {
        rep.not_performed(dg_id(n), dg_desc(n), it->second.message);
      } else {
        rep.not_performed(dg_id(n), dg_desc(n), "not read");
      }
    }
    for (const auto& [n, b] : doc.dgs)
      if (!sod->lds.hash_of(n))
        rep.fail(dg_id(n), dg_desc(n), "DG" + std::to_string(n) + " is not listed in EF.SOD");
    // Signature (9303-11 §5.1 steps 1–2).
    const crypto::Certificate* ds = sod->ds_certificate();
    if (!ds) {
      rep.not_performed("sod.signature", "EF.SOD signature verifies with the DS certificate",
                        "EF.SOD does not embed its DS certificate");
      rep.not_performed("ds.chain", "DS certificate signed by a trusted CSCA", "no DS certificate");
    } else {
      Status sig = verify_signer(sod->signed_data, *sod->signer(), ds->public_key());
      if (sig)
        rep.pass("sod.signature", "EF.SOD signature verifies with the DS certificate",
                 ds->subject().to_string());
      else if (sig.error().code == ErrorCode::VerificationFailed)
        rep.fail("sod.signature", "EF.SOD signature verifies with the DS certificate", sig.error().message);
      else
        rep.not_performed("sod.signature", "EF.SOD signature verifies with the DS certificate",
                          sig.error().to_string());
      check_ds(rep, *sod, *ds, mrz, o, now);
    }
  }

  if (mrz) check_consistency(rep, *mrz, doc);
  if (!rep.find("chip_authentication"))
    rep.not_performed("chip_authentication", "Chip Authentication proves the chip is genuine",
                      doc.has(14) ? "not run" : "DG14 not read");
  if (!rep.find("active_authentication"))
    rep.not_performed(
        "active_authentication", "Active Authentication proves the chip is genuine",
        doc.has(15) ? "not run" : "no DG15: the document does not support Active Authentication");
  return rep;
}

}  // namespace dnie::icao
