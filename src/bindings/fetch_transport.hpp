// One HTTP POST through Module['sendHttp'] (http.js), reported back as an HttpResponse.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/client.hpp"
#include "core/delivery_queue.hpp"

namespace outbound::bindings {

/// Who hears how a request ended: `answered(send, response)`, with the id it was posted with.
class AnswerSink {
 public:
  virtual void answered(SendId send, const HttpResponse& response) = 0;

 protected:
  ~AnswerSink() = default;
};

/// POSTs `body` to `url` with `headers`; `sink` hears once with the answer, or with status 0 when
/// there was none (network failure, CORS refusal, or no answer within `timeoutMs`), and is kept
/// alive until then. Through http.js's postHttp, whose senders bound the reply and follow
/// redirects (docs/transport.md); with the client's options.fetch when its `hooks` have one, else
/// the runtime's own way.
void fetchPost(const std::string& url, const std::string& body, const Headers& headers,
               std::uint32_t timeoutMs, const emscripten::val& hooks,
               std::shared_ptr<AnswerSink> sink, SendId send);

}  // namespace outbound::bindings
