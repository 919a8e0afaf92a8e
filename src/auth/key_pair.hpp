// SPDX-License-Identifier: Apache-2.0
// Private: the one place the terminal-side engines draw a key-agreement key pair (PACE mapping and
// ephemeral keys, chip authentication's SK_PCD), from the RNG the caller injected through the
// options (known-answer tests pass tests/support/fixed_rng.hpp) or the system DRBG.
#pragma once

#include "dnie/crypto/dh.hpp"
#include "dnie/crypto/ec.hpp"
#include "dnie/crypto/rng.hpp"

namespace dnie::auth::detail {

/// The injected RNG, or crypto::system_rng() when none was given.
inline crypto::Rng& rng_or_system(crypto::Rng* injected) {
  return injected ? *injected : crypto::system_rng();
}

struct KeyPair {
  SecureBuffer private_key;
  Bytes public_key;  ///< 04‖X‖Y or g^x at the width of p
};

/// A key pair on whichever group is given (`ec` first); InvalidArgument when neither is.
inline Result<KeyPair> generate_key_pair(const crypto::EcGroup* ec, const crypto::DhGroup* dh,
                                         crypto::Rng& rng) {
  if (ec) {
    DNIE_ASSIGN_OR_RETURN(crypto::EcKeyPair kp, ec->generate(rng));
    return KeyPair{std::move(kp.private_key), std::move(kp.public_key)};
  }
  if (dh) {
    DNIE_ASSIGN_OR_RETURN(crypto::DhKeyPair kp, dh->generate(rng));
    return KeyPair{std::move(kp.private_key), std::move(kp.public_key)};
  }
  return make_error(ErrorCode::InvalidArgument, "key pair: no domain parameters");
}

}  // namespace dnie::auth::detail
