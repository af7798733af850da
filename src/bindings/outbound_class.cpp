// The embind class `outbound`: the constructor and 14 methods of docs/contract.md, each returning a
// Promise. Arguments are encoded by js_args.js and judged by the core; this file only connects the
// two.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>

#include "bindings/client_session.hpp"
#include "bindings/glue.hpp"
#include "core/client.hpp"

namespace outbound::bindings {
namespace {

using emscripten::val;

// The arguments' text is refused, before it is copied into the WebAssembly heap, when it could not
// fit a request body (a 50 MB string, say).
template <class... Args>
std::string encodeArgs(std::size_t maxBodyBytes, const Args&... args) {
  return glue("encodeArgs")(static_cast<double>(maxBodyBytes), args...).template as<std::string>();
}

void warnAboutUnknownOptions(const ClientSetup& setup) {
  for (const auto& warning : setup.warnings) glue("warnOnce")(warning);
}

class OutboundClass {
 public:
  explicit OutboundClass(std::shared_ptr<ClientSession> session) : session_(std::move(session)) {}
  explicit OutboundClass(std::string constructionError)
      : constructionError_(std::move(constructionError)) {}

  /// Why the constructor's arguments were refused, or "" (the class throws it as a TypeError).
  std::string constructionError() const { return constructionError_; }

  val identify(val userId, val attributes) { return call("identify", userId, attributes); }
  val alias(val userId, val previousId) { return call("alias", userId, previousId); }
  val track(val userId, val event, val properties, val timestamp) {
    return call("track", userId, event, properties, timestamp);
  }
  val trackBatch(val events) { return call("trackBatch", events); }
  val registerApnsToken(val userId, val token) { return call("registerApnsToken", userId, token); }
  val registerGcmToken(val userId, val token) { return call("registerGcmToken", userId, token); }
  val disableApnsToken(val userId, val token) { return call("disableApnsToken", userId, token); }
  val disableGcmToken(val userId, val token) { return call("disableGcmToken", userId, token); }
  val disableAllApnsTokens(val userId) { return call("disableAllApnsTokens", userId); }
  val disableAllGcmTokens(val userId) { return call("disableAllGcmTokens", userId); }
  val subscribeAll(val userId) { return call("subscribeAll", userId); }
  val unsubscribeAll(val userId) { return call("unsubscribeAll", userId); }
  val subscribeCampaigns(val userId, val campaignIds) {
    return call("subscribeCampaigns", userId, campaignIds);
  }
  val unsubscribeCampaigns(val userId, val campaignIds) {
    return call("unsubscribeCampaigns", userId, campaignIds);
  }
  val flush() { return session_ ? session_->flush() : call("flush"); }
  val close() { return session_ ? session_->close() : call("close"); }

 private:
  template <class... Args>
  val call(const char* method, const Args&... args) {
    if (!session_) {
      return val::global("Promise").call<val>("reject", glue("typeError")(constructionError_));
    }
    return session_->call(method, encodeArgs(session_->maxBodyBytes(), args...));
  }

  std::shared_ptr<ClientSession> session_;  // also held by requests and timers still pending
  std::string constructionError_;
};

// No key and options come near this; a far longer text is refused as too long.
constexpr std::size_t kConstructorArgsMaxLength = 64 * 1024;

// A bad key or option must throw a TypeError from the constructor (docs/contract.md, API). A
// JavaScript exception thrown through WebAssembly frames never restores the module's stack pointer,
// so nothing throws here: the object carries the problem, and js/outbound-api.js throws it.
OutboundClass* construct(val apiKey, val options) {
  auto setup = readConstructorArgs(encodeArgs(kConstructorArgsMaxLength, apiKey, options));
  if (!setup.ok()) return new OutboundClass(setup.error().message);
  warnAboutUnknownOptions(setup.value());
  // Functions do not survive the options' JSON text: onError is taken from the object itself.
  val onError = glue("functionOption")(options, std::string("onError"));
  auto session = std::make_shared<ClientSession>(std::move(setup.value()), std::move(onError));
  session->start();
  return new OutboundClass(std::move(session));
}

}  // namespace

EMSCRIPTEN_BINDINGS(outbound) {
  // For page.js's listeners (pagehide, online, pageshow).
  emscripten::function("releaseAll", &ClientSession::releaseAll);
  emscripten::function("resumeAll", &ClientSession::resumeAll);

  emscripten::class_<OutboundClass>("outbound")
      .constructor(&construct, emscripten::allow_raw_pointers())
      .function("identify", &OutboundClass::identify)
      .function("alias", &OutboundClass::alias)
      .function("track", &OutboundClass::track)
      .function("trackBatch", &OutboundClass::trackBatch)
      .function("registerApnsToken", &OutboundClass::registerApnsToken)
      .function("registerGcmToken", &OutboundClass::registerGcmToken)
      .function("disableApnsToken", &OutboundClass::disableApnsToken)
      .function("disableGcmToken", &OutboundClass::disableGcmToken)
      .function("disableAllApnsTokens", &OutboundClass::disableAllApnsTokens)
      .function("disableAllGcmTokens", &OutboundClass::disableAllGcmTokens)
      .function("subscribeAll", &OutboundClass::subscribeAll)
      .function("unsubscribeAll", &OutboundClass::unsubscribeAll)
      .function("subscribeCampaigns", &OutboundClass::subscribeCampaigns)
      .function("unsubscribeCampaigns", &OutboundClass::unsubscribeCampaigns)
      .function("constructionError", &OutboundClass::constructionError)
      .function("flush", &OutboundClass::flush)
      .function("close", &OutboundClass::close);
}

}  // namespace outbound::bindings
