// SPDX-License-Identifier: Apache-2.0
// File: dnie/holder/http.hpp
// The one network operation of the SDK: an HTTP POST of an OCSP request (RFC 6960 Appendix A.1)
// to the responder named in a certificate. The default client is libcurl (curl_http_post);
// applications with their own network stack, proxy rules or sandbox pass an HttpPost.
// Thread safety: curl_http_post may be called from several threads (one easy handle per call).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "dnie/bytes/bytes.hpp"

namespace dnie::holder {

struct HttpLimits {
  long timeout_ms = 5000;                  ///< whole request, connection included
  long connect_timeout_ms = 3000;          ///< TCP (and TLS) connection
  std::size_t max_response_bytes = 65536;  ///< larger answers are refused (an OCSP response is ~2 KiB)
};

/// POSTs `body` with `content_type` to `url` (http:// or https:// only, no redirects) and returns
/// the response body of a 200 answer. Timeout (16) when the server does not answer in time,
/// TransportError for other failures (DNS, connection, status ≠ 200, size over the limit).
using HttpPost = std::function<Result<Bytes>(const std::string& url, std::string_view content_type,
                                             ByteView body, const HttpLimits& limits)>;

/// libcurl client (proxy settings from the usual environment variables, system CA store for https).
Result<Bytes> curl_http_post(const std::string& url, std::string_view content_type, ByteView body,
                             const HttpLimits& limits);

}  // namespace dnie::holder
