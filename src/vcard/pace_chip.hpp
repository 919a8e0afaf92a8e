// SPDX-License-Identifier: Apache-2.0
// File: src/vcard/pace_chip.hpp (private to dnie::vcard)
// Building blocks of the chip's PACE responder and Chip Authentication (ICAO 9303-11 §4.4,
// §6.2, §9.7; BSI TR-03110-2/-3): protocol OIDs, EF.CardAccess parsing, key derivation, the
// key-agreement domain (ECDH or DH), Integrated Mapping and Chip Authentication Mapping.
// Written from the chip's perspective with the crypto façade only (no dnie::sm / dnie::auth).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dnie/bytes/secure.hpp"
#include "dnie/crypto/dh.hpp"
#include "dnie/crypto/ec.hpp"

#include "crypto/bigint.hpp"

namespace dnie::vcard {

enum class PaceMapping { Generic, Integrated, ChipAuth };
enum class SymCipher { Des3, Aes128, Aes192, Aes256 };

/// id-PACE-* / id-CA-* protocol decoded from its OID content bytes.
struct ProtocolAlg {
  bool ec = true;
  PaceMapping mapping = PaceMapping::Generic;  ///< PACE only
  SymCipher cipher = SymCipher::Aes128;
};

/// id-PACE-{DH,ECDH}-{GM,IM,CAM}-{3DES,AES128,192,256}: 0.4.0.127.0.7.2.2.4.x.y (9303-11 §9.2.1).
std::optional<ProtocolAlg> pace_alg_from_oid(ByteView oid_content);
/// id-CA-{DH,ECDH}-{3DES,AES128,192,256}: 0.4.0.127.0.7.2.2.3.x.y (9303-11 §9.2.6).
std::optional<ProtocolAlg> ca_alg_from_oid(ByteView oid_content);

/// PACEInfo ::= SEQUENCE { protocol OID, version INTEGER, parameterId INTEGER OPTIONAL }.
struct PaceInfo {
  Bytes oid;  ///< content octets
  ProtocolAlg alg;
  int version = 2;
  int param_id = -1;  ///< -1 when absent
};
/// The PACEInfos of EF.CardAccess (a SET OF SecurityInfo); other SecurityInfos are skipped.
std::vector<PaceInfo> parse_card_access(ByteView ef_card_access);

std::size_t key_length(SymCipher c) noexcept;
std::size_t block_length(SymCipher c) noexcept;
/// KDF(K, c) = H(K ‖ c) truncated (ICAO 9303-11 §9.7.1): SHA-1 for 3DES/AES-128, SHA-256 for
/// AES-192/256; 3DES keys get odd parity.
SecureBuffer kdf(ByteView secret, std::uint32_t counter, SymCipher c);
/// CBC with a zero IV, no padding (nonce encryption, IM pseudo-random function).
Result<SecureBuffer> cbc_encrypt0(SymCipher c, ByteView key, ByteView data);  ///< IV 0
/// CBC encryption with an explicit IV (CAM data) — no padding.
Result<Bytes> cbc_encrypt(SymCipher c, ByteView key, ByteView iv, ByteView data);
/// Authentication-token MAC: AES-CMAC/8 or retail MAC over the padded input (9303-11 §4.4.3.4).
Result<Bytes> token_mac(SymCipher c, ByteView k_mac, ByteView input);
/// 7F49 { 06 OID, 86 point | 84 y } (9303-11 §4.4.3.4, §9.4).
Bytes token_input(ByteView oid_content, bool ec, ByteView public_key);

/// Key-agreement domain: an EC group or a DH group, with the operations PACE and CA need.
class KaDomain {
 public:
  static Result<KaDomain> standard(int param_id);  ///< 0–2 DH, 8–18 EC (9303-11 §9.5.1)
  static KaDomain from_ec(crypto::EcGroup g);
  static KaDomain from_dh(crypto::DhGroup g);
  bool is_ec() const noexcept { return m_ec.has_value(); }
  const crypto::EcGroup& ec() const { return *m_ec; }
  const crypto::DhGroup& dh() const { return *m_dh; }
  /// Group order (EC n, DH q) — empty for a DH group without q.
  Bytes order() const;
  std::size_t element_size() const noexcept;  ///< point size (EC) or size of p (DH)
  Result<Bytes> public_key(ByteView priv) const;
  Status check_public(ByteView pub) const;
  /// Shared secret at full width: x-coordinate (EC) or the full DH value.
  Result<SecureBuffer> agree(ByteView priv, ByteView peer) const;
  /// Generic Mapping (9303-11 §4.4.3.3.1): G^ = s·G + H with H = sk·PK_map_PCD.
  Result<KaDomain> map_generic(ByteView s, ByteView sk_map, ByteView pk_map_pcd) const;
  /// Integrated Mapping (§4.4.3.3.2): G^ = f_G(R_p(s, t)).
  Result<KaDomain> map_integrated(SymCipher c, ByteView s, ByteView t) const;

 private:
  std::optional<crypto::EcGroup> m_ec;
  std::optional<crypto::DhGroup> m_dh;
};

/// R(s, t) of 9303-11 §4.4.3.3.2 (CBC, IV 0; l = 128 for 3DES/AES-128, 256 for AES-192/256).
Result<SecureBuffer> im_prf(SymCipher c, ByteView s, ByteView t, std::size_t p_bits);
/// f_G of 9303-11 Appendix B (simplified SWU, p ≡ 3 mod 4): the point for R_p.
Result<Bytes> im_point_encode(const crypto::CurveParams& cp, ByteView r);
/// A_IC = E(KSenc, IV = E(KSenc, FF..FF), pad(CA_IC)), CA_IC = SK_IC^-1 · SK_Map,IC mod n
/// (9303-11 §4.4.3.5.2 / App. I; the terminal checks PK_Map,IC = CA_IC · PK_IC).
Result<Bytes> cam_data(SymCipher c, ByteView ks_enc, ByteView sk_ic, ByteView sk_map, ByteView n);

/// MRZ_information (document number, birth date, expiry with check digits) from DG1
/// (61 { 5F1F MRZ }) of a TD1, TD2 or TD3 document (9303-11 §4.3.1 / §9.7.2).
Result<std::string> mrz_information(ByteView dg1);

}  // namespace dnie::vcard
