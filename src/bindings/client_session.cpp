#include "bindings/client_session.hpp"

#include <emscripten/eventloop.h>

#include <chrono>
#include <utility>

#include "bindings/fetch_transport.hpp"

namespace outbound::bindings {
namespace {

using emscripten::val;

std::int64_t wallClockMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

val glue(const char* name) { return val::module_property(name); }

val callError(const CallError& error) {
  return glue("callError")(error.message, error.receivedCall, error.status);
}

val rejected(const CallError& error) { return val::global("Promise").call<val>("reject", callError(error)); }

val resolved() { return val::global("Promise").call<val>("resolve"); }

}  // namespace

ClientSession::ClientSession(ClientSetup setup)
    : client_(setup),
      queue_(setup.options.retry, setup.options.batch, setup.options.maxBodyBytes),
      random_(static_cast<std::mt19937::result_type>(wallClockMs())) {}

ClientSession::~ClientSession() { cancelTimer(); }

val ClientSession::call(const char* method, const std::string& encodedArgs) {
  if (closed_) {
    return rejected(invalidArgument(std::string(method) +
                                    ": close() was called on this client; it sends nothing more"));
  }
  auto request = client_.prepare(method, encodedArgs, wallClockMs());
  if (!request.ok()) return rejected(request.error());

  PendingCall pending;
  pending.method = method;
  pending.path = std::move(request.value().path);
  pending.body = std::move(request.value().body);
  pending.userIds = std::move(request.value().userIds);
  pending.batchable = pending.method == "track";
  const CallId id = queue_.add(std::move(pending), wallClockMs());

  val deferred = glue("deferred")();
  promises_.emplace(id, Deferred{deferred["resolve"], deferred["reject"]});
  pump();
  return deferred["promise"];
}

val ClientSession::flush() {
  const CallId last = queue_.lastCallId();
  queue_.flushUpTo(last);
  pump();
  if (queue_.settledUpTo(last)) return resolved();
  val deferred = glue("deferred")();
  flushes_.emplace_back(last, deferred["resolve"]);
  return deferred["promise"];
}

val ClientSession::close() {
  closed_ = true;
  return flush();
}

void ClientSession::pump() {
  for (const Send& send : queue_.takeDue(wallClockMs())) start(send);
  setTimer();
}

void ClientSession::start(const Send& send) {
  auto self = shared_from_this();  // the session outlives the request, whatever JS drops
  fetchPost(client_.options().baseUrl + send.path, send.body, client_.headers(),
            client_.options().timeoutMs,
            [self, id = send.id, method = send.method, path = send.path](const HttpResponse& response) {
              self->finished(id, method, path, response);
            });
}

void ClientSession::finished(SendId send, const std::string& method, const std::string& path,
                             const HttpResponse& response) {
  const std::int64_t now = wallClockMs();
  const auto failure = client_.outcome(method, path, response);
  std::optional<std::int64_t> retryAfter;
  if (failure && failure->receivedCall) {
    retryAfter = retryAfterDelayMs(headerValue(response.headers, "retry-after"), now);
  }
  const double random01 = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  settle(queue_.complete(send, failure, retryAfter, now, random01));
  resolveFlushes();
  pump();
}

void ClientSession::settle(const std::vector<Settled>& settled) {
  for (const auto& outcome : settled) {
    auto found = promises_.find(outcome.id);
    if (found == promises_.end()) continue;
    Deferred deferred = std::move(found->second);
    promises_.erase(found);
    if (outcome.error) {
      deferred.reject(callError(*outcome.error));
    } else {
      deferred.resolve(val::undefined());
    }
  }
}

void ClientSession::resolveFlushes() {
  for (auto flush = flushes_.begin(); flush != flushes_.end();) {
    if (queue_.settledUpTo(flush->first)) {
      flush->second(val::undefined());
      flush = flushes_.erase(flush);
    } else {
      ++flush;
    }
  }
}

// One timer at most, for the earliest moment something waiting may go. None when idle, so an
// idle client never keeps a Node process alive.
void ClientSession::setTimer() {
  cancelTimer();
  const auto wake = queue_.nextWakeMs();
  if (!wake) return;
  const double delayMs = static_cast<double>(std::max<std::int64_t>(0, *wake - wallClockMs()));
  timerHolder_ = new std::shared_ptr<ClientSession>(shared_from_this());
  timerId_ = emscripten_set_timeout(&ClientSession::onTimer, delayMs, timerHolder_);
}

void ClientSession::cancelTimer() {
  if (timerHolder_ == nullptr) return;
  emscripten_clear_timeout(timerId_);
  auto* holder = timerHolder_;
  timerHolder_ = nullptr;
  delete holder;  // may be the last owner: nothing of `this` is touched after it
}

void ClientSession::onTimer(void* holder) {
  std::unique_ptr<std::shared_ptr<ClientSession>> owner(static_cast<std::shared_ptr<ClientSession>*>(holder));
  ClientSession& session = **owner;
  session.timerHolder_ = nullptr;
  session.pump();
}

}  // namespace outbound::bindings
