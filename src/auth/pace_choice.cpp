// SPDX-License-Identifier: Apache-2.0
// The PACE parameter policy and the choice of the PACE protocol to run (ICAO 9303-11 §4.4.1,
// §9.2.1, §9.5.1; TR-03110-3 §A.2.1). EF.CardAccess is unauthenticated: whatever it offers is
// judged by the caller's PacePolicy before anything derived from the password is sent.
#include <algorithm>
#include <tuple>

#include "dnie/auth/security_infos.hpp"

#include "auth/pace_internal.hpp"

namespace dnie::auth {

namespace {

Error refused(std::string msg) { return make_error(ErrorCode::Unsupported, std::move(msg)); }

using pace_internal::bit_length;

/// NIST SP 800-57 Part 1 Rev. 5 §5.6.1.1 Table 2, ECC column (f = bits of n).
int ecc_strength(std::size_t f) noexcept {
  if (f >= 512) return 256;
  if (f >= 384) return 192;
  if (f >= 256) return 128;
  if (f >= 224) return 112;
  if (f >= 160) return 80;
  return 0;
}

/// Table 2, FFC column (L = bits of p).
int ffc_strength(std::size_t l) noexcept {
  if (l >= 15360) return 256;
  if (l >= 7680) return 192;
  if (l >= 3072) return 128;
  if (l >= 2048) return 112;
  if (l >= 1024) return 80;
  return 0;
}

/// Smallest p size (bits) that Table 2 gives `strength` for.
std::size_t ffc_bits_for(int strength) noexcept {
  if (strength > 192) return 15360;
  if (strength > 128) return 7680;
  if (strength > 112) return 3072;
  if (strength > 80) return 2048;
  if (strength > 0) return 1024;
  return 2;
}

template <typename T>
bool allowed(const std::vector<T>& list, const T& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

std::string mapping_name(PaceMapping m) {
  switch (m) {
    case PaceMapping::Generic:
      return "Generic Mapping";
    case PaceMapping::Integrated:
      return "Integrated Mapping";
    case PaceMapping::ChipAuthentication:
      return "Chip Authentication Mapping";
  }
  return "?";
}

std::string id_list(const std::vector<int>& ids) {
  std::string s;
  for (int id : ids) s += (s.empty() ? "" : ", ") + std::to_string(id);
  return "{" + s + "}";
}

}  // namespace

// ---- domain parameter strength -------------------------------------------------------------------

int DomainParameters::standardized_id() const noexcept {
  if (ec) return ec->param_id();
  if (dh) return dh->param_id();
  return -1;
}

int DomainParameters::security_bits() const noexcept {
  if (ec) return ecc_strength(bit_length(ec->params().n));
  if (dh) {
    if (dh->q().empty()) return 0;
    return std::min(ffc_strength(bit_length(dh->p())), static_cast<int>(bit_length(dh->q()) / 2));
  }
  return 0;
}

std::string DomainParameters::describe() const {
  const int id = standardized_id();
  std::string s;
  if (ec)
    s = id >= 0 ? ec->name() : "explicit EC, " + std::to_string(bit_length(ec->params().p)) + "-bit p";
  else if (dh)
    s = id >= 0 ? "DH " + std::to_string(dh->size() * 8)
                : "explicit DH, " + std::to_string(bit_length(dh->p())) + "-bit p";
  else
    s = "unsupported";
  const int shown = (ec || dh) ? id : standard_id;
  if (shown >= 0) s += " (" + std::to_string(shown) + ")";
  return s;
}

// ---- policy --------------------------------------------------------------------------------------

PacePolicy PacePolicy::dnie() {
  PacePolicy p;
  p.parameter_ids = {13};
  return p;
}

Status PacePolicy::check(const PaceProtocol& protocol, const DomainParameters& params) const {
  if (!allowed(mappings, protocol.mapping))
    return refused(mapping_name(protocol.mapping) + " is not allowed by the PACE policy");
  if (!allowed(ciphers, protocol.cipher))
    return refused(protocol.name() + ": cipher not allowed by the PACE policy");
  if (!params.supported()) return refused("unsupported domain parameters");
  const int id = params.standardized_id();
  const std::string what = params.describe();
  if (id >= 0) {
    if (!allowed(parameter_ids, id))
      return refused("domain parameter ID " + std::to_string(id) + " (" + what +
                     ") is not in the allowed list " + id_list(parameter_ids));
  } else if (!allow_explicit_parameters) {
    return refused(what + ": explicit domain parameters are not allowed");
  }
  if (params.dh && params.dh->q().empty())  // PKCS#3 parameters: public keys cannot be checked
    return refused(what + ": the subgroup order q is not given");
  const int strength = params.security_bits();
  if (strength < min_security_bits)
    return refused(what + " offers " + (strength > 0 ? std::to_string(strength) : "less than 80") +
                   "-bit security, the policy requires " + std::to_string(min_security_bits));
  if (id < 0) {
    // TR-03110-3 §A.2.1 / ICAO 9303-11 §9.5: explicit parameters come from an unauthenticated
    // file; they are used only once proven sound (SEC 1 v2 §3.1.1.2.1, SP 800-56A §5.5.2).
    const std::size_t min_bits = static_cast<std::size_t>(std::max(2 * min_security_bits, 2));
    Status v = params.ec ? params.ec->validate(min_bits)
                         : params.dh->validate(ffc_bits_for(min_security_bits), min_bits);
    if (!v)
      return refused(what + ": explicit domain parameters failed validation (" + v.error().message + ")");
  }
  return ok_status();
}

// ---- choice ---------------------------------------------------------------------------------------

namespace {

int mapping_rank(PaceMapping m) {
  switch (m) {
    case PaceMapping::ChipAuthentication:
      return 0;
    case PaceMapping::Generic:
      return 1;
    case PaceMapping::Integrated:
      return 2;
  }
  return 3;
}

int cipher_rank(SymCipher c) {
  switch (c) {
    case SymCipher::Aes128:
      return 0;
    case SymCipher::Aes256:
      return 1;
    case SymCipher::Aes192:
      return 2;
    case SymCipher::Des3:
      return 3;
  }
  return 4;
}

/// Standardized parameters first: brainpool (IDs 9,11,13,14,15,16 → preferred 13), NIST, then
/// DH (larger groups first), explicit last.
int params_rank(const DomainParameters& d) {
  static const int kOrder[] = {13, 16, 14, 15, 11, 9, 12, 17, 10, 18, 8, 2, 1, 0};
  for (int i = 0; i < static_cast<int>(sizeof(kOrder) / sizeof(kOrder[0])); ++i)
    if (d.standard_id == kOrder[i]) return i;
  return 100;
}

/// Integrated Mapping on curves needs p = 3 (mod 4) (ICAO 9303-11 App. B) and DH-IM needs q.
bool mapping_supported(const PaceProtocol& p, const DomainParameters& d) {
  if (p.key_agreement == KeyAgreement::Ecdh && !d.is_ec()) return false;
  if (p.key_agreement == KeyAgreement::Dh && !d.is_dh()) return false;
  if (p.mapping == PaceMapping::Integrated) {
    if (d.ec) {
      const Bytes& prime = d.ec->params().p;
      if (prime.empty() || (prime.back() & 3) != 3) return false;
    } else if (d.dh && d.dh->q().empty()) {
      return false;
    }
  }
  return true;
}

/// Domain parameters of a PACEInfo (ICAO 9303-11 §9.2.1: parameterId 0-31 standardized, else
/// a PACEDomainParameterInfo with the same ID; without an ID exactly one PACEDomainParameterInfo).
std::optional<DomainParameters> resolve(const PaceInfo& pi, const SecurityInfos& infos) {
  std::vector<const PaceDomainParameterInfo*> matching;
  for (const auto& d : infos.pace_domain_parameters) {
    if (d.key_agreement != pi.protocol.key_agreement) continue;
    if (pi.parameter_id && (!d.parameter_id || *d.parameter_id != *pi.parameter_id)) continue;
    matching.push_back(&d);
  }
  if (pi.parameter_id && *pi.parameter_id <= 31) {
    auto s = DomainParameters::standardized(*pi.parameter_id);
    if (s) return std::move(s).value();
  }
  if (matching.size() == 1 && matching[0]->params.supported()) {
    return matching[0]->params;
  }
  return std::nullopt;
}

}  // namespace

Result<PaceChoice> choose_pace(const SecurityInfos& infos, const PaceSelection& pin,
                               const PacePolicy& policy) {
  // Every runnable candidate, best first; the policy is then asked in that order, so explicit
  // parameters are validated only when nothing better was acceptable.
  struct Candidate {
    std::tuple<int, int, int, int, std::size_t> key;
    const PaceInfo* info;
    DomainParameters params;
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < infos.pace.size(); ++i) {
    const PaceInfo& pi = infos.pace[i];
    if (pi.version != 2) continue;
    if (pin.protocol_oid && *pin.protocol_oid != pi.protocol_oid) continue;
    if (pin.parameter_id && (!pi.parameter_id || *pi.parameter_id != *pin.parameter_id)) continue;
    auto params = resolve(pi, infos);
    if (!params || !mapping_supported(pi.protocol, *params)) continue;
    auto key = std::make_tuple(pi.protocol.key_agreement == KeyAgreement::Ecdh ? 0 : 1,
                               mapping_rank(pi.protocol.mapping), cipher_rank(pi.protocol.cipher),
                               params_rank(*params), i);
    candidates.push_back(Candidate{key, &pi, std::move(params).value()});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.key < b.key; });
  std::optional<PaceChoice> best;
  std::string refusals;
  for (auto& c : candidates) {
    Status ok = policy.check(c.info->protocol, c.params);
    if (ok) {
      best = PaceChoice{*c.info, std::move(c.params), false};
      break;
    }
    refusals += (refusals.empty() ? "" : "; ") + c.info->protocol.name() + ": " + ok.error().message;
  }
  if (!best) {
    if (!refusals.empty())
      return refused("the card offered only PACE parameters the policy refuses: " + refusals);
    std::string what = "no supported PACE protocol offered";
    if (pin.protocol_oid || pin.parameter_id) what += " (matching the requested protocol/parameters)";
    return refused(what);
  }
  // DO 84 is needed when more than one set of domain parameters is offered for PACE
  // (ICAO 9303-11 §4.4.4.1); several protocols on one parameter ID are not ambiguous.
  std::vector<int> ids;
  for (const auto& pi : infos.pace) {
    int id = pi.parameter_id ? *pi.parameter_id : -1;
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  best->ambiguous = ids.size() > 1 || infos.pace_domain_parameters.size() > 1;
  return std::move(best).value();
}

Result<PaceChoice> pace_choice_for(std::string_view protocol_oid, int parameter_id) {
  auto proto = PaceProtocol::from_oid(protocol_oid);
  if (!proto)
    return make_error(ErrorCode::InvalidArgument, "not a PACE protocol OID: " + std::string(protocol_oid));
  DNIE_ASSIGN_OR_RETURN(auto params, DomainParameters::standardized(parameter_id));
  if (!mapping_supported(*proto, params))
    return make_error(ErrorCode::Unsupported,
                      proto->name() + " cannot run on parameter ID " + std::to_string(parameter_id));
  PaceChoice c;
  c.info.protocol_oid = std::string(protocol_oid);
  c.info.protocol = *proto;
  c.info.version = 2;
  c.info.parameter_id = parameter_id;
  c.params = std::move(params);
  return c;
}

}  // namespace dnie::auth
