// SPDX-License-Identifier: Apache-2.0
#include "exit_codes.hpp"

#include <utility>

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
         "  0 success, GENUINE, VALID  1 usage error              2 no reader, no card, no service\n"
         "  3 wrong CAN or MRZ         4 wrong PIN                5 PIN blocked, suspended, last try "
         "refused\n"
         "  6 card terminated          7 NOT GENUINE, INVALID     8 I/O or protocol error\n"
         "  9 internal error          10 CANNOT VERIFY           11 GENUINE but expired, EXPIRED\n"
         " 12 REVOKED\n"
         "VALID, INVALID, EXPIRED, REVOKED, CANNOT VERIFY of the holder certificates: dnie certs --validate.";
}

std::string cli_hint(ErrorCode code, std::string_view reader) {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "Check the command line (--help lists the options).";
    case ErrorCode::NoService:
      if (reader.rfind("nfc", 0) == 0)
        return "libnfc could not start (check that it is installed and sees the device), or use a PC/SC "
               "reader (--reader 0) or --reader virtual.";
      return "The smart card service is not running (start pcscd), or use --reader nfc or --reader virtual.";
    case ErrorCode::ReaderNotFound:
      return "Check --reader (`dnie readers` lists the readers and their index).";
    case ErrorCode::NoCard:
      return "No card is present; put the card on the reader, or pass --wait to wait for it.";
    case ErrorCode::WrongCan:
      return "The CAN (--can) or MRZ (--mrz) does not match the card; check the 6 digits on its front.";
    case ErrorCode::PinSuspended:
      return "The PIN is suspended; run the command again with --can so that it is resumed.";
    case ErrorCode::LastTryRefused:
      return "Only one PIN try is left; pass --allow-last-try to spend it.";
    case ErrorCode::UntrustedDocument:
      return "No trusted CSCA for this document: give one with --trust FILE|DIR (the virtual card: "
             "--trust-virtual).";
    default:
      return std::string(error_code_hint(code));
  }
}

std::string cli_words(std::string message) {
  static const std::pair<const char*, const char*> kWords[] = {
      {"MasterListOptions::accept_unanchored", "--trust-unanchored-list"},
      {"accept_unanchored", "--trust-unanchored-list"},
      {"IccChainPolicy::Skip", "ICC chain check skipped"},
      {"allow_last_try", "--allow-last-try"},
  };
  for (const auto& [from, to] : kWords) {
    const std::string f = from, t = to;
    for (auto pos = message.find(f); pos != std::string::npos; pos = message.find(f, pos + t.size()))
      message.replace(pos, f.size(), t);
  }
  return message;
}

}  // namespace dnie::cli
