// SPDX-License-Identifier: Apache-2.0
// OpenPACE on either side of PACE (BSI TR-03110-2 §3.2, ICAO 9303-11 §4.4) and of one
// SM exchange (TR-03110-3 §F), using only libeac's public API.
#include "openpace_harness.hpp"

#include <cstring>
#include <eac/eac.h>
#include <eac/objects.h>
#include <eac/pace.h>
#include <memory>
#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <optional>

#include "dnie/apdu/apdu.hpp"
#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"

namespace dnie::interop {

namespace {

struct BufDel {
  void operator()(BUF_MEM* b) const { BUF_MEM_free(b); }
};
using Buf = std::unique_ptr<BUF_MEM, BufDel>;

Buf buf(ByteView v) {
  Buf b(BUF_MEM_new());
  BUF_MEM_grow(b.get(), v.size());
  if (!v.empty()) std::memcpy(b->data, v.data(), v.size());
  b->length = v.size();
  return b;
}
Bytes bytes(const BUF_MEM* b) {
  if (!b) return {};
  return Bytes(reinterpret_cast<const std::uint8_t*>(b->data),
               reinterpret_cast<const std::uint8_t*>(b->data) + b->length);
}
EAC_CTX* ctx_of(void* p) { return static_cast<EAC_CTX*>(p); }

Bytes sw(std::uint16_t s) { return Bytes{static_cast<std::uint8_t>(s >> 8), static_cast<std::uint8_t>(s)}; }

Bytes padded(EAC_CTX* ctx, ByteView v) {
  Buf in = buf(v);
  Buf out(EAC_add_iso_pad(ctx, in.get()));
  return bytes(out.get());
}

// ICAO 9303-11 §9.8.6: MAC input for a command: pad(header) ‖ DO'87' ‖ DO'97', padded.
Bytes command_mac_input(EAC_CTX* ctx, ByteView header, ByteView dos) {
  Bytes m = padded(ctx, header);
  append(m, dos);
  return padded(ctx, m);
}

}  // namespace

void openpace_init() {
  static bool done = false;
  if (!done) {
    EAC_init();
    done = true;
  }
}

int pace_nid(const std::string& dotted) {
  openpace_init();
  return OBJ_txt2nid(dotted.c_str());
}

OpenPaceChip::OpenPaceChip(std::string password, int password_type)
    : m_password(std::move(password)), m_type(password_type) {
  openpace_init();
}

OpenPaceChip::~OpenPaceChip() {
  if (m_ctx) EAC_CTX_clear_free(ctx_of(m_ctx));
  if (m_sec) PACE_SEC_clear_free(static_cast<PACE_SEC*>(m_sec));
}

Bytes OpenPaceChip::handle(ByteView apdu) {
  auto cmd = apdu::CommandApdu::parse(apdu);
  if (!cmd) return sw(0x6700);
  const std::uint8_t ins = cmd->ins();
  if (m_sm) return (cmd->cla() & 0x0C) == 0x0C && ins == 0xB0 ? sm_read_binary(apdu) : sw(0x6987);
  ByteView data = cmd->data();
  if (ins == 0x22) {  // MSE:Set AT — 80 OID, 83 password reference, 84 parameter ID
    auto oid = tlv::find(data, 0x80);
    auto pid = tlv::find(data, 0x84);
    if (!oid || !pid || pid->value.size() != 1) {
      last_error = "MSE without OID/parameter";
      return sw(0x6A80);
    }
    Bytes der = tlv::encode(0x06, oid->value);
    const unsigned char* p = der.data();
    ASN1_OBJECT* obj = d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(der.size()));
    int nid = obj ? OBJ_obj2nid(obj) : 0;
    ASN1_OBJECT_free(obj);
    if (m_ctx) EAC_CTX_clear_free(ctx_of(m_ctx));
    m_ctx = EAC_CTX_new();
    if (!nid || !EAC_CTX_init_pace(ctx_of(m_ctx), nid, pid->value[0])) {
      last_error = "EAC_CTX_init_pace";
      return sw(0x6A80);
    }
    if (m_sec) PACE_SEC_clear_free(static_cast<PACE_SEC*>(m_sec));
    m_sec = PACE_SEC_new(m_password.data(), m_password.size(), static_cast<s_type>(m_type));
    return sw(0x9000);
  }
  if (ins != 0x86 || !m_ctx) return sw(0x6D00);
  auto dyn = tlv::parse_first(data);
  if (!dyn || dyn->tag != 0x7C) return sw(0x6A80);
  EAC_CTX* ctx = ctx_of(m_ctx);
  ByteView v = dyn->value;
  if (v.empty()) {  // step 1: encrypted nonce
    Buf z(PACE_STEP1_enc_nonce(ctx, static_cast<PACE_SEC*>(m_sec)));
    if (!z) {
      last_error = "PACE_STEP1_enc_nonce";
      return sw(0x6F00);
    }
    Bytes r = tlv::encode(0x7C, tlv::encode(0x80, bytes(z.get())));
    append(r, sw(0x9000));
    return r;
  }
  auto first = tlv::parse_first(v);
  if (!first) return sw(0x6A80);
  if (first->tag == 0x81) {  // step 2: mapping
    Buf mine(PACE_STEP3A_generate_mapping_data(ctx));
    Buf theirs = buf(first->value);
    if (!PACE_STEP3A_map_generator(ctx, theirs.get())) {
      last_error = "map_generator";
      return sw(0x6300);
    }
    Bytes inner = mine && mine->length ? tlv::encode(0x82, bytes(mine.get())) : Bytes{};
    Bytes r = tlv::encode(0x7C, inner);
    append(r, sw(0x9000));
    return r;
  }
  if (first->tag == 0x83) {  // step 3: key agreement
    m_terminal_eph = first->value.to_bytes();
    Buf eph(PACE_STEP3B_generate_ephemeral_key(ctx));
    Buf theirs = buf(m_terminal_eph);
    if (!eph || !PACE_STEP3B_compute_shared_secret(ctx, theirs.get()) || !PACE_STEP3C_derive_keys(ctx)) {
      last_error = "key agreement";
      return sw(0x6300);
    }
    // OpenPACE encodes DH values minimally (BN_bn2buf, DH_compute_key); ICAO 9303-11 and the SDK
    // keep the full width of p. They disagree exactly when one of these values starts with 00.
    const KA_CTX* ka = ctx->pace_ctx->ka_ctx;
    if (EVP_PKEY_base_id(ka->key) != EVP_PKEY_EC /* DH or DHX */) {
      const std::size_t width = m_terminal_eph.size();
      m_dh_leading_zero = m_terminal_eph.empty() || m_terminal_eph[0] == 0 || eph->length < width ||
                          ka->shared_secret->length < width;
    }
    Bytes r = tlv::encode(0x7C, tlv::encode(0x84, bytes(eph.get())));
    append(r, sw(0x9000));
    return r;
  }
  if (first->tag == 0x85) {  // step 4: mutual authentication
    Buf token = buf(first->value);
    if (PACE_STEP3D_verify_authentication_token(ctx, token.get()) != 1) {
      const KA_CTX* ka = ctx->pace_ctx->ka_ctx;
      last_error = "terminal token (OpenPACE: shared secret " + std::to_string(ka->shared_secret->length) +
                   " bytes, own ephemeral key " + std::to_string(ctx->pace_ctx->my_eph_pubkey->length) +
                   " bytes, terminal ephemeral key " + std::to_string(m_terminal_eph.size()) + " bytes)";
      return sw(0x6300);
    }
    Buf theirs = buf(m_terminal_eph);
    Buf mine(PACE_STEP3D_compute_authentication_token(ctx, theirs.get()));
    if (!mine || !EAC_CTX_set_encryption_ctx(ctx, EAC_ID_PACE)) {
      last_error = "chip token";
      return sw(0x6F00);
    }
    m_sm = true;
    Bytes r = tlv::encode(0x7C, tlv::encode(0x86, bytes(mine.get())));
    append(r, sw(0x9000));
    return r;
  }
  return sw(0x6A80);
}

Bytes OpenPaceChip::sm_read_binary(ByteView apdu) {
  EAC_CTX* ctx = ctx_of(m_ctx);
  ByteView data = apdu.subview(5, apdu[4]);
  auto do97 = tlv::find(data, 0x97);
  auto do8e = tlv::find(data, 0x8E);
  if (!do8e) {
    last_error = "no DO'8E'";
    return sw(0x6987);
  }
  EAC_increment_ssc(ctx);
  Bytes dos = do97 ? do97->raw.to_bytes() : Bytes{};
  Buf mac_in = buf(command_mac_input(ctx, apdu.first(4), dos));
  Buf mac = buf(do8e->value);
  if (EAC_verify_authentication(ctx, mac_in.get(), mac.get()) != 1) {
    last_error = "command MAC";
    return sw(0x6988);
  }
  EAC_increment_ssc(ctx);
  Buf plain = buf(padded(ctx, payload()));
  Buf enc(EAC_encrypt(ctx, plain.get()));
  Bytes v{0x01};
  append(v, bytes(enc.get()));
  Bytes resp = tlv::encode(0x87, v);
  append(resp, hex_bytes("99029000"));
  Buf rmac_in = buf(padded(ctx, resp));
  Buf rmac(EAC_authenticate(ctx, rmac_in.get()));
  tlv::append(resp, 0x8E, bytes(rmac.get()));
  append(resp, sw(0x9000));
  return resp;
}

std::string openpace_terminal(const std::function<Bytes(ByteView)>& card, ByteView card_access,
                              const std::string& oid, int param_id, const std::string& password,
                              int password_type) {
  openpace_init();
  std::unique_ptr<EAC_CTX, void (*)(EAC_CTX*)> ctx(EAC_CTX_new(), EAC_CTX_clear_free);
  if (!EAC_CTX_init_ef_cardaccess(card_access.data(), card_access.size(), ctx.get()))
    return "EF.CardAccess not accepted";
  std::unique_ptr<PACE_SEC, void (*)(PACE_SEC*)> sec(
      PACE_SEC_new(password.data(), password.size(), static_cast<s_type>(password_type)),
      PACE_SEC_clear_free);
  auto exchange = [&card](ByteView cmd, Bytes& data) -> std::uint16_t {
    Bytes r = card(cmd);
    data.clear();
    for (int guard = 0; guard < 300; ++guard) {
      if (r.size() < 2) return 0;
      std::uint16_t s = static_cast<std::uint16_t>(r[r.size() - 2] << 8 | r[r.size() - 1]);
      data.insert(data.end(), r.begin(), r.end() - 2);
      if ((s & 0xFF00) != 0x6100) return s;
      Bytes gr{0x00, 0xC0, 0x00, 0x00, static_cast<std::uint8_t>(s & 0xFF)};  // ISO 7816-4 GET RESPONSE
      r = card(gr);
    }
    return 0;
  };
  auto ga = [&](std::uint8_t cla, ByteView inner, std::uint32_t want, Bytes& out) -> bool {
    Bytes body = tlv::encode(0x7C, inner);
    Bytes cmd =
        apdu::CommandApdu(cla, 0x86, 0x00, 0x00, body, 256).encode(true).value();  // extended if needed
    Bytes resp;
    if (exchange(cmd, resp) != 0x9000) return false;
    auto dyn = tlv::parse_single(resp);
    if (!dyn || dyn->tag != 0x7C) return false;
    if (!want) {
      out.clear();
      return true;
    }
    auto t = tlv::find(dyn->value, want);
    if (!t) return want == 0x82 && (out.clear(), true);  // IM: no mapping data from the chip
    out = t->value.to_bytes();
    return true;
  };
  // MSE:Set AT (ICAO 9303-11 §4.4.4.1): 80 OID, 83 password reference, 84 parameter ID.
  auto oid_content = asn1::oid_from_string(oid);
  if (!oid_content) return "bad OID";
  Bytes mse_data = tlv::encode(0x80, *oid_content);
  tlv::append(mse_data, 0x83, Bytes{static_cast<std::uint8_t>(password_type)});
  tlv::append(mse_data, 0x84, Bytes{static_cast<std::uint8_t>(param_id)});
  Bytes mse{0x00, 0x22, 0xC1, 0xA4, static_cast<std::uint8_t>(mse_data.size())};
  append(mse, mse_data);
  Bytes rdata;
  if (std::uint16_t s = exchange(mse, rdata); s != 0x9000)
    return "MSE:Set AT answered " + to_hex(be_bytes(s, 2));
  Bytes z, chip_map, chip_eph, chip_token;
  if (!ga(0x10, {}, 0x80, z)) return "GA step 1 failed";
  Buf zb = buf(z);
  if (!PACE_STEP2_dec_nonce(ctx.get(), sec.get(), zb.get())) return "PACE_STEP2_dec_nonce";
  Buf my_map(PACE_STEP3A_generate_mapping_data(ctx.get()));
  if (!my_map) return "PACE_STEP3A_generate_mapping_data";
  if (!ga(0x10, tlv::encode(0x81, bytes(my_map.get())), 0x82, chip_map)) return "GA step 2 failed";
  Buf cm = buf(chip_map);
  if (!PACE_STEP3A_map_generator(ctx.get(), cm.get())) return "PACE_STEP3A_map_generator";
  Buf my_eph(PACE_STEP3B_generate_ephemeral_key(ctx.get()));
  if (!my_eph) return "PACE_STEP3B_generate_ephemeral_key";
  if (!ga(0x10, tlv::encode(0x83, bytes(my_eph.get())), 0x84, chip_eph)) return "GA step 3 failed";
  Buf ce = buf(chip_eph);
  if (!PACE_STEP3B_compute_shared_secret(ctx.get(), ce.get()) || !PACE_STEP3C_derive_keys(ctx.get()))
    return "shared secret / key derivation";
  {  // see OpenPaceChip: OpenPACE's minimal DH encodings differ from ICAO's full width
    const KA_CTX* ka = ctx->pace_ctx->ka_ctx;
    if (EVP_PKEY_base_id(ka->key) != EVP_PKEY_EC /* DH or DHX */ &&
        (chip_eph.empty() || chip_eph[0] == 0 || my_eph->length < chip_eph.size() ||
         ka->shared_secret->length < chip_eph.size()))
      return kDhLeadingZero;
  }
  Buf my_token(PACE_STEP3D_compute_authentication_token(ctx.get(), ce.get()));
  if (!my_token) return "PACE_STEP3D_compute_authentication_token";
  if (!ga(0x00, tlv::encode(0x85, bytes(my_token.get())), 0x86, chip_token))
    return "GA step 4 refused (token)";
  Buf ct = buf(chip_token);
  if (PACE_STEP3D_verify_authentication_token(ctx.get(), ct.get()) != 1) return "chip token does not verify";
  if (!EAC_CTX_set_encryption_ctx(ctx.get(), EAC_ID_PACE)) return "EAC_CTX_set_encryption_ctx";

  // One protected command: SELECT EF.CardAccess (00 A4 00 0C 02 011C), then READ BINARY.
  auto protect = [&](ByteView header, ByteView data, std::optional<std::uint8_t> le) -> Bytes {
    EAC_increment_ssc(ctx.get());
    Bytes dos;
    if (!data.empty()) {
      Buf p = buf(padded(ctx.get(), data));
      Buf e(EAC_encrypt(ctx.get(), p.get()));
      Bytes v{0x01};
      append(v, bytes(e.get()));
      tlv::append(dos, 0x87, v);
    }
    if (le) tlv::append(dos, 0x97, Bytes{*le});
    Buf mi = buf(command_mac_input(ctx.get(), header, dos));
    Buf mac(EAC_authenticate(ctx.get(), mi.get()));
    tlv::append(dos, 0x8E, bytes(mac.get()));
    Bytes cmd = header.to_bytes();
    cmd.push_back(static_cast<std::uint8_t>(dos.size()));
    append(cmd, dos);
    cmd.push_back(0x00);
    return cmd;
  };
  auto unprotect = [&](const Bytes& resp, std::uint16_t outer, std::string& err) -> Bytes {
    EAC_increment_ssc(ctx.get());
    if (outer != 0x9000 && outer != 0x6282) {
      err = "protected command answered " + to_hex(be_bytes(outer, 2));
      return {};
    }
    auto do8e = tlv::find(resp, 0x8E);
    if (!do8e) {
      err = "response without MAC";
      return {};
    }
    Bytes mac_in(resp.begin(), resp.begin() + static_cast<long>(do8e->raw.data() - resp.data()));
    Buf mi = buf(padded(ctx.get(), mac_in));
    Buf mac = buf(do8e->value);
    if (EAC_verify_authentication(ctx.get(), mi.get(), mac.get()) != 1) {
      err = "response MAC wrong";
      return {};
    }
    auto do87 = tlv::find(resp, 0x87);
    if (!do87) return {};
    Buf c = buf(do87->value.subview(1));
    Buf d(EAC_decrypt(ctx.get(), c.get()));
    Buf u(EAC_remove_iso_pad(d.get()));
    return bytes(u.get());
  };
  std::string err;
  Bytes resp;
  std::uint16_t s = exchange(protect(hex_bytes("0CA4000C"), hex_bytes("011C"), std::nullopt), resp);
  (void)unprotect(resp, s, err);
  if (!err.empty()) return "SELECT under SM: " + err;
  s = exchange(protect(hex_bytes("0CB00000"), {}, std::uint8_t{0}), resp);
  Bytes plain = unprotect(resp, s, err);
  if (!err.empty()) return "READ BINARY under SM: " + err;
  if (plain != card_access.to_bytes()) return "EF.CardAccess read under SM differs: " + to_hex(plain);
  return "";
}

}  // namespace dnie::interop
