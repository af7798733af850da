// One `new outbound(...)` in the module: the core's Session (all of delivery's policy) given its
// world through Emscripten (the clock, timers, emscripten_fetch, localStorage, page events), and
// the Promises of its calls and flushes. I/O only: every decision is the Session's.
#pragma once

#include <emscripten/val.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bindings/timer.hpp"
#include "core/session.hpp"

namespace outbound::bindings {

class ClientSession : public std::enable_shared_from_this<ClientSession>,
                      private Clock,
                      private Timers,
                      private Transport,
                      private Storage,
                      private Outcomes {
 public:
  /// `onError` is the caller's options.onError, or undefined for the default (a warning).
  ClientSession(ClientSetup setup, emscripten::val onError);

  /// Call once after construction: restores stored calls and starts watching the page.
  void start();

  /// Validates and queues one call of `method`; the Promise settles with its delivery.
  emscripten::val call(const char* method, const std::string& encodedArgs);
  /// A Promise that resolves once every call made so far has settled.
  emscripten::val flush();
  /// flush(), after which every call rejects.
  emscripten::val close();

  std::size_t maxBodyBytes() const { return session_.options().maxBodyBytes; }

  /// Every live session, when the page goes away (pagehide) or the network comes back (online).
  static void releaseAll();
  static void resumeAll();

 private:
  emscripten::val rejected(const CallError& error) const;
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

  Session session_;
  emscripten::val onError_;
  std::map<CallId, emscripten::val> promises_;
  std::vector<std::pair<FlushId, emscripten::val>> flushes_;  // few: one per flush() awaited
  std::array<Timer, kSessionTimerCount> timers_;
};

}  // namespace outbound::bindings
