#include "bindings/fetch_transport.hpp"

#include <emscripten/bind.h>

#include <memory>

#include "bindings/glue.hpp"

namespace outbound::bindings {
namespace {

// The headers as http.js's postHttp reads them: name and value alternate, one a line (neither can
// hold a line break: the key is checked, the other values are ours).
std::string headerLines(const Headers& headers) {
  std::string lines;
  for (const auto& [name, value] : headers) lines += name + '\n' + value + '\n';
  return lines;
}

// A request on its way: who hears its answer. A plain record, not a std::function: each callable
// type stored in one costs the .wasm its own copy of std::function's machinery.
struct Posted {
  std::shared_ptr<AnswerSink> sink;
  SendId send;
};

// http.js reports the answer of the request whose record is at `request`: `body` is the reply's
// first bytes, or with status 0 why none came ("" for a timeout).
void answered(std::uintptr_t request, int status, std::string body, std::string headers) {
  const std::unique_ptr<Posted> posted(reinterpret_cast<Posted*>(request));
  posted->sink->answered(posted->send, HttpResponse{status, std::move(body), std::move(headers)});
}

}  // namespace

void fetchPost(const std::string& url, const std::string& body, const Headers& headers,
               std::uint32_t timeoutMs, const emscripten::val& hooks,
               std::shared_ptr<AnswerSink> sink, SendId send) {
  // JavaScript holds the record's address until answered(); the body is copied out of the heap
  // before postHttp returns.
  const auto request = reinterpret_cast<std::uintptr_t>(new Posted{std::move(sink), send});
  glue("postHttp")(request, url, reinterpret_cast<std::uintptr_t>(body.data()), body.size(),
                   headerLines(headers), timeoutMs, hooks);
}

EMSCRIPTEN_BINDINGS(fetch_transport) { emscripten::function("httpAnswered", &answered); }

}  // namespace outbound::bindings
