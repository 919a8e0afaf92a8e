// SPDX-License-Identifier: Apache-2.0
// Detached CAdES-BES through OpenSSL's CMS API with an external signer (dnie/crypto/cades.hpp).
// CMS_add1_signer(CMS_PARTIAL | CMS_CADES) is given the certificate's public key only: with
// CMS_PARTIAL it signs nothing, and CMS_CADES adds the ESS signing-certificate-v2 attribute
// (ETSI EN 319 122-1 §5.2.2.3). The external signature then goes into the SignerInfo with
// CMS_SignerInfo_get0_signature() — the API OpenSSL documents for signers it does not drive.
#include "dnie/crypto/cades.hpp"

#include <algorithm>
#include <ctime>
#include <openssl/ess.h>
#include <openssl/objects.h>

#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/rsa.hpp"

#include "crypto/ossl.hpp"

namespace dnie::crypto {

using namespace ossl;

namespace {

Result<Certificate> from_x509(X509* x) {
  const Bytes der = der_of<X509>(x, i2d_X509);
  if (der.empty()) return Error(ErrorCode::CryptoError, "OpenSSL: cannot encode a certificate");
  return Certificate::parse(der);
}

bool is_cades_hash(HashAlg h) { return h == HashAlg::Sha256 || h == HashAlg::Sha384 || h == HashAlg::Sha512; }

}  // namespace

// ---- CadesBuilder -------------------------------------------------------------------------

struct CadesBuilder::Impl {
  CmsPtr cms;
  CMS_SignerInfo* si = nullptr;  // owned by cms
  Certificate signer;
  HashAlg hash = HashAlg::Sha256;
  Bytes signed_attrs;
  bool finished = false;
  explicit Impl(Certificate s) : signer(std::move(s)) {}
};

CadesBuilder::CadesBuilder(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
CadesBuilder::CadesBuilder(CadesBuilder&&) noexcept = default;
CadesBuilder& CadesBuilder::operator=(CadesBuilder&&) noexcept = default;
CadesBuilder::~CadesBuilder() = default;
HashAlg CadesBuilder::hash() const noexcept { return m_impl->hash; }
const Bytes& CadesBuilder::signed_attributes() const noexcept { return m_impl->signed_attrs; }
Bytes CadesBuilder::signed_attributes_digest() const {
  return crypto::hash(m_impl->hash, m_impl->signed_attrs);
}

Result<CadesBuilder> CadesBuilder::prepare(const CadesRequest& req) {
  if (!is_cades_hash(req.hash))
    return Error(ErrorCode::InvalidArgument, "CAdES signatures use SHA-256, SHA-384 or SHA-512");
  if (req.content_digest.size() != hash_size(req.hash))
    return Error(ErrorCode::InvalidArgument,
                 "the content digest does not have the size of " + std::string(hash_name(req.hash)));
  if (!req.signer.public_key().is_rsa())
    return Error(ErrorCode::Unsupported, "only RSA signer certificates are supported");
  ErrorMark mark;
  auto impl = std::make_unique<Impl>(req.signer);
  impl->hash = req.hash;
  X509Ptr xs = to_x509(req.signer);
  if (!xs) return Error(ErrorCode::MalformedData, "OpenSSL does not accept the signer certificate");
  PkeyPtr pub(X509_get_pubkey(xs.get()));
  if (!pub) return Error(ErrorCode::MalformedData, "OpenSSL cannot read the signer's public key");
  impl->cms.reset(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY));
  if (!impl->cms) return Error(ErrorCode::CryptoError, "OpenSSL: CMS_sign failed");
  impl->si = CMS_add1_signer(impl->cms.get(), xs.get(), pub.get(), md_of(req.hash),
                             CMS_PARTIAL | CMS_CADES | CMS_NOSMIMECAP | CMS_BINARY);
  if (impl->si == nullptr) return Error(ErrorCode::CryptoError, "OpenSSL: CMS_add1_signer failed");
  for (const auto& c : req.chain) {
    if (c.der() == req.signer.der()) continue;
    X509Ptr x = to_x509(c);
    if (!x || CMS_add1_cert(impl->cms.get(), x.get()) <= 0)
      return Error(ErrorCode::CryptoError, "OpenSSL: cannot add the certificate " + c.subject().to_string());
  }
  // RFC 5652 §11.1–§11.3: contentType, messageDigest, signingTime (UTCTime up to 2049).
  const std::int64_t t =
      req.signing_time != 0 ? req.signing_time : static_cast<std::int64_t>(std::time(nullptr));
  std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME, ASN1_TIME_free>> when(
      ASN1_TIME_set(nullptr, static_cast<time_t>(t)));
  if (!when ||
      CMS_signed_add1_attr_by_NID(impl->si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data),
                                  -1) != 1 ||
      CMS_signed_add1_attr_by_NID(impl->si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                  req.content_digest.data(),
                                  static_cast<int>(req.content_digest.size())) != 1 ||
      CMS_signed_add1_attr_by_NID(impl->si, NID_pkcs9_signingTime, ASN1_STRING_type(when.get()), when.get(),
                                  -1) != 1)
    return Error(ErrorCode::CryptoError, "OpenSSL: cannot add the signed attributes");
  if (CMS_signed_get_attr_by_NID(impl->si, NID_id_smime_aa_signingCertificateV2, -1) < 0)
    return Error(ErrorCode::CryptoError, "OpenSSL did not add the ESS signing-certificate-v2 attribute");
  // RFC 5652 §5.4: the signature covers DER(SET OF Attribute), sorted (X.690 §11.6).
  std::vector<Bytes> attrs;
  for (int i = 0; i < CMS_signed_get_attr_count(impl->si); ++i) {
    Bytes a = der_of<X509_ATTRIBUTE>(CMS_signed_get_attr(impl->si, i), i2d_X509_ATTRIBUTE);
    if (a.empty()) return Error(ErrorCode::CryptoError, "OpenSSL: cannot encode a signed attribute");
    attrs.push_back(std::move(a));
  }
  std::sort(attrs.begin(), attrs.end());
  Bytes body;
  for (const auto& a : attrs) append(body, a);
  impl->signed_attrs = tlv::encode(0x31, body);
  return CadesBuilder(std::move(impl));
}

Result<Bytes> CadesBuilder::finish(ByteView signature) {
  Impl& m = *m_impl;
  if (m.finished) return Error(ErrorCode::InvalidState, "the CAdES signature was already finished");
  const RsaPublicKey* rsa = m.signer.public_key().rsa();
  if (rsa == nullptr) return Error(ErrorCode::Unsupported, "only RSA signer certificates are supported");
  if (Status st = rsa->verify_pkcs1_v15(m.hash, signed_attributes_digest(), signature); !st)
    return Error(ErrorCode::VerificationFailed,
                 "the signature over the signed attributes does not verify with the signer's key: " +
                     st.error().message);
  ErrorMark mark;
  ASN1_OCTET_STRING* os = CMS_SignerInfo_get0_signature(m.si);
  if (os == nullptr || ASN1_STRING_set(os, signature.data(), static_cast<int>(signature.size())) != 1)
    return Error(ErrorCode::CryptoError, "OpenSSL: cannot set the signature value");
  Bytes out = der_of<CMS_ContentInfo>(m.cms.get(), i2d_CMS_ContentInfo);
  if (out.empty()) return Error(ErrorCode::CryptoError, "OpenSSL: cannot encode the SignedData");
  m.finished = true;
  // The encoder re-sorts the attributes itself: prove it signed what we hashed.
  DNIE_ASSIGN_OR_RETURN(auto check, CmsSignature::parse(out));
  const CmsSignature::Checks c = check.verify({});
  if (!c.signature || c.signing_certificate != true)
    return Error(ErrorCode::InternalError, "the encoded CAdES signature does not verify: " + c.problem);
  return out;
}

// ---- CmsSignature --------------------------------------------------------------------------

struct CmsSignature::Impl {
  CmsPtr cms;
  CMS_SignerInfo* si = nullptr;  // owned by cms
  X509Ptr signer_x509;
  Certificate signer;
  std::vector<Certificate> certs;
  HashAlg digest = HashAlg::Sha256;
  bool detached = true;
  std::optional<std::int64_t> signing_time;
  bool ess = false;
  explicit Impl(Certificate s) : signer(std::move(s)) {}
};

CmsSignature::CmsSignature(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
CmsSignature::CmsSignature(CmsSignature&&) noexcept = default;
CmsSignature& CmsSignature::operator=(CmsSignature&&) noexcept = default;
CmsSignature::~CmsSignature() = default;
const Certificate& CmsSignature::signer() const noexcept { return m_impl->signer; }
const std::vector<Certificate>& CmsSignature::certificates() const noexcept { return m_impl->certs; }
HashAlg CmsSignature::digest_algorithm() const noexcept { return m_impl->digest; }
bool CmsSignature::detached() const noexcept { return m_impl->detached; }
std::optional<std::int64_t> CmsSignature::signing_time() const noexcept { return m_impl->signing_time; }
bool CmsSignature::has_signing_certificate_attribute() const noexcept { return m_impl->ess; }

Result<CmsSignature> CmsSignature::parse(ByteView data, const std::vector<Certificate>& extra_certs) {
  ErrorMark mark;
  Bytes der = pem_or_der(data, "CMS");
  if (der.empty()) der = pem_or_der(data, "PKCS7");
  const unsigned char* p = der.data();
  CmsPtr cms(der.empty() ? nullptr : d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms || p != der.data() + der.size())
    return Error(ErrorCode::MalformedData, "the CMS signature does not parse");
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
    return Error(ErrorCode::MalformedData, "the CMS ContentInfo is not a SignedData");
  STACK_OF(CMS_SignerInfo)* sis = CMS_get0_SignerInfos(cms.get());
  if (sk_CMS_SignerInfo_num(sis) != 1)
    return Error(ErrorCode::Unsupported, "the SignedData has " + std::to_string(sk_CMS_SignerInfo_num(sis)) +
                                             " signers; one is supported");
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(sis, 0);
  if (CMS_signed_get_attr_count(si) <= 0)
    return Error(ErrorCode::Unsupported, "the SignerInfo has no signed attributes (not CAdES)");
  X509StackPtr certs(CMS_get1_certs(cms.get()));
  std::vector<X509Ptr> pool;
  for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
    X509* x = sk_X509_value(certs.get(), i);
    if (X509_up_ref(x) == 1) pool.emplace_back(x);
  }
  const std::size_t embedded = pool.size();
  for (const auto& c : extra_certs)
    if (X509Ptr x = to_x509(c)) pool.push_back(std::move(x));
  X509* signer = nullptr;
  std::size_t signer_idx = 0;
  for (std::size_t i = 0; i < pool.size() && signer == nullptr; ++i)
    if (CMS_SignerInfo_cert_cmp(si, pool[i].get()) == 0) {
      signer = pool[i].get();
      signer_idx = i;
    }
  if (signer == nullptr)
    return Error(ErrorCode::NotFound, "the signer's certificate is not in the signature");
  DNIE_ASSIGN_OR_RETURN(Certificate signer_cert, from_x509(signer));
  auto impl = std::make_unique<Impl>(std::move(signer_cert));
  for (std::size_t i = 0; i < embedded; ++i)
    if (auto c = from_x509(pool[i].get())) impl->certs.push_back(std::move(c).value());
  CMS_SignerInfo_set1_signer_cert(si, signer);
  impl->signer_x509 = std::move(pool[signer_idx]);
  X509_ALGOR* dig = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, nullptr);
  const ASN1_OBJECT* dig_obj = nullptr;
  if (dig != nullptr) X509_ALGOR_get0(&dig_obj, nullptr, nullptr, dig);
  auto h = hash_of(dig_obj);
  if (!h) return Error(ErrorCode::Unsupported, "the signature's digest algorithm is not supported");
  impl->digest = *h;
  ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
  impl->detached = content == nullptr || *content == nullptr;
  const int ti = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
  if (ti >= 0) {
    ASN1_TYPE* v = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, ti), 0);
    if (v != nullptr && (v->type == V_ASN1_UTCTIME || v->type == V_ASN1_GENERALIZEDTIME))
      impl->signing_time = unix_time(v->value.asn1_string);
  }
  impl->ess = CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0 ||
              CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificate, -1) >= 0;
  impl->si = si;
  impl->cms = std::move(cms);
  return CmsSignature(std::move(impl));
}

CmsSignature::Checks CmsSignature::verify(ByteView content_digest) const {
  ErrorMark mark;
  Impl& m = *m_impl;
  Checks c;
  auto problem = [&c](const std::string& s) { c.problem += (c.problem.empty() ? "" : "; ") + s; };
  Bytes expected = content_digest.to_bytes();
  if (expected.empty() && !m.detached) {
    ASN1_OCTET_STRING** content = CMS_get0_content(m.cms.get());
    expected = crypto::hash(m.digest, ByteView(ASN1_STRING_get0_data(*content),
                                               static_cast<std::size_t>(ASN1_STRING_length(*content))));
  }
  // RFC 5652 §11.2: messageDigest is the digest of the content.
  auto* md = static_cast<ASN1_OCTET_STRING*>(
      CMS_signed_get0_data_by_OBJ(m.si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  if (md == nullptr) {
    problem("no messageDigest attribute");
  } else if (expected.empty()) {
    problem("no content digest to compare the messageDigest with (detached signature)");
  } else {
    const ByteView got(ASN1_STRING_get0_data(md), static_cast<std::size_t>(ASN1_STRING_length(md)));
    c.message_digest = got == ByteView(expected);
    if (!c.message_digest) problem("the messageDigest attribute is not the digest of this content");
  }
  // §5.6: the signature over DER(signedAttrs), with the signer certificate's key.
  c.signature = CMS_SignerInfo_verify(m.si) == 1;
  if (!c.signature) problem("the signature over the signed attributes does not verify with the signer's key");
  // RFC 5035 §3 / RFC 2634 §5.4: the signing-certificate attribute binds the certificate.
  if (m.ess) {
    ESS_SIGNING_CERT* v1 = nullptr;
    ESS_SIGNING_CERT_V2* v2 = nullptr;
    if (auto* s = static_cast<ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(
            m.si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE))) {
      const unsigned char* p = ASN1_STRING_get0_data(s);
      v2 = d2i_ESS_SIGNING_CERT_V2(nullptr, &p, ASN1_STRING_length(s));
    }
    if (auto* s = static_cast<ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(
            m.si, OBJ_nid2obj(NID_id_smime_aa_signingCertificate), -3, V_ASN1_SEQUENCE))) {
      const unsigned char* p = ASN1_STRING_get0_data(s);
      v1 = d2i_ESS_SIGNING_CERT(nullptr, &p, ASN1_STRING_length(s));
    }
    X509StackPtr chain(sk_X509_new_null());
    bool okay = false;
    if ((v1 || v2) && chain && X509_up_ref(m.signer_x509.get()) == 1) {
      if (sk_X509_push(chain.get(), m.signer_x509.get()) > 0)
        okay = OSSL_ESS_check_signing_certs(v1, v2, chain.get(), 1) == 1;
      else
        X509_free(m.signer_x509.get());
    }
    ESS_SIGNING_CERT_free(v1);
    ESS_SIGNING_CERT_V2_free(v2);
    c.signing_certificate = okay;
    if (!okay) problem("the ESS signing-certificate attribute does not name the signer's certificate");
  }
  return c;
}

}  // namespace dnie::crypto
