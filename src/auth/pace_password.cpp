// SPDX-License-Identifier: Apache-2.0
// PACE passwords (ICAO 9303-11 §9.7.2-9.7.3), MRZ check digits (ICAO 9303-3 §4.9) and the KDF
// (ICAO 9303-11 §9.7.1).
#include <string>

#include "dnie/auth/pace.hpp"
#include "dnie/crypto/hash.hpp"

#include "crypto/cipher.hpp"

namespace dnie::auth {

namespace {

Error invalid(std::string msg) { return make_error(ErrorCode::InvalidArgument, std::move(msg)); }

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

Result<PacePassword> digits_password(PasswordType t, std::string_view digits, std::size_t min_len,
                                     std::size_t max_len) {
  if (digits.size() < min_len || digits.size() > max_len || !all_digits(digits)) {
    std::string what(password_type_name(t));
    if (min_len == max_len) return invalid(what + " must be " + std::to_string(min_len) + " digits");
    return invalid(what + " must be " + std::to_string(min_len) + " to " + std::to_string(max_len) +
                   " digits");
  }
  return PacePassword::raw(t, SecureBuffer::from_string(digits));
}

/// Upper-cases an MRZ field into `out`; InvalidArgument for characters outside 0-9 A-Z '<'.
Status normalise_field(std::string_view in, std::string& out, std::string_view what) {
  out.clear();
  for (char c : in) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '<'))
      return invalid(std::string(what) + ": invalid MRZ character");
    out.push_back(c);
  }
  return ok_status();
}

Status check_date(std::string_view d, std::string_view what) {
  if (d.size() != 6 || !all_digits(d)) return invalid(std::string(what) + " must be YYMMDD");
  return ok_status();
}

void wipe_string(std::string& s) {
  if (!s.empty()) secure_wipe(&s[0], s.size());  // a caller's std::string: no wiping allocator
  s.clear();
}

}  // namespace

std::string_view password_type_name(PasswordType t) noexcept {
  switch (t) {
    case PasswordType::Mrz:
      return "MRZ";
    case PasswordType::Can:
      return "CAN";
    case PasswordType::Pin:
      return "PIN";
    case PasswordType::Puk:
      return "PUK";
  }
  return "password";
}

Result<char> mrz_check_digit(std::string_view field) {
  static const int kWeights[3] = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    int v = 0;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'A' && c <= 'Z')
      v = c - 'A' + 10;
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 10;
    else if (c == '<')
      v = 0;
    else
      return invalid("invalid MRZ character");
    sum += v * kWeights[i % 3];
  }
  return static_cast<char>('0' + sum % 10);
}

Result<SecureBuffer> mrz_information(std::string_view document_number, std::string_view date_of_birth,
                                     std::string_view date_of_expiry) {
  std::string doc;
  DNIE_TRY(normalise_field(document_number, doc, "document number"));
  // Trailing fillers are not part of the number; short numbers are padded to the 9-character field.
  while (!doc.empty() && doc.back() == '<') doc.pop_back();
  if (doc.empty()) return invalid("document number is empty");
  if (doc.size() < 9) doc.append(9 - doc.size(), '<');
  DNIE_TRY(check_date(date_of_birth, "date of birth"));
  DNIE_TRY(check_date(date_of_expiry, "date of expiry"));
  std::string info;
  info.reserve(doc.size() + 15);
  auto add = [&info](std::string_view f) -> Status {
    DNIE_ASSIGN_OR_RETURN(char cd, mrz_check_digit(f));
    info.append(f.data(), f.size());
    info.push_back(cd);
    return ok_status();
  };
  Status st = add(doc);
  if (st) st = add(date_of_birth);
  if (st) st = add(date_of_expiry);
  SecureBuffer out = st ? SecureBuffer::from_string(info) : SecureBuffer();
  wipe_string(info);
  wipe_string(doc);
  if (!st) return std::move(st).error();
  return out;
}

Result<SecureBuffer> mrz_information_checked(std::string_view document_number, char document_number_cd,
                                             std::string_view date_of_birth, char date_of_birth_cd,
                                             std::string_view date_of_expiry, char date_of_expiry_cd) {
  DNIE_ASSIGN_OR_RETURN(SecureBuffer info, mrz_information(document_number, date_of_birth, date_of_expiry));
  // info = doc ‖ cd ‖ dob(6) ‖ cd ‖ doe(6) ‖ cd
  const std::size_t n = info.size();
  const char doc_cd = static_cast<char>(info[n - 15]);
  const char dob_cd = static_cast<char>(info[n - 8]);
  const char doe_cd = static_cast<char>(info[n - 1]);
  if (doc_cd != document_number_cd) return invalid("the document number check digit does not match");
  if (dob_cd != date_of_birth_cd) return invalid("the date of birth check digit does not match");
  if (doe_cd != date_of_expiry_cd) return invalid("the date of expiry check digit does not match");
  return info;
}

Result<PacePassword> PacePassword::can(std::string_view digits) {
  return digits_password(PasswordType::Can, digits, 6, 6);
}

Result<PacePassword> PacePassword::pin(std::string_view digits) {
  return digits_password(PasswordType::Pin, digits, 4, 12);
}

Result<PacePassword> PacePassword::puk(std::string_view digits) {
  return digits_password(PasswordType::Puk, digits, 4, 12);
}

Result<PacePassword> PacePassword::mrz(std::string_view document_number, std::string_view date_of_birth,
                                       std::string_view date_of_expiry) {
  DNIE_ASSIGN_OR_RETURN(SecureBuffer info, mrz_information(document_number, date_of_birth, date_of_expiry));
  return raw(PasswordType::Mrz, crypto::hash_secret(crypto::HashAlg::Sha1, info.view()));
}

Result<PacePassword> PacePassword::from_mrz_information(std::string_view mrz_information_text) {
  // doc (9 or more) ‖ cd ‖ dob ‖ cd ‖ doe ‖ cd
  const std::size_t n = mrz_information_text.size();
  if (n < 24) return invalid("MRZ information must be at least 24 characters");
  std::string_view doc = mrz_information_text.substr(0, n - 15);
  DNIE_ASSIGN_OR_RETURN(
      SecureBuffer info,
      mrz_information_checked(doc, mrz_information_text[n - 15], mrz_information_text.substr(n - 14, 6),
                              mrz_information_text[n - 8], mrz_information_text.substr(n - 7, 6),
                              mrz_information_text[n - 1]));
  return raw(PasswordType::Mrz, crypto::hash_secret(crypto::HashAlg::Sha1, info.view()));
}

PacePassword PacePassword::raw(PasswordType type, SecureBuffer pi) {
  return PacePassword(type, std::move(pi));
}

Result<SecureBuffer> pace_kdf(ByteView shared_secret, std::uint32_t counter, SymCipher cipher) {
  // ICAO 9303-11 §9.7.1: K = H(K_shared ‖ c)[0 .. key size), c a 32-bit big-endian counter.
  const SecureBuffer in = SecureBuffer::concat({shared_secret, be_bytes(counter, 4)});
  SecureBuffer digest = crypto::hash_secret(cipher_kdf_hash(cipher), in.view());
  const std::size_t len = cipher_key_size(cipher);
  if (digest.size() < len) return make_error(ErrorCode::CryptoError, "KDF digest too short");
  digest.truncate(len);
  if (cipher == SymCipher::Des3) crypto::adjust_des_parity(digest);
  return digest;
}

Result<SecureBuffer> derive_k_pi(const PacePassword& password, SymCipher cipher) {
  if (password.secret().empty()) return invalid("empty PACE password");
  return pace_kdf(password.secret().view(), 3, cipher);
}

}  // namespace dnie::auth
