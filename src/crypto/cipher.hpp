// SPDX-License-Identifier: Apache-2.0
// File: src/crypto/cipher.hpp (private to the SDK and its tests; not installed)
// Block ciphers and MACs used by BAC/PACE secure messaging and CWA-14890:
// AES (FIPS 197) ECB/CBC, two- and three-key 3DES-CBC (SP 800-67), AES-CMAC (SP 800-38B),
// ISO/IEC 9797-1 padding method 2 and MAC algorithm 3 ("retail MAC", DES based).
// No function pads implicitly: inputs must be a multiple of the block size.
// All functions are reentrant. Keys are passed as views. Every output that holds a secret
// (plaintexts, encryptions of keys) comes back in a SecureBuffer; ciphertexts and MACs are Bytes.
#pragma once

#include "dnie/bytes/secure.hpp"

namespace dnie::crypto {

Result<Bytes> aes_ecb_encrypt(ByteView key, ByteView data);
Result<SecureBuffer> aes_ecb_decrypt(ByteView key, ByteView data);
Result<Bytes> aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data);
Result<SecureBuffer> aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data);

/// 3DES in CBC mode. `key` is 16 bytes (K1 K2 K1) or 24 bytes (K1 K2 K3).
Result<Bytes> des3_cbc_encrypt(ByteView key, ByteView iv, ByteView data);
Result<SecureBuffer> des3_cbc_decrypt(ByteView key, ByteView iv, ByteView data);
/// Encryptions whose output is itself a secret (PACE-IM's pseudo-random function, ICAO 9303-11
/// §4.4.3.3.2, encrypts keys under keys).
Result<SecureBuffer> aes_cbc_encrypt_secret(ByteView key, ByteView iv, ByteView data);
Result<SecureBuffer> des3_cbc_encrypt_secret(ByteView key, ByteView iv, ByteView data);
/// Single-DES ECB on 8-byte blocks (building block of the retail MAC and of CWA-14890 tests).
Result<Bytes> des_ecb_encrypt(ByteView key8, ByteView data);

/// AES-CMAC (SP 800-38B), full 16-byte tag. Key of 16, 24 or 32 bytes.
Result<Bytes> aes_cmac(ByteView key, ByteView data);

/// ISO/IEC 9797-1 MAC algorithm 3 with DES (retail MAC), 8-byte tag, key K1‖K2 (16 bytes).
/// `data` must already be padded to a multiple of 8 bytes.
Result<Bytes> retail_mac(ByteView key16, ByteView data);

/// ISO/IEC 9797-1 padding method 2: append 0x80 then zeros up to a multiple of `block`.
Bytes pad_iso9797_m2(ByteView data, std::size_t block);
SecureBuffer pad_iso9797_m2_secret(ByteView data, std::size_t block);  ///< for plaintexts
/// Removes padding method 2; MalformedData when absent.
Result<Bytes> unpad_iso9797_m2(ByteView data);
Result<SecureBuffer> unpad_iso9797_m2_secret(ByteView data);  ///< for plaintexts

/// Sets odd parity on every byte of a DES key (ICAO 9303-11 §9.7.1.1 derives raw key bytes).
void adjust_des_parity(std::uint8_t* key, std::size_t n) noexcept;
inline void adjust_des_parity(Bytes& key) noexcept { adjust_des_parity(key.data(), key.size()); }
inline void adjust_des_parity(SecureBuffer& key) noexcept { adjust_des_parity(key.data(), key.size()); }

}  // namespace dnie::crypto
