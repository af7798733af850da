// One HTTP POST through emscripten_fetch, reported back as an HttpResponse.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/client.hpp"

namespace outbound::bindings {

using ResponseHandler = std::function<void(const HttpResponse&)>;

/// POSTs `body` to `url` with `headers`; `done` runs once with the answer, or with status 0 when
/// there was none (network failure, CORS refusal, or no answer within `timeoutMs`). Through the
/// XMLHttpRequest of http.js, which bounds the reply and follows redirects (docs/transport.md).
void fetchPost(const std::string& url, std::string body, const Headers& headers,
               std::uint32_t timeoutMs, ResponseHandler done);

}  // namespace outbound::bindings
