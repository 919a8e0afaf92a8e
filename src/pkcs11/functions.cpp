// SPDX-License-Identifier: Apache-2.0
// The function list, the functions that would write to the token (CKR_TOKEN_WRITE_PROTECTED:
// the DNIe's objects are fixed at issuance) and the functions this module does not support
// (CKR_FUNCTION_NOT_SUPPORTED). Generated from the p11-kit PKCS#11 2.40 header's declarations.
#include "p11_internal.hpp"

#pragma GCC diagnostic ignored "-Wunused-parameter"

namespace {
// PKCS#11 v2.40 §5.1.6: CKR_TOKEN_WRITE_PROTECTED has priority over CKR_SESSION_READ_ONLY.
CK_RV write_protected(CK_SESSION_HANDLE h) {
  return dnie::p11::guarded([&](dnie::p11::Module& m) {
    return dnie::p11::find_session(m, h) ? CKR_TOKEN_WRITE_PROTECTED : CKR_SESSION_HANDLE_INVALID;
  });
}
// PKCS#11 v2.40 §5.15: a token without a random number generator (CKF_RNG clear) answers
// CKR_RANDOM_NO_RNG, which applications (pkcs11-tool --test) recognise.
CK_RV no_rng(CK_SESSION_HANDLE h) {
  return dnie::p11::guarded([&](dnie::p11::Module& m) {
    return dnie::p11::find_session(m, h) ? CKR_RANDOM_NO_RNG : CKR_SESSION_HANDLE_INVALID;
  });
}
}  // namespace

extern "C" {

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID* slot, void* reserved) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_InitToken(CK_SLOT_ID slot_id, unsigned char* pin, unsigned long pin_len, unsigned char* label) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_InitPIN(CK_SESSION_HANDLE session, unsigned char* pin, unsigned long pin_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SetPIN(CK_SESSION_HANDLE session, unsigned char* old_pin, unsigned long old_len,
               unsigned char* new_pin, unsigned long new_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_GetOperationState(CK_SESSION_HANDLE session, unsigned char* operation_state,
                          unsigned long* operation_state_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SetOperationState(CK_SESSION_HANDLE session, unsigned char* operation_state,
                          unsigned long operation_state_len, CK_OBJECT_HANDLE encryption_key,
                          CK_OBJECT_HANDLE authentiation_key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_CreateObject(CK_SESSION_HANDLE session, CK_ATTRIBUTE* templ, unsigned long count,
                     CK_OBJECT_HANDLE* object) {
  return write_protected(session);
}
CK_RV C_CopyObject(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE* templ,
                   unsigned long count, CK_OBJECT_HANDLE* new_object) {
  return write_protected(session);
}
CK_RV C_DestroyObject(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object) { return write_protected(session); }
CK_RV C_GetObjectSize(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, unsigned long* size) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE* templ,
                          unsigned long count) {
  return write_protected(session);
}
CK_RV C_EncryptInit(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism, CK_OBJECT_HANDLE key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_Encrypt(CK_SESSION_HANDLE session, unsigned char* data, unsigned long data_len,
                unsigned char* encrypted_data, unsigned long* encrypted_data_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_EncryptUpdate(CK_SESSION_HANDLE session, unsigned char* part, unsigned long part_len,
                      unsigned char* encrypted_part, unsigned long* encrypted_part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_EncryptFinal(CK_SESSION_HANDLE session, unsigned char* last_encrypted_part,
                     unsigned long* last_encrypted_part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DecryptInit(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism, CK_OBJECT_HANDLE key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_Decrypt(CK_SESSION_HANDLE session, unsigned char* encrypted_data, unsigned long encrypted_data_len,
                unsigned char* data, unsigned long* data_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DecryptUpdate(CK_SESSION_HANDLE session, unsigned char* encrypted_part,
                      unsigned long encrypted_part_len, unsigned char* part, unsigned long* part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DecryptFinal(CK_SESSION_HANDLE session, unsigned char* last_part, unsigned long* last_part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DigestInit(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism) { return CKR_FUNCTION_NOT_SUPPORTED; }
CK_RV C_Digest(CK_SESSION_HANDLE session, unsigned char* data, unsigned long data_len, unsigned char* digest,
               unsigned long* digest_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DigestUpdate(CK_SESSION_HANDLE session, unsigned char* part, unsigned long part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DigestKey(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key) { return CKR_FUNCTION_NOT_SUPPORTED; }
CK_RV C_DigestFinal(CK_SESSION_HANDLE session, unsigned char* digest, unsigned long* digest_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SignRecoverInit(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism, CK_OBJECT_HANDLE key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SignRecover(CK_SESSION_HANDLE session, unsigned char* data, unsigned long data_len,
                    unsigned char* signature, unsigned long* signature_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_VerifyInit(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism, CK_OBJECT_HANDLE key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_Verify(CK_SESSION_HANDLE session, unsigned char* data, unsigned long data_len,
               unsigned char* signature, unsigned long signature_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_VerifyUpdate(CK_SESSION_HANDLE session, unsigned char* part, unsigned long part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_VerifyFinal(CK_SESSION_HANDLE session, unsigned char* signature, unsigned long signature_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism, CK_OBJECT_HANDLE key) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_VerifyRecover(CK_SESSION_HANDLE session, unsigned char* signature, unsigned long signature_len,
                      unsigned char* data, unsigned long* data_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE session, unsigned char* part, unsigned long part_len,
                            unsigned char* encrypted_part, unsigned long* encrypted_part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE session, unsigned char* encrypted_part,
                            unsigned long encrypted_part_len, unsigned char* part, unsigned long* part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE session, unsigned char* part, unsigned long part_len,
                          unsigned char* encrypted_part, unsigned long* encrypted_part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE session, unsigned char* encrypted_part,
                            unsigned long encrypted_part_len, unsigned char* part, unsigned long* part_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_GenerateKey(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism, CK_ATTRIBUTE* templ,
                    unsigned long count, CK_OBJECT_HANDLE* key) {
  return write_protected(session);
}
CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism, CK_ATTRIBUTE* public_key_template,
                        unsigned long public_key_attribute_count, CK_ATTRIBUTE* private_key_template,
                        unsigned long private_key_attribute_count, CK_OBJECT_HANDLE* public_key,
                        CK_OBJECT_HANDLE* private_key) {
  return write_protected(session);
}
CK_RV C_WrapKey(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism, CK_OBJECT_HANDLE wrapping_key,
                CK_OBJECT_HANDLE key, unsigned char* wrapped_key, unsigned long* wrapped_key_len) {
  return CKR_FUNCTION_NOT_SUPPORTED;
}
CK_RV C_UnwrapKey(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism, CK_OBJECT_HANDLE unwrapping_key,
                  unsigned char* wrapped_key, unsigned long wrapped_key_len, CK_ATTRIBUTE* templ,
                  unsigned long attribute_count, CK_OBJECT_HANDLE* key) {
  return write_protected(session);
}
CK_RV C_DeriveKey(CK_SESSION_HANDLE session, CK_MECHANISM* mechanism, CK_OBJECT_HANDLE base_key,
                  CK_ATTRIBUTE* templ, unsigned long attribute_count, CK_OBJECT_HANDLE* key) {
  return write_protected(session);
}
CK_RV C_SeedRandom(CK_SESSION_HANDLE session, unsigned char* seed, unsigned long seed_len) {
  return no_rng(session);
}
CK_RV C_GenerateRandom(CK_SESSION_HANDLE session, unsigned char* random_data, unsigned long random_len) {
  return no_rng(session);
}
CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE session) { return CKR_FUNCTION_NOT_SUPPORTED; }
CK_RV C_CancelFunction(CK_SESSION_HANDLE session) { return CKR_FUNCTION_NOT_SUPPORTED; }

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  static CK_FUNCTION_LIST functions = [] {
    CK_FUNCTION_LIST f{};
    f.version.major = 2;
    f.version.minor = 40;
    f.C_Initialize = C_Initialize;
    f.C_Finalize = C_Finalize;
    f.C_GetInfo = C_GetInfo;
    f.C_GetFunctionList = C_GetFunctionList;
    f.C_GetSlotList = C_GetSlotList;
    f.C_GetSlotInfo = C_GetSlotInfo;
    f.C_GetTokenInfo = C_GetTokenInfo;
    f.C_GetMechanismList = C_GetMechanismList;
    f.C_GetMechanismInfo = C_GetMechanismInfo;
    f.C_InitToken = C_InitToken;
    f.C_InitPIN = C_InitPIN;
    f.C_SetPIN = C_SetPIN;
    f.C_OpenSession = C_OpenSession;
    f.C_CloseSession = C_CloseSession;
    f.C_CloseAllSessions = C_CloseAllSessions;
    f.C_GetSessionInfo = C_GetSessionInfo;
    f.C_GetOperationState = C_GetOperationState;
    f.C_SetOperationState = C_SetOperationState;
    f.C_Login = C_Login;
    f.C_Logout = C_Logout;
    f.C_CreateObject = C_CreateObject;
    f.C_CopyObject = C_CopyObject;
    f.C_DestroyObject = C_DestroyObject;
    f.C_GetObjectSize = C_GetObjectSize;
    f.C_GetAttributeValue = C_GetAttributeValue;
    f.C_SetAttributeValue = C_SetAttributeValue;
    f.C_FindObjectsInit = C_FindObjectsInit;
    f.C_FindObjects = C_FindObjects;
    f.C_FindObjectsFinal = C_FindObjectsFinal;
    f.C_EncryptInit = C_EncryptInit;
    f.C_Encrypt = C_Encrypt;
    f.C_EncryptUpdate = C_EncryptUpdate;
    f.C_EncryptFinal = C_EncryptFinal;
    f.C_DecryptInit = C_DecryptInit;
    f.C_Decrypt = C_Decrypt;
    f.C_DecryptUpdate = C_DecryptUpdate;
    f.C_DecryptFinal = C_DecryptFinal;
    f.C_DigestInit = C_DigestInit;
    f.C_Digest = C_Digest;
    f.C_DigestUpdate = C_DigestUpdate;
    f.C_DigestKey = C_DigestKey;
    f.C_DigestFinal = C_DigestFinal;
    f.C_SignInit = C_SignInit;
    f.C_Sign = C_Sign;
    f.C_SignUpdate = C_SignUpdate;
    f.C_SignFinal = C_SignFinal;
    f.C_SignRecoverInit = C_SignRecoverInit;
    f.C_SignRecover = C_SignRecover;
    f.C_VerifyInit = C_VerifyInit;
    f.C_Verify = C_Verify;
    f.C_VerifyUpdate = C_VerifyUpdate;
    f.C_VerifyFinal = C_VerifyFinal;
    f.C_VerifyRecoverInit = C_VerifyRecoverInit;
    f.C_VerifyRecover = C_VerifyRecover;
    f.C_DigestEncryptUpdate = C_DigestEncryptUpdate;
    f.C_DecryptDigestUpdate = C_DecryptDigestUpdate;
    f.C_SignEncryptUpdate = C_SignEncryptUpdate;
    f.C_DecryptVerifyUpdate = C_DecryptVerifyUpdate;
    f.C_GenerateKey = C_GenerateKey;
    f.C_GenerateKeyPair = C_GenerateKeyPair;
    f.C_WrapKey = C_WrapKey;
    f.C_UnwrapKey = C_UnwrapKey;
    f.C_DeriveKey = C_DeriveKey;
    f.C_SeedRandom = C_SeedRandom;
    f.C_GenerateRandom = C_GenerateRandom;
    f.C_GetFunctionStatus = C_GetFunctionStatus;
    f.C_CancelFunction = C_CancelFunction;
    f.C_WaitForSlotEvent = C_WaitForSlotEvent;
    return f;
  }();
  if (!list) return CKR_ARGUMENTS_BAD;
  *list = &functions;
  return CKR_OK;
}

}  // extern "C"
