// SPDX-License-Identifier: Apache-2.0
// CRL (RFC 5280 §5, §6.3) and OCSP (RFC 6960) checks through OpenSSL (dnie/crypto/revocation.hpp).
// OpenSSL parses and verifies signatures; the decisions — which issuer, which responder is
// authorised, what is current — are made here, against the caller's clock.
#include "dnie/crypto/revocation.hpp"

#include <ctime>

#include "dnie/bytes/asn1.hpp"

#include "crypto/ossl.hpp"

namespace dnie::crypto {

namespace {

using namespace ossl;

std::string when(std::int64_t t) { return asn1::format_time(t); }

std::int64_t clock_now(const RevocationCheckOptions& o) {
  return o.now != 0 ? o.now : static_cast<std::int64_t>(std::time(nullptr));
}

RevocationResult unavailable(RevocationResult r, std::string why) {
  r.status = RevocationStatus::Unavailable;
  r.detail = std::move(why);
  return r;
}

std::string name_of(X509_NAME* n) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) return "?";
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

std::string oid_text(const ASN1_OBJECT* o) {
  char buf[80];
  return OBJ_obj2txt(buf, sizeof buf, o, 1) > 0 ? std::string(buf) : std::string("?");
}

std::string reason_suffix(const RevocationResult& r) {
  return r.revocation_reason.empty() ? std::string() : ", reason " + r.revocation_reason;
}

// RFC 5280 §5.3.1 reasonCode of a CRL entry or an OCSP RevokedInfo (-1: absent).
void set_reason(RevocationResult& r, int code) {
  if (code >= 0) r.revocation_reason = std::string(crl_reason_name(code));
  if (code >= 0 && r.revocation_reason.empty()) r.revocation_reason = "reason code " + std::to_string(code);
}

}  // namespace

std::string_view revocation_status_name(RevocationStatus s) noexcept {
  switch (s) {
    case RevocationStatus::Good:
      return "good";
    case RevocationStatus::Revoked:
      return "revoked";
    case RevocationStatus::Unknown:
      return "unknown";
    case RevocationStatus::Unavailable:
      return "unavailable";
  }
  return "unavailable";
}

std::string_view crl_reason_name(int reason) noexcept {
  switch (reason) {
    case 0:
      return "unspecified";
    case 1:
      return "keyCompromise";
    case 2:
      return "cACompromise";
    case 3:
      return "affiliationChanged";
    case 4:
      return "superseded";
    case 5:
      return "cessationOfOperation";
    case 6:
      return "certificateHold";
    case 8:
      return "removeFromCRL";
    case 9:
      return "privilegeWithdrawn";
    case 10:
      return "aACompromise";
    default:
      return "";
  }
}

RevocationResult check_crl(ByteView data, const Certificate& cert, const Certificate& issuer,
                           const RevocationCheckOptions& o) {
  ErrorMark mark;
  RevocationResult r;
  r.source = "CRL";
  const Bytes der = pem_or_der(data, "X509 CRL");
  const unsigned char* p = der.data();
  CrlPtr crl(der.empty() ? nullptr : d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != der.data() + der.size())
    return unavailable(r, "the CRL does not parse (DER or PEM X509 CRL)");
  X509Ptr xc = to_x509(cert), xi = to_x509(issuer);
  if (!xc || !xi) return unavailable(r, "OpenSSL does not accept the certificate or its issuer");
  const std::string issuer_name = issuer.subject().to_string();
  r.responder = issuer_name;
  if (X509_NAME_cmp(X509_get_issuer_name(xc.get()), X509_get_subject_name(xi.get())) != 0)
    return unavailable(r, "the certificate was not issued by " + issuer_name);
  // RFC 5280 §6.3.3 (b), (f): the CRL is the issuer's and signed with its key.
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(xi.get())) != 0)
    return unavailable(r, "the CRL is issued by " + name_of(X509_CRL_get_issuer(crl.get())) +
                              ", not by the certificate's issuer " + issuer_name);
  int crit = -1;
  if (auto* akid = static_cast<AUTHORITY_KEYID*>(
          X509_CRL_get_ext_d2i(crl.get(), NID_authority_key_identifier, &crit, nullptr))) {
    const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(xi.get());
    const bool differs = akid->keyid && ski && ASN1_OCTET_STRING_cmp(akid->keyid, ski) != 0;
    AUTHORITY_KEYID_free(akid);
    if (differs) return unavailable(r, "the CRL's authority key identifier is not the issuer's key");
  } else if (crit >= 0) {
    return unavailable(r, "the CRL's authority key identifier does not decode");
  }
  if ((X509_get_extension_flags(xi.get()) & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(xi.get()) & KU_CRL_SIGN) == 0)
    return unavailable(r, "the issuer's keyUsage does not allow cRLSign (RFC 5280 §4.2.1.3)");
  EVP_PKEY* ikey = X509_get0_pubkey(xi.get());
  if (ikey == nullptr || X509_CRL_verify(crl.get(), ikey) != 1)
    return unavailable(r, "the CRL's signature does not verify with the key of " + issuer_name);
  // §5.2: critical extensions we do not process make the CRL unusable (delta CRLs, ...).
  for (int i = 0; i < X509_CRL_get_ext_count(crl.get()); ++i) {
    X509_EXTENSION* e = X509_CRL_get_ext(crl.get(), i);
    if (X509_EXTENSION_get_critical(e) == 0) continue;
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
    if (nid == NID_crl_number || nid == NID_authority_key_identifier || nid == NID_issuing_distribution_point)
      continue;
    return unavailable(r, "the CRL carries the critical extension " + oid_text(X509_EXTENSION_get_object(e)) +
                              ", which the SDK does not process (RFC 5280 §5.2)");
  }
  // §5.2.5: a CRL whose scope is partial does not prove an end-entity certificate good.
  crit = -1;
  if (auto* idp = static_cast<ISSUING_DIST_POINT*>(
          X509_CRL_get_ext_d2i(crl.get(), NID_issuing_distribution_point, &crit, nullptr))) {
    const char* scope = idp->onlyCA > 0        ? "covers only CA certificates"
                        : idp->onlyattr > 0    ? "covers only attribute certificates"
                        : idp->onlysomereasons ? "covers only some revocation reasons"
                        : idp->indirectCRL > 0 ? "is an indirect CRL (not supported)"
                                               : nullptr;
    ISSUING_DIST_POINT_free(idp);
    if (scope) return unavailable(r, std::string("the CRL ") + scope + " (RFC 5280 §5.2.5)");
  } else if (crit >= 0) {
    return unavailable(r, "the CRL's issuing distribution point does not decode");
  }
  r.this_update = unix_time(X509_CRL_get0_lastUpdate(crl.get()));
  r.next_update = unix_time(X509_CRL_get0_nextUpdate(crl.get()));
  // A listed serial is revoked whatever the CRL's age (§3.3: revocation is permanent).
  X509_REVOKED* rev = nullptr;
  if (X509_CRL_get0_by_serial(crl.get(), &rev, X509_get0_serialNumber(xc.get())) == 1 && rev != nullptr) {
    const STACK_OF(X509_EXTENSION)* exts = X509_REVOKED_get0_extensions(rev);
    for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
      X509_EXTENSION* e = sk_X509_EXTENSION_value(exts, i);
      const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
      if (X509_EXTENSION_get_critical(e) != 0 && nid != NID_crl_reason && nid != NID_invalidity_date)
        return unavailable(r, "a CRL entry carries the critical extension " +
                                  oid_text(X509_EXTENSION_get_object(e)) +
                                  " (indirect CRLs are not supported)");
    }
    r.status = RevocationStatus::Revoked;
    r.revocation_time = unix_time(X509_REVOKED_get0_revocationDate(rev));
    crit = -1;
    if (auto* code =
            static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, nullptr))) {
      set_reason(r, static_cast<int>(ASN1_ENUMERATED_get(code)));
      ASN1_ENUMERATED_free(code);
    }
    r.detail = "listed in the CRL of " + issuer_name + ": revoked" +
               (r.revocation_time ? " on " + when(*r.revocation_time) : std::string()) + reason_suffix(r);
    return r;
  }
  const std::int64_t now = clock_now(o);
  if (!r.this_update) return unavailable(r, "the CRL's thisUpdate does not decode");
  if (*r.this_update > now + o.clock_skew)
    return unavailable(r, "the CRL is not yet valid (thisUpdate " + when(*r.this_update) + ")");
  if (!r.next_update)
    return unavailable(r, "the CRL has no nextUpdate: it cannot show that it is current (RFC 5280 §5.1.2.5)");
  if (now > *r.next_update + o.clock_skew)
    return unavailable(
        r, "stale CRL: its nextUpdate " + when(*r.next_update) + " has passed (now " + when(now) + ")");
  r.status = RevocationStatus::Good;
  r.detail = "not listed in the CRL of " + issuer_name + ", current from " + when(*r.this_update) + " to " +
             when(*r.next_update);
  return r;
}

Result<OcspRequest> make_ocsp_request(const Certificate& cert, const Certificate& issuer, bool nonce,
                                      Rng* rng, HashAlg cert_id_hash) {
  ErrorMark mark;
  X509Ptr xc = to_x509(cert), xi = to_x509(issuer);
  if (!xc || !xi)
    return Error(ErrorCode::MalformedData, "OpenSSL does not accept the certificate or its issuer");
  OcspReqPtr req(OCSP_REQUEST_new());
  OCSP_CERTID* id = OCSP_cert_to_id(md_of(cert_id_hash), xc.get(), xi.get());
  if (!req || id == nullptr) {
    OCSP_CERTID_free(id);
    return Error(ErrorCode::CryptoError, "OpenSSL: cannot build the OCSP CertID");
  }
  if (OCSP_request_add0_id(req.get(), id) == nullptr) {
    OCSP_CERTID_free(id);
    return Error(ErrorCode::CryptoError, "OpenSSL: OCSP_request_add0_id failed");
  }
  OcspRequest out;
  if (nonce) {
    DNIE_ASSIGN_OR_RETURN(out.nonce, (rng ? *rng : system_rng()).bytes(16));
    if (OCSP_request_add1_nonce(req.get(), out.nonce.data(), static_cast<int>(out.nonce.size())) != 1)
      return Error(ErrorCode::CryptoError, "OpenSSL: OCSP_request_add1_nonce failed");
  }
  out.der = der_of<OCSP_REQUEST>(req.get(), i2d_OCSP_REQUEST);
  if (out.der.empty()) return Error(ErrorCode::CryptoError, "OpenSSL: cannot encode the OCSP request");
  return out;
}

RevocationResult check_ocsp_response(ByteView data, const Certificate& cert, const Certificate& issuer,
                                     const RevocationCheckOptions& o) {
  ErrorMark mark;
  RevocationResult r;
  r.source = "OCSP";
  const unsigned char* p = data.data();
  OcspRespPtr resp(data.empty() ? nullptr : d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(data.size())));
  if (!resp || p != data.data() + data.size()) return unavailable(r, "the OCSP response does not parse");
  const int rs = OCSP_response_status(resp.get());
  if (rs != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return unavailable(
        r, std::string("the responder answered \"") + OCSP_response_status_str(rs) + "\" (RFC 6960 §4.2.1)");
  OcspBasicPtr bs(OCSP_response_get1_basic(resp.get()));
  if (!bs) return unavailable(r, "the OCSP response is not a basic response (RFC 6960 §4.2.1)");
  X509Ptr xc = to_x509(cert), xi = to_x509(issuer);
  if (!xc || !xi) return unavailable(r, "OpenSSL does not accept the certificate or its issuer");
  const std::string issuer_name = issuer.subject().to_string();

  // The signer: named by the ResponderID, among the response's certificates or the issuer.
  X509StackPtr extra(sk_X509_new_null());
  if (!extra || X509_up_ref(xi.get()) != 1) return unavailable(r, "OpenSSL: out of memory");
  if (sk_X509_push(extra.get(), xi.get()) <= 0) {
    X509_free(xi.get());
    return unavailable(r, "OpenSSL: out of memory");
  }
  X509* signer = nullptr;
  if (OCSP_resp_get0_signer(bs.get(), &signer, extra.get()) != 1 || signer == nullptr)
    return unavailable(r, "the response's signer is neither the issuer " + issuer_name +
                              " nor a certificate included in the response");
  X509StackPtr only(sk_X509_new_null());
  if (!only || X509_up_ref(signer) != 1) return unavailable(r, "OpenSSL: out of memory");
  if (sk_X509_push(only.get(), signer) <= 0) {
    X509_free(signer);
    return unavailable(r, "OpenSSL: out of memory");
  }
  if (OCSP_basic_verify(bs.get(), only.get(), nullptr, OCSP_NOINTERN | OCSP_NOVERIFY) != 1)
    return unavailable(r, "the response's signature does not verify with the key of its signer " +
                              name_of(X509_get_subject_name(signer)));

  // RFC 6960 §4.2.2.2: the CA itself, or a responder it certified for id-kp-OCSPSigning.
  const std::int64_t now = clock_now(o);
  EVP_PKEY* ikey = X509_get0_pubkey(xi.get());
  if (ikey != nullptr && EVP_PKEY_eq(ikey, X509_get0_pubkey(signer)) == 1) {
    r.responder = "the issuing CA " + issuer_name;
  } else {
    const std::string sname = name_of(X509_get_subject_name(signer));
    if (X509_NAME_cmp(X509_get_issuer_name(signer), X509_get_subject_name(xi.get())) != 0 ||
        ikey == nullptr || X509_verify(signer, ikey) != 1)
      return unavailable(r, "the responder " + sname + " is not certified by " + issuer_name +
                                ": not authorised for its certificates (RFC 6960 §4.2.2.2)");
    if ((X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) == 0 ||
        (X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN) == 0)
      return unavailable(r, "the responder certificate " + sname +
                                " lacks id-kp-OCSPSigning: not authorised (RFC 6960 §4.2.2.2)");
    if ((X509_get_extension_flags(signer) & EXFLAG_CRITICAL) != 0)
      return unavailable(
          r, "the responder certificate " + sname + " carries an unrecognised critical extension");
    const auto nb = unix_time(X509_get0_notBefore(signer)), na = unix_time(X509_get0_notAfter(signer));
    if (!nb || !na || now + o.clock_skew < *nb || now > *na + o.clock_skew)
      return unavailable(r, "the responder certificate " + sname + " is not valid now (" + when(now) + ")");
    r.responder = "delegated responder " + sname;
    r.delegated_responder = true;
  }

  // The SingleResponse about this certificate, in whatever CertID hash the responder used.
  OCSP_SINGLERESP* single = nullptr;
  for (int i = 0; i < OCSP_resp_count(bs.get()) && single == nullptr; ++i) {
    OCSP_SINGLERESP* s = OCSP_resp_get0(bs.get(), i);
    const OCSP_CERTID* id = s ? OCSP_SINGLERESP_get0_id(s) : nullptr;
    ASN1_OBJECT* md_obj = nullptr;
    if (id == nullptr ||
        OCSP_id_get0_info(nullptr, &md_obj, nullptr, nullptr, const_cast<OCSP_CERTID*>(id)) != 1)
      continue;
    const EVP_MD* md = EVP_get_digestbyobj(md_obj);
    if (md == nullptr) continue;
    OcspIdPtr mine(OCSP_cert_to_id(md, xc.get(), xi.get()));
    if (mine && OCSP_id_cmp(mine.get(), id) == 0) single = s;
  }
  if (single == nullptr)
    return unavailable(r, "the response is about another certificate (no CertID matches)");
  int reason = -1;
  ASN1_GENERALIZEDTIME *revtime = nullptr, *thisupd = nullptr, *nextupd = nullptr;
  const int st = OCSP_single_get0_status(single, &reason, &revtime, &thisupd, &nextupd);
  r.this_update = unix_time(thisupd);
  r.next_update = unix_time(nextupd);
  r.produced_at = unix_time(OCSP_resp_get0_produced_at(bs.get()));
  if (st == V_OCSP_CERTSTATUS_REVOKED) {
    // An authorised "revoked" stays true whatever its age or nonce (RFC 5280 §3.3).
    r.status = RevocationStatus::Revoked;
    r.revocation_time = unix_time(revtime);
    set_reason(r, reason);
    r.detail = "revoked" + (r.revocation_time ? " on " + when(*r.revocation_time) : std::string()) +
               reason_suffix(r) + ", says " + r.responder;
    return r;
  }
  if (o.nonce && !o.nonce->empty()) {
    const int idx = OCSP_BASICRESP_get_ext_by_NID(bs.get(), NID_id_pkix_OCSP_Nonce, -1);
    if (idx < 0) {
      r.nonce_echoed = false;
      if (o.require_nonce)
        return unavailable(r, "the response does not carry the request's nonce (RFC 8954)");
    } else {
      const ASN1_OCTET_STRING* v = X509_EXTENSION_get_data(OCSP_BASICRESP_get_ext(bs.get(), idx));
      const ByteView got(ASN1_STRING_get0_data(v), static_cast<std::size_t>(ASN1_STRING_length(v)));
      // Nonce ::= OCTET STRING inside extnValue (RFC 8954 §2.1); some responders omit the wrapper.
      if (got != ByteView(asn1::octet_string(*o.nonce)) && got != ByteView(*o.nonce))
        return unavailable(r, "the response's nonce is not the request's: a replayed or misdirected answer");
      r.nonce_echoed = true;
    }
  }
  if (!r.this_update) return unavailable(r, "the response's thisUpdate does not decode");
  if (*r.this_update > now + o.clock_skew)
    return unavailable(r, "the response is not yet valid (thisUpdate " + when(*r.this_update) + ")");
  if (r.next_update && now > *r.next_update + o.clock_skew)
    return unavailable(
        r, "stale response: its nextUpdate " + when(*r.next_update) + " has passed (now " + when(now) + ")");
  if (!r.next_update && now > *r.this_update + o.ocsp_max_age + o.clock_skew)
    return unavailable(r, "stale response: no nextUpdate and thisUpdate " + when(*r.this_update) +
                              " is older than " + std::to_string(o.ocsp_max_age) + " s");
  const std::string span =
      "thisUpdate " + when(*r.this_update) + (r.next_update ? ", nextUpdate " + when(*r.next_update) : "");
  if (st == V_OCSP_CERTSTATUS_GOOD) {
    r.status = RevocationStatus::Good;
    r.detail = "good, says " + r.responder + " (" + span + ")";
  } else {
    r.status = RevocationStatus::Unknown;
    r.detail = "the responder " + r.responder + " does not know this certificate (\"unknown\", " + span + ")";
  }
  return r;
}

}  // namespace dnie::crypto
