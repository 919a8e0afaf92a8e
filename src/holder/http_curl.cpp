// SPDX-License-Identifier: Apache-2.0
// The OCSP POST over libcurl (dnie/holder/http.hpp): RFC 6960 Appendix A.1 — Content-Type
// application/ocsp-request, a DER body, a DER answer. Bounded in time and size; http(s) only;
// no redirects (an OCSP answer is signed, but a redirect could still carry the request elsewhere).
#include <curl/curl.h>
#include <memory>
#include <mutex>

#include "dnie/holder/http.hpp"

namespace dnie::holder {

namespace {

struct Sink {
  Bytes data;
  std::size_t max = 0;
  bool overflow = false;
};

std::size_t on_data(char* ptr, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  const std::size_t len = size * n;
  if (s->data.size() + len > s->max) {
    s->overflow = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  s->data.insert(s->data.end(), reinterpret_cast<const std::uint8_t*>(ptr),
                 reinterpret_cast<const std::uint8_t*>(ptr) + len);
  return len;
}

struct EasyFree {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct ListFree {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

}  // namespace

Result<Bytes> curl_http_post(const std::string& url, std::string_view content_type, ByteView body,
                             const HttpLimits& limits) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Error(ErrorCode::InvalidArgument, "only http:// and https:// URLs are fetched: " + url);
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, EasyFree> h(curl_easy_init());
  if (!h) return Error(ErrorCode::InternalError, "libcurl: curl_easy_init failed");
  const std::string ct = "Content-Type: " + std::string(content_type);
  std::unique_ptr<curl_slist, ListFree> headers(curl_slist_append(nullptr, ct.c_str()));
  if (!headers) return Error(ErrorCode::InternalError, "libcurl: out of memory");
  Sink sink;
  sink.max = limits.max_response_bytes;
  CURL* e = h.get();
  bool ok =
      curl_easy_setopt(e, CURLOPT_URL, url.c_str()) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, limits.timeout_ms) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, limits.connect_timeout_ms) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_response_bytes)) ==
          CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_POST, 1L) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data()) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size())) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get()) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_USERAGENT, "dnie-sdk") == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data) == CURLE_OK &&
      curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink) == CURLE_OK;
  if (!ok) return Error(ErrorCode::InternalError, "libcurl: cannot set the request options");
  const CURLcode rc = curl_easy_perform(e);
  if (sink.overflow || rc == CURLE_FILESIZE_EXCEEDED)
    return Error(
        ErrorCode::TransportError,
        url + ": answer larger than " + std::to_string(limits.max_response_bytes) + " bytes, refused");
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return Error(ErrorCode::Timeout, url + ": no answer within " + std::to_string(limits.timeout_ms) + " ms")
        .with_native(rc);
  if (rc != CURLE_OK)
    return Error(ErrorCode::TransportError, url + ": " + curl_easy_strerror(rc)).with_native(rc);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return Error(ErrorCode::TransportError, url + ": HTTP status " + std::to_string(status));
  return std::move(sink.data);
}

}  // namespace dnie::holder
