// One HTTP POST through Module['sendHttp'] (http.js), reported back as an HttpResponse.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/client.hpp"

namespace outbound::bindings {

using ResponseHandler = std::function<void(const HttpResponse&)>;

/// POSTs `body` to `url` with `headers`; `done` runs once with the answer, or with status 0 when
/// there was none (network failure, CORS refusal, or no answer within `timeoutMs`). Through
/// http.js's postHttp, whose senders bound the reply and follow redirects (docs/transport.md).
void fetchPost(const std::string& url, const std::string& body, const Headers& headers,
               std::uint32_t timeoutMs, ResponseHandler done);

}  // namespace outbound::bindings
