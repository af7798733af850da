#include "bindings/fetch_transport.hpp"

#include <emscripten/fetch.h>

#include <cstring>
#include <memory>
#include <vector>

namespace outbound::bindings {
namespace {

// What one request needs until its callback: emscripten_fetch reads the body and the header
// strings from here, so they must outlive the call.
struct InFlight {
  std::string body;
  Headers headers;
  std::vector<const char*> headerFields;  // name, value, ..., nullptr (pointing into headers)
  ResponseHandler done;
};

std::string responseHeaders(emscripten_fetch_t* fetch) {
  const size_t length = emscripten_fetch_get_response_headers_length(fetch);
  if (length == 0) return {};
  std::string text(length + 1, '\0');
  emscripten_fetch_get_response_headers(fetch, text.data(), text.size());
  text.resize(length);
  return text;
}

void finish(emscripten_fetch_t* fetch) {
  std::unique_ptr<InFlight> request(static_cast<InFlight*>(fetch->userData));
  HttpResponse response;
  response.status = fetch->status;
  if (fetch->data != nullptr) response.body.assign(fetch->data, fetch->numBytes);
  if (response.status > 0) response.headers = responseHeaders(fetch);
  // Emscripten 3.1.6 reports a timeout without marking the fetch done, and emscripten_fetch_close
  // would then call onerror again for a fetch it thinks is still running.
  fetch->readyState = 4;
  emscripten_fetch_close(fetch);
  request->done(response);
}

}  // namespace

void fetchPost(const std::string& url, std::string body, const Headers& headers,
               std::uint32_t timeoutMs, ResponseHandler done) {
  auto request = std::make_unique<InFlight>();
  request->body = std::move(body);
  request->headers = headers;
  for (const auto& [name, value] : request->headers) {
    request->headerFields.push_back(name.c_str());
    request->headerFields.push_back(value.c_str());
  }
  request->headerFields.push_back(nullptr);
  request->done = std::move(done);

  emscripten_fetch_attr_t attr;
  emscripten_fetch_attr_init(&attr);
  std::strcpy(attr.requestMethod, "POST");
  attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY;
  attr.requestHeaders = request->headerFields.data();
  attr.requestData = request->body.data();
  attr.requestDataSize = request->body.size();
  attr.timeoutMSecs = timeoutMs;
  attr.onsuccess = finish;
  attr.onerror = finish;
  attr.userData = request.release();  // finish() owns it, even if emscripten_fetch fails at once
  emscripten_fetch(&attr, url.c_str());
}

}  // namespace outbound::bindings
