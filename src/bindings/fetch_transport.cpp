#include "bindings/fetch_transport.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/fetch.h>

#include <cstring>
#include <vector>

namespace outbound::bindings {
namespace {

using emscripten::val;

// Everything one request needs until its callback runs: emscripten_fetch reads the body and
// the header strings from here, so they must outlive the call.
struct InFlight {
  std::shared_ptr<const Client> client;
  std::string method;
  HttpRequest request;
  std::vector<const char*> headerFields;  // name, value, ..., nullptr
  val resolve = val::undefined();
  val reject = val::undefined();
  double startedMs = 0;
};

val callError(const CallError& error) {
  return val::module_property("callError")(error.message, error.receivedCall, error.status);
}

void settle(emscripten_fetch_t* fetch) {
  std::unique_ptr<InFlight> call(static_cast<InFlight*>(fetch->userData));
  HttpResponse response;
  response.status = fetch->status;
  if (fetch->data != nullptr) response.body.assign(fetch->data, fetch->numBytes);
  response.elapsedMs = emscripten_get_now() - call->startedMs;
  // Emscripten 3.1.6 reports a timeout without marking the fetch done, and emscripten_fetch_close
  // would then call onerror again for a fetch it thinks is still running.
  fetch->readyState = 4;
  emscripten_fetch_close(fetch);

  const auto error = call->client->outcome(call->method, call->request, response);
  if (error) {
    call->reject(callError(*error));
  } else {
    call->resolve(val::undefined());
  }
}

std::vector<const char*> headerFields(const Headers& headers) {
  std::vector<const char*> fields;
  for (const auto& [name, value] : headers) {
    fields.push_back(name.c_str());
    fields.push_back(value.c_str());
  }
  fields.push_back(nullptr);
  return fields;
}

}  // namespace

val rejectedPromise(const CallError& error) {
  return val::module_property("rejectedCall")(error.message, error.receivedCall, error.status);
}

val sendRequest(std::shared_ptr<const Client> client, std::string method, HttpRequest request) {
  auto call = std::make_unique<InFlight>();
  call->headerFields = headerFields(client->headers());
  call->client = std::move(client);
  call->method = std::move(method);
  call->request = std::move(request);
  val deferred = val::module_property("deferred")();
  call->resolve = deferred["resolve"];
  call->reject = deferred["reject"];
  call->startedMs = emscripten_get_now();

  emscripten_fetch_attr_t attr;
  emscripten_fetch_attr_init(&attr);
  std::strcpy(attr.requestMethod, "POST");
  attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY;
  attr.requestHeaders = call->headerFields.data();
  attr.requestData = call->request.body.data();
  attr.requestDataSize = call->request.body.size();
  attr.timeoutMSecs = call->client->options().timeoutMs;
  attr.onsuccess = settle;
  attr.onerror = settle;
  attr.userData = call.get();
  const std::string url = call->request.url;
  call.release();  // settle() owns it from here, even if emscripten_fetch fails at once
  emscripten_fetch(&attr, url.c_str());
  return deferred["promise"];
}

}  // namespace outbound::bindings
