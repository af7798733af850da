// One `new outbound(...)`: the core's Client and DeliveryQueue, driven with emscripten_fetch and
// timers, and the Promises of the calls still in the queue.
#pragma once

#include <emscripten/val.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/client.hpp"
#include "core/delivery_queue.hpp"

namespace outbound::bindings {

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  explicit ClientSession(ClientSetup setup);
  ~ClientSession();

  /// Validates and queues one call of `method`; the Promise settles with its delivery.
  emscripten::val call(const char* method, const std::string& encodedArgs);
  /// A Promise that resolves once every call made so far has settled.
  emscripten::val flush();
  /// flush(), after which every call rejects.
  emscripten::val close();

 private:
  struct Deferred {
    emscripten::val resolve;
    emscripten::val reject;
  };

  void pump();
  void start(const Send& send);
  void finished(SendId send, const std::string& method, const std::string& path,
                const HttpResponse& response);
  void settle(const std::vector<Settled>& settled);
  void resolveFlushes();
  void setTimer();
  void cancelTimer();
  static void onTimer(void* holder);

  Client client_;
  DeliveryQueue queue_;
  std::map<CallId, Deferred> promises_;
  std::vector<std::pair<CallId, emscripten::val>> flushes_;  // (last call, resolve)
  long timerId_ = 0;
  std::shared_ptr<ClientSession>* timerHolder_ = nullptr;  // keeps us alive while a timer waits
  std::mt19937 random_;
  bool closed_ = false;
};

}  // namespace outbound::bindings
