// SPDX-License-Identifier: Apache-2.0
#include "dnie/bytes/error.hpp"

#include <cstdio>
#include <cstdlib>

#include "dnie/bytes/result.hpp"

namespace dnie {

std::string_view error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::Ok:
      return "Ok";
    case ErrorCode::InvalidArgument:
      return "InvalidArgument";
    case ErrorCode::InvalidState:
      return "InvalidState";
    case ErrorCode::Unsupported:
      return "Unsupported";
    case ErrorCode::Cancelled:
      return "Cancelled";
    case ErrorCode::NoService:
      return "NoService";
    case ErrorCode::ReaderNotFound:
      return "ReaderNotFound";
    case ErrorCode::NoCard:
      return "NoCard";
    case ErrorCode::CardRemoved:
      return "CardRemoved";
    case ErrorCode::CardReset:
      return "CardReset";
    case ErrorCode::SharingViolation:
      return "SharingViolation";
    case ErrorCode::Timeout:
      return "Timeout";
    case ErrorCode::TransportError:
      return "TransportError";
    case ErrorCode::WrongCan:
      return "WrongCan";
    case ErrorCode::WrongPin:
      return "WrongPin";
    case ErrorCode::PinSuspended:
      return "PinSuspended";
    case ErrorCode::PinBlocked:
      return "PinBlocked";
    case ErrorCode::CardTerminated:
      return "CardTerminated";
    case ErrorCode::AccessDenied:
      return "AccessDenied";
    case ErrorCode::NotFound:
      return "NotFound";
    case ErrorCode::CardError:
      return "CardError";
    case ErrorCode::LastTryRefused:
      return "LastTryRefused";
    case ErrorCode::MalformedData:
      return "MalformedData";
    case ErrorCode::SecureMessagingError:
      return "SecureMessagingError";
    case ErrorCode::ProtocolError:
      return "ProtocolError";
    case ErrorCode::UntrustedDocument:
      return "UntrustedDocument";
    case ErrorCode::VerificationFailed:
      return "VerificationFailed";
    case ErrorCode::CryptoError:
      return "CryptoError";
    case ErrorCode::InternalError:
      return "InternalError";
  }
  return "Unknown";
}

std::string_view error_code_hint(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::Ok:
      return "Success.";
    case ErrorCode::InvalidArgument:
      return "An argument is invalid; check the input.";
    case ErrorCode::InvalidState:
      return "This operation is not possible in the current state.";
    case ErrorCode::Unsupported:
      return "The card, reader or parameters are not supported.";
    case ErrorCode::Cancelled:
      return "The operation was cancelled.";
    case ErrorCode::NoService:
      return "The smart card service is not running (start pcscd).";
    case ErrorCode::ReaderNotFound:
      return "The reader was not found or was unplugged.";
    case ErrorCode::NoCard:
      return "No card is present; insert the card or hold it to the reader.";
    case ErrorCode::CardRemoved:
      return "The card was removed; put it back and try again.";
    case ErrorCode::CardReset:
      return "Another program reset the card; try again.";
    case ErrorCode::SharingViolation:
      return "Another program is using the card exclusively.";
    case ErrorCode::Timeout:
      return "The card did not answer in time; keep it still and retry.";
    case ErrorCode::TransportError:
      return "Communication with the card failed; try again.";
    case ErrorCode::WrongCan:
      return "The CAN (or MRZ) does not match the card; check the 6 digits on its front.";
    case ErrorCode::WrongPin:
      return "The PIN is wrong.";
    case ErrorCode::PinSuspended:
      return "The PIN is suspended; authenticate with the CAN first.";
    case ErrorCode::PinBlocked:
      return "The PIN is blocked; it can only be unblocked at an issuing office.";
    case ErrorCode::CardTerminated:
      return "The card has been terminated and can no longer be used.";
    case ErrorCode::AccessDenied:
      return "The card refused access; authentication is required first.";
    case ErrorCode::NotFound:
      return "The requested file or object is not on the card.";
    case ErrorCode::CardError:
      return "The card reported an unexpected error.";
    case ErrorCode::LastTryRefused:
      return "Only one PIN try is left; confirm explicitly to use it.";
    case ErrorCode::MalformedData:
      return "The data is malformed.";
    case ErrorCode::SecureMessagingError:
      return "The secure channel failed and was closed; try again.";
    case ErrorCode::ProtocolError:
      return "The card did not follow the protocol.";
    case ErrorCode::UntrustedDocument:
      return "The document could not be traced to a trusted authority.";
    case ErrorCode::VerificationFailed:
      return "A security check failed: the data or chip may not be genuine.";
    case ErrorCode::CryptoError:
      return "A cryptographic operation failed.";
    case ErrorCode::InternalError:
      return "Internal error in the SDK.";
  }
  return "Unknown error.";
}

Error& Error::context(std::string_view what) {
  std::string m(what);
  if (!message.empty()) {
    m += ": ";
    m += message;
  }
  message = std::move(m);
  return *this;
}

std::string Error::to_string() const {
  std::string s(error_code_name(code));
  s += ": ";
  s += message.empty() ? std::string(error_code_hint(code)) : message;
  if (tries_left >= 0)
    s += " (" + std::to_string(tries_left) + (tries_left == 1 ? " try left)" : " tries left)");
  if (sw != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " [sw=%04X]", sw);
    s += buf;
  }
  if (native != 0) s += " [native=" + std::to_string(native) + "]";
  return s;
}

namespace detail {
void result_access_failed(const Error& e) noexcept {
  std::fprintf(stderr, "dnie: Result::value() called on an error: %s\n", e.to_string().c_str());
  std::abort();
}
}  // namespace detail

bool link_lost(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::CardRemoved:
    case ErrorCode::CardReset:
    case ErrorCode::NoCard:
    case ErrorCode::Timeout:
    case ErrorCode::TransportError:
      return true;
    default:
      return false;
  }
}

bool read_resumable(ErrorCode code) noexcept {
  return link_lost(code) || code == ErrorCode::SecureMessagingError;
}

}  // namespace dnie
