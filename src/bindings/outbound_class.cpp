// The embind class `outbound`: the constructor, one entry point for the API methods of
// core/methods.hpp's table (`call`, by name, reached through promises.js's callApi), flush and
// close. Arguments are encoded by js_args.js and judged by the core; this file only connects the
// two.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bindings/client_session.hpp"
#include "bindings/glue.hpp"
#include "core/client.hpp"

namespace outbound::bindings {
namespace {

using emscripten::val;

// The constructor's arguments' text (`args` is a JavaScript array) is refused, before it is copied
// into the WebAssembly heap, when it is far too long.
std::string encodeArgs(std::size_t maxBodyBytes, const val& args) {
  return glue("encodeArgs")(static_cast<double>(maxBodyBytes), args).as<std::string>();
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

  /// Calls an API method: the `length` bytes at `text` (written by promises.js's callApi, which
  /// makes the Promise) are its name, a newline and its arguments as js_args.js encodes them.
  /// `online` is page.js's isOnline() as the call is made. Returns the call's id, or 0 when it is
  /// refused (then told to callApi through `refuse`). A name the method table lacks is refused like
  /// invalid arguments: the core looks every call up.
  double call(std::uintptr_t text, std::size_t length, bool online) {
    if (!session_) {
      glue("refuse")(constructionFailure(), val::undefined());
      return 0;
    }
    const std::string_view call(reinterpret_cast<const char*>(text), length);
    const std::size_t newline = std::min(call.find('\n'), call.size());
    return session_->call(call.substr(0, newline), call.substr(std::min(newline + 1, call.size())),
                          online);
  }
  /// The Map of this client's Promises, for callApi (see ClientSession::promises).
  val promises() const { return session_ ? session_->promises() : val::global("Map").new_(); }
  /// The client's options.maxBodyBytes, for callApi's check of a long text.
  std::size_t maxBodyBytes() const { return session_ ? session_->maxBodyBytes() : 0; }
  val flush() { return session_ ? session_->flush() : constructionRejected(); }
  val close() { return session_ ? session_->close() : constructionRejected(); }

 private:
  val constructionFailure() const { return glue("callError")(constructionError_, false); }
  val constructionRejected() const {
    return glue("OutboundPromise").call<val>("reject", constructionFailure());
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
  val args = val::array();
  args.set(0, apiKey);
  args.set(1, options);
  auto setup = readConstructorArgs(encodeArgs(kConstructorArgsMaxLength, args));
  if (!setup.ok()) return new OutboundClass(setup.error().message);
  warnAboutUnknownOptions(setup.value());
  // Functions do not survive the options' JSON text: onError and fetch are taken from the object
  // itself.
  auto session =
      std::make_shared<ClientSession>(std::move(setup.value()), glue("hooksOf")(options));
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
      .function("call", &OutboundClass::call)
      .function("promises", &OutboundClass::promises)
      .function("maxBodyBytes", &OutboundClass::maxBodyBytes)
      .function("constructionError", &OutboundClass::constructionError)
      .function("flush", &OutboundClass::flush)
      .function("close", &OutboundClass::close);
}

}  // namespace outbound::bindings
