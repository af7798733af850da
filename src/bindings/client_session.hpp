// One `new outbound(...)` in the module: the core's Session (all of delivery's policy) given its
// world through Emscripten (the clock, timers, requests, localStorage, page events), and
// the Promises of its calls and flushes. I/O only: every decision is the Session's.
#pragma once

#include <emscripten/val.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bindings/fetch_transport.hpp"
#include "bindings/timer.hpp"
#include "core/session.hpp"

namespace outbound::bindings {

class ClientSession : public std::enable_shared_from_this<ClientSession>,
                      private Clock,
                      private Timers,
                      private Transport,
                      private Storage,
                      private Outcomes,
                      private TimerClient,
                      private AnswerSink {
 public:
  /// `hooks`: what of the options the core cannot read (promises.js hooksOf), handed back to
  /// JavaScript with each request and failure.
  ClientSession(ClientSetup setup, emscripten::val hooks);
  ~ClientSession();

  /// Call once after construction: restores stored calls and starts watching the page.
  void start();

  /// Validates and queues one call of `method`: its id, whose Promise (made by promises.js's
  /// callApi in promises()) settles with its delivery; or 0, refused (promises.js's `refuse`).
  /// `online`: whether the network is up, as callApi has just found. A disabled client's valid
  /// call is -1: its Promise resolves at once.
  double call(std::string_view method, std::string_view encodedArgs, bool online);
  /// A Promise that resolves once every call made so far has settled.
  emscripten::val flush();
  /// flush(), after which every call rejects.
  emscripten::val close();

  std::size_t maxBodyBytes() const { return session_.options().maxBodyBytes; }
  /// The Promises of this client's calls and flushes (promises.js `pending`): a JavaScript Map, by
  /// a call's id or minus a flush's id.
  const emscripten::val& promises() const { return promises_; }

  /// Every live session, when the page goes away (pagehide) or the network comes back (online).
  static void releaseAll();
  static void resumeAll();

 private:
  /// `storage`: whether this client keeps a durable copy (options.persist, and storage is there).
  ClientSession(ClientSetup setup, emscripten::val hooks, bool storage);

  emscripten::val awaited(std::optional<FlushId> flush);

  // The Session's world.
  std::int64_t nowMs() override;
  void start(SessionTimer which, std::int64_t delayMs) override;
  void cancel(SessionTimer which) override;
  bool online() override;
  void post(SendId send, const std::string& url, const std::string& body, const Headers& headers,
            std::uint32_t timeoutMs) override;
  void postKeepalive(const std::string& url, const std::string& body,
                     const Headers& headers) override;
  std::string get(const std::string& key) override;
  bool set(const std::string& key, const std::string& value) override;
  void remove(const std::string& key) override;
  std::vector<std::string> keys(const std::string& prefix) override;
  void settled(CallId id, const CallError* error) override;
  void flushed(FlushId id) override;
  void unawaitedFailure(const CallError& error) override;
  void warn(const std::string& text) override;
  void log(DebugEvent event, const std::string& subject, std::size_t calls,
           const std::string& detail) override;

  // Its timers and requests, ending.
  void fired(int tag) override;
  void answered(SendId send, const HttpResponse& response) override;

  Session session_;
  emscripten::val hooks_;
  emscripten::val promises_;
  std::optional<bool> onlineInCall_;  // call()'s `online`, while it runs: no trip to ask again
  std::array<Timer, kSessionTimerCount> timers_;
};

}  // namespace outbound::bindings
