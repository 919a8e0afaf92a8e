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
    case ErrorCode::VerificationFailed:
      return kExitNotGenuine;
    case ErrorCode::UntrustedDocument:
      return kExitCannotVerify;
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
  return "Exit codes (dnie and dnie-verify):\n"
         "  0 success / GENUINE        1 usage error              2 no reader, no card, no service\n"
         "  3 wrong CAN or MRZ         4 wrong PIN                5 PIN blocked, suspended, last try "
         "refused\n"
         "  6 card terminated          7 NOT GENUINE              8 I/O or protocol error\n"
         "  9 internal error          10 CANNOT VERIFY           11 GENUINE, but expired";
}

}  // namespace dnie::cli
