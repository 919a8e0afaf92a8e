// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/cipher.cpp
// AES (FIPS 197) ECB/CBC, DES and 3DES (SP 800-67) ECB/CBC, AES-CMAC (SP 800-38B),
// ISO/IEC 9797-1 padding method 2 and MAC algorithm 3. All mbedTLS contexts are freed (and
// so zeroized) on every path; intermediate MAC state is wiped.
#include "crypto/cipher.hpp"

#include <array>

#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <mbedtls/des.h>

#include "internal.hpp"

namespace dnie::crypto {

using detail::backend_error;
using detail::invalid;

namespace {

struct Aes {
  mbedtls_aes_context ctx;
  Aes() noexcept { mbedtls_aes_init(&ctx); }
  ~Aes() { mbedtls_aes_free(&ctx); }
};
struct Des {
  mbedtls_des_context ctx;
  Des() noexcept { mbedtls_des_init(&ctx); }
  ~Des() { mbedtls_des_free(&ctx); }
};
struct Des3 {
  mbedtls_des3_context ctx;
  Des3() noexcept { mbedtls_des3_init(&ctx); }
  ~Des3() { mbedtls_des3_free(&ctx); }
};

Status check_aes(ByteView key, ByteView data) {
  if (key.size() != 16 && key.size() != 24 && key.size() != 32)
    return invalid("AES key must be 16, 24 or 32 bytes");
  if (data.size() % 16) return invalid("AES input must be a multiple of 16 bytes");
  return ok_status();
}

unsigned key_bits(ByteView key) { return static_cast<unsigned>(key.size() * 8); }

Result<SecureBuffer> aes_ecb(ByteView key, ByteView data, bool enc) {
  DNIE_TRY(check_aes(key, data));
  Aes aes;
  int rc = enc ? mbedtls_aes_setkey_enc(&aes.ctx, key.data(), key_bits(key))
               : mbedtls_aes_setkey_dec(&aes.ctx, key.data(), key_bits(key));
  if (rc) return backend_error("AES key setup", rc);
  SecureBuffer out(data.size());
  for (std::size_t i = 0; i < data.size(); i += 16) {
    rc = mbedtls_aes_crypt_ecb(&aes.ctx, enc ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT, data.data() + i,
                               out.data() + i);
    if (rc) return backend_error("AES-ECB", rc);
  }
  return out;
}

Result<SecureBuffer> aes_cbc(ByteView key, ByteView iv, ByteView data, bool enc) {
  DNIE_TRY(check_aes(key, data));
  if (iv.size() != 16) return invalid("AES-CBC IV must be 16 bytes");
  Aes aes;
  int rc = enc ? mbedtls_aes_setkey_enc(&aes.ctx, key.data(), key_bits(key))
               : mbedtls_aes_setkey_dec(&aes.ctx, key.data(), key_bits(key));
  if (rc) return backend_error("AES key setup", rc);
  std::array<std::uint8_t, 16> ivb{};
  std::copy(iv.begin(), iv.end(), ivb.begin());
  SecureBuffer out(data.size());
  rc = mbedtls_aes_crypt_cbc(&aes.ctx, enc ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT, data.size(),
                             ivb.data(), data.data(), out.data());
  if (rc) return backend_error("AES-CBC", rc);
  return out;
}

Result<SecureBuffer> des3_cbc(ByteView key, ByteView iv, ByteView data, bool enc) {
  if (key.size() != 16 && key.size() != 24) return invalid("3DES key must be 16 or 24 bytes");
  if (iv.size() != 8) return invalid("3DES-CBC IV must be 8 bytes");
  if (data.size() % 8) return invalid("3DES input must be a multiple of 8 bytes");
  Des3 des;
  int rc;
  if (key.size() == 16)
    rc =
        enc ? mbedtls_des3_set2key_enc(&des.ctx, key.data()) : mbedtls_des3_set2key_dec(&des.ctx, key.data());
  else
    rc =
        enc ? mbedtls_des3_set3key_enc(&des.ctx, key.data()) : mbedtls_des3_set3key_dec(&des.ctx, key.data());
  if (rc) return backend_error("3DES key setup", rc);
  std::array<std::uint8_t, 8> ivb{};
  std::copy(iv.begin(), iv.end(), ivb.begin());
  SecureBuffer out(data.size());
  rc = mbedtls_des3_crypt_cbc(&des.ctx, enc ? MBEDTLS_DES_ENCRYPT : MBEDTLS_DES_DECRYPT, data.size(),
                              ivb.data(), data.data(), out.data());
  if (rc) return backend_error("3DES-CBC", rc);
  return out;
}

}  // namespace

Result<Bytes> aes_ecb_encrypt(ByteView key, ByteView data) {
  return detail::public_value(aes_ecb(key, data, true));
}
Result<SecureBuffer> aes_ecb_decrypt(ByteView key, ByteView data) { return aes_ecb(key, data, false); }
Result<Bytes> aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data) {
  return detail::public_value(aes_cbc(key, iv, data, true));
}
Result<SecureBuffer> aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data) {
  return aes_cbc(key, iv, data, false);
}
Result<Bytes> des3_cbc_encrypt(ByteView key, ByteView iv, ByteView data) {
  return detail::public_value(des3_cbc(key, iv, data, true));
}
Result<SecureBuffer> des3_cbc_decrypt(ByteView key, ByteView iv, ByteView data) {
  return des3_cbc(key, iv, data, false);
}
Result<SecureBuffer> aes_cbc_encrypt_secret(ByteView key, ByteView iv, ByteView data) {
  return aes_cbc(key, iv, data, true);
}
Result<SecureBuffer> des3_cbc_encrypt_secret(ByteView key, ByteView iv, ByteView data) {
  return des3_cbc(key, iv, data, true);
}

Result<Bytes> des_ecb_encrypt(ByteView key8, ByteView data) {
  if (key8.size() != 8) return invalid("DES key must be 8 bytes");
  if (data.size() % 8) return invalid("DES input must be a multiple of 8 bytes");
  Des des;
  int rc = mbedtls_des_setkey_enc(&des.ctx, key8.data());
  if (rc) return backend_error("DES key setup", rc);
  Bytes out(data.size());
  for (std::size_t i = 0; i < data.size(); i += 8) {
    rc = mbedtls_des_crypt_ecb(&des.ctx, data.data() + i, out.data() + i);
    if (rc) return backend_error("DES-ECB", rc);
  }
  return out;
}

// SP 800-38B §6.2 (MAC generation) via the mbedTLS cipher CMAC API.
Result<Bytes> aes_cmac(ByteView key, ByteView data) {
  mbedtls_cipher_type_t type;
  switch (key.size()) {
    case 16:
      type = MBEDTLS_CIPHER_AES_128_ECB;
      break;
    case 24:
      type = MBEDTLS_CIPHER_AES_192_ECB;
      break;
    case 32:
      type = MBEDTLS_CIPHER_AES_256_ECB;
      break;
    default:
      return invalid("AES-CMAC key must be 16, 24 or 32 bytes");
  }
  const mbedtls_cipher_info_t* info = mbedtls_cipher_info_from_type(type);
  if (info == nullptr) return detail::unsupported("AES cipher not available in mbedTLS");
  Bytes out(16);
  static const unsigned char kEmpty = 0;  // mbedTLS rejects a NULL input even when empty
  const unsigned char* in = data.empty() ? &kEmpty : data.data();
  int rc = mbedtls_cipher_cmac(info, key.data(), key.size() * 8, in, data.size(), out.data());
  if (rc) return backend_error("AES-CMAC", rc);
  return out;
}

// ISO/IEC 9797-1 §7.1.2 MAC algorithm 3 (output transformation 3): DES-CBC with K1 over all
// blocks (IV 0), then G = e_K1(d_K2(H_q)).
Result<Bytes> retail_mac(ByteView key16, ByteView data) {
  if (key16.size() != 16) return invalid("retail MAC key must be 16 bytes");
  if (data.size() % 8) return invalid("retail MAC input must be padded to 8 bytes");
  Des k1, k2;
  int rc = mbedtls_des_setkey_enc(&k1.ctx, key16.data());
  if (rc == 0) rc = mbedtls_des_setkey_dec(&k2.ctx, key16.data() + 8);
  if (rc) return backend_error("DES key setup", rc);
  std::array<std::uint8_t, 8> h{};
  for (std::size_t i = 0; i < data.size(); i += 8) {
    for (std::size_t j = 0; j < 8; ++j) h[j] = static_cast<std::uint8_t>(h[j] ^ data[i + j]);
    if ((rc = mbedtls_des_crypt_ecb(&k1.ctx, h.data(), h.data())) != 0) break;
  }
  if (rc == 0) rc = mbedtls_des_crypt_ecb(&k2.ctx, h.data(), h.data());
  if (rc == 0) rc = mbedtls_des_crypt_ecb(&k1.ctx, h.data(), h.data());
  Bytes out(h.begin(), h.end());
  mbedtls_platform_zeroize(h.data(), h.size());
  if (rc) return backend_error("retail MAC", rc);
  return out;
}

// ISO/IEC 9797-1 §6.1.2 padding method 2.
Bytes pad_iso9797_m2(ByteView data, std::size_t block) {
  return pad_iso9797_m2_secret(data, block).view().to_bytes();
}

SecureBuffer pad_iso9797_m2_secret(ByteView data, std::size_t block) {
  const std::size_t n = block == 0 ? data.size() + 1 : (data.size() / block + 1) * block;
  SecureBuffer out(n);  // one allocation: zeros after the 80 marker
  std::copy(data.begin(), data.end(), out.data());
  out[data.size()] = 0x80;
  return out;
}

namespace {
Result<std::size_t> unpadded_length(ByteView data) {
  std::size_t i = data.size();
  while (i > 0 && data[i - 1] == 0x00) --i;
  if (i == 0 || data[i - 1] != 0x80) return detail::malformed("ISO/IEC 9797-1 method 2 padding missing");
  return i - 1;
}
}  // namespace

Result<Bytes> unpad_iso9797_m2(ByteView data) {
  DNIE_ASSIGN_OR_RETURN(std::size_t n, unpadded_length(data));
  return data.first(n).to_bytes();
}

Result<SecureBuffer> unpad_iso9797_m2_secret(ByteView data) {
  DNIE_ASSIGN_OR_RETURN(std::size_t n, unpadded_length(data));
  return SecureBuffer(data.first(n));
}

// FIPS 46-3: each DES key byte has odd parity in its least significant bit.
void adjust_des_parity(std::uint8_t* key, std::size_t n) noexcept {
  for (std::size_t k = 0; k < n; ++k) {
    std::uint8_t& b = key[k];
    unsigned ones = 0;
    for (int i = 1; i < 8; ++i) ones += (b >> i) & 1u;
    b = static_cast<std::uint8_t>((b & 0xFE) | ((ones % 2 == 0) ? 1 : 0));
  }
}

}  // namespace dnie::crypto
