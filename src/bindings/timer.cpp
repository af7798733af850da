#include "bindings/timer.hpp"

#include <emscripten/eventloop.h>

#include <memory>
#include <utility>

namespace outbound::bindings {

void Timer::start(double delayMs, std::shared_ptr<TimerClient> client, int tag) {
  cancel();
  scheduled_ = new Scheduled{std::move(client), tag, this};
  id_ = emscripten_set_timeout(&Timer::fire, delayMs, scheduled_);
}

void Timer::cancel() {
  if (scheduled_ == nullptr) return;
  emscripten_clear_timeout(id_);
  // The record may hold the last reference to this timer's owner: release it last.
  std::unique_ptr<Scheduled> dropped(scheduled_);
  scheduled_ = nullptr;
}

void Timer::fire(void* scheduled) {
  std::unique_ptr<Scheduled> due(static_cast<Scheduled*>(scheduled));
  due->owner->scheduled_ = nullptr;
  due->client->fired(due->tag);
}

}  // namespace outbound::bindings
