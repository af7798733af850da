// A one-shot timer over emscripten_set_timeout that runs a std::function.
#pragma once

#include <functional>

namespace outbound::bindings {

class Timer {
 public:
  Timer() = default;
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { cancel(); }

  /// Runs `run` once after `delayMs`, replacing whatever was scheduled before.
  void start(double delayMs, std::function<void()> run);
  void cancel();
  bool pending() const { return scheduled_ != nullptr; }

 private:
  struct Scheduled {
    std::function<void()> run;
    Timer* owner;
  };
  static void fire(void* scheduled);

  long id_ = 0;
  Scheduled* scheduled_ = nullptr;
};

}  // namespace outbound::bindings
