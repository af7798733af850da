// One `new outbound(...)`: the core's Client and DeliveryQueue driven with emscripten_fetch and
// timers, the Promises of the calls in the queue, and in browsers the durable copy of the queue
// in localStorage (policy in core/persisted_queue; this file only does the I/O).
#pragma once

#include <emscripten/val.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bindings/timer.hpp"
#include "core/client.hpp"
#include "core/delivery_queue.hpp"
#include "core/persisted_queue.hpp"

namespace outbound::bindings {

class ClientSession : public std::enable_shared_from_this<ClientSession> {
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

  std::size_t maxBodyBytes() const { return client_.options().maxBodyBytes; }

  /// Every live session, when the page goes away (pagehide) or the network comes back (online).
  /// Going away, the undelivered calls also go out as keepalive requests and stay stored.
  static void releaseAll();
  static void resumeAll();

 private:
  void pump();
  void send(const Send& send);
  void finished(SendId send, const std::string& method, const std::string& path,
                const HttpResponse& response);
  void settle(const std::vector<Settled>& settled);
  emscripten::val rejected(const CallError& error) const;
  void sendFarewell();
  void resolveFlushes();
  void setWakeTimer();
  void wakeNoLaterThan(std::int64_t wakeMs);

  void save(bool released = false);
  void scheduleSave();
  void scheduleHeartbeat();
  void claimOrphans();
  void adoptClaimed(const std::vector<std::string>& keys);

  Client client_;
  DeliveryQueue queue_;
  emscripten::val onError_;
  std::map<CallId, emscripten::val> promises_;  // calls restored from storage have none
  std::vector<std::pair<CallId, emscripten::val>> flushes_;  // (last call, its Promise)
  Timer wakeTimer_;
  std::int64_t wakeAtMs_ = 0;  // when wakeTimer_ fires
  Timer saveTimer_;
  Timer heartbeatTimer_;
  Timer claimTimer_;
  std::mt19937 random_;
  bool closed_ = false;

  bool persist_ = false;
  PersistLimits limits_;
  std::string namespace_;   // "outbound:<hash of the key>"
  std::string tab_;         // this page load
  std::string storageKey_;  // namespace_ + ":q:" + tab_
};

}  // namespace outbound::bindings
