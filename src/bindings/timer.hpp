// A one-shot timer over emscripten_set_timeout that calls back an object it keeps alive until then.
#pragma once

#include <memory>

namespace outbound::bindings {

/// What a timer calls back: `fired(tag)`, with the tag it was started with.
class TimerClient {
 public:
  virtual void fired(int tag) = 0;

 protected:
  ~TimerClient() = default;
};

class Timer {
 public:
  Timer() = default;
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { cancel(); }

  /// Calls `client->fired(tag)` once after `delayMs`, replacing whatever was scheduled before.
  void start(double delayMs, std::shared_ptr<TimerClient> client, int tag);
  void cancel();
  bool pending() const { return scheduled_ != nullptr; }

 private:
  // A plain record, not a std::function: each callable type stored in one costs the .wasm its own
  // copy of std::function's machinery.
  struct Scheduled {
    std::shared_ptr<TimerClient> client;
    int tag;
    Timer* owner;
  };
  static void fire(void* scheduled);

  long id_ = 0;
  Scheduled* scheduled_ = nullptr;
};

}  // namespace outbound::bindings
