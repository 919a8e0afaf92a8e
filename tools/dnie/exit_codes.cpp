// SPDX-License-Identifier: Apache-2.0
#include "exit_codes.hpp"

namespace dnie::cli {

int exit_code_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::Ok:
      return kExitOk;
    case ErrorCode::InvalidArgument:
    case ErrorCode::Cancelled:
      return kExitUsage;
    case ErrorCode::NoService:
    case ErrorCode::ReaderNotFound:
    case ErrorCode::NoCard:
    case ErrorCode::CardRemoved:
    case ErrorCode::SharingViolation:
      return kExitNoReader;
    case ErrorCode::WrongCan:
      return kExitWrongCan;
    case ErrorCode::WrongPin:
      return kExitWrongPin;
    case ErrorCode::PinSuspended:
    case ErrorCode::PinBlocked:
    case ErrorCode::LastTryRefused:
      return kExitPinBlocked;
    case ErrorCode::CardTerminated:
      return kExitTerminated;
    case ErrorCode::UntrustedDocument:
    case ErrorCode::VerificationFailed:
      return kExitVerification;
    case ErrorCode::InvalidState:
    case ErrorCode::Unsupported:
    case ErrorCode::CardReset:
    case ErrorCode::Timeout:
    case ErrorCode::TransportError:
    case ErrorCode::AccessDenied:
    case ErrorCode::NotFound:
    case ErrorCode::CardError:
    case ErrorCode::MalformedData:
    case ErrorCode::SecureMessagingError:
    case ErrorCode::ProtocolError:
      return kExitIo;
    case ErrorCode::CryptoError:
    case ErrorCode::InternalError:
      return kExitInternal;
  }
  return kExitInternal;
}

const char* exit_codes_help() noexcept {
  return "Exit codes: 0 ok, 1 usage, 2 no reader/no card/no service, 3 wrong CAN, 4 wrong PIN,\n"
         "  5 PIN blocked/suspended/last try refused, 6 card terminated,\n"
         "  7 verification failed/untrusted, 8 I/O or protocol error, 9 internal error.";
}

}  // namespace dnie::cli
