#include "core/session.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "core/http_headers.hpp"
#include "core/methods.hpp"

namespace outbound {
namespace {

PendingCall pendingCall(std::string method, std::string path, std::string body,
                        std::vector<std::string> userIds) {
  PendingCall pending;
  pending.method = std::move(method);
  pending.path = std::move(path);
  pending.body = std::move(body);
  pending.userIds = std::move(userIds);
  markDeliveryKind(pending);
  return pending;
}

std::int64_t claimedAtMs(const std::string& claim) {
  const size_t at = claim.rfind('@');
  return at == std::string::npos ? 0 : std::atoll(claim.c_str() + at + 1);
}

}  // namespace

Session::Session(ClientSetup setup, SessionWorld world, std::string tab, std::uint32_t seed)
    : client_(setup),
      queue_(setup.options.retry, setup.options.batch, setup.options.maxBodyBytes,
             setup.options.maxInFlight),
      world_(world),
      random_(seed),
      persist_(setup.options.persist && !setup.options.disabled && world.storage != nullptr),
      namespace_(storageNamespace(setup.apiKey)),
      tab_(std::move(tab)),
      storageKey_(namespace_ + ":q:" + tab_) {}

void Session::start() {
  if (persist_) claimOrphans();
}

Result<CallId> Session::call(std::string_view method, std::string_view encodedArgs) {
  if (closed_) {
    return invalidArgument(std::string(method) +
                           ": close() was called on this client; it sends nothing more");
  }
  const std::int64_t now = world_.clock.nowMs();
  auto request = client_.prepare(method, encodedArgs, now);
  if (!request.ok()) return request.error();
  if (client_.options().disabled) {
    if (client_.options().debug) {
      world_.outcomes.log(DebugEvent::NotSent, std::string(method), 0, "");
    }
    return kNotSent;
  }
  HttpRequest& built = request.value();
  PendingCall pending = pendingCall(std::string(method), std::move(built.path),
                                    std::move(built.body), std::move(built.userIds));

  Accepted accepted;
  if (world_.transport.online()) {
    accepted = queue_.accept(std::move(pending), now);
  } else {
    accepted.id = queue_.add(std::move(pending), now);  // held: resume() sends it
  }
  std::optional<CallError> droppedAtOnce;
  if (persist_) {
    auto dropped = queue_.dropOldestBeyond(limits_.maxCalls, limits_.maxBytes);
    const auto self = std::find_if(dropped.begin(), dropped.end(),
                                   [&](const Settled& s) { return s.id == accepted.id; });
    if (self != dropped.end()) {
      droppedAtOnce = self->error;
      dropped.erase(self);
    }
    report(dropped);
  }
  startSends(accepted.start);
  if (accepted.wakeBy) wakeNoLaterThan(*accepted.wakeBy);
  scheduleSave();
  if (droppedAtOnce) return *droppedAtOnce;
  return accepted.id;
}

std::optional<FlushId> Session::flush() {
  const CallId last = queue_.lastCallId();
  queue_.flushUpTo(last);
  pump();
  if (queue_.settledUpTo(last)) return std::nullopt;
  flushes_.emplace_back(last, nextFlushId_);
  return nextFlushId_++;
}

std::optional<FlushId> Session::close() {
  closed_ = true;
  return flush();
}

// Starts what is due, then sleeps until the next thing is. Offline, nothing starts and no timer
// runs: resume() does.
void Session::pump() {
  if (!world_.transport.online()) {
    cancelTimer(SessionTimer::Wake);
    return;
  }
  startSends(queue_.takeDue(world_.clock.nowMs()));
  setWakeTimer();
}

void Session::startSends(const std::vector<Send>& sends) {
  for (const Send& send : sends) {
    inFlight_.push_back(Posted{send.id, send.method, send.path, send.calls.size()});
    const std::string url = client_.options().baseUrl + send.path;
    if (client_.options().debug) {
      world_.outcomes.log(DebugEvent::Sending, url, send.calls.size(), client_.quoted(send.body));
    }
    world_.transport.post(send.id, url, send.body, client_.headers(), client_.options().timeoutMs);
  }
}

// A failed request's calls that did not settle are retried (docs/delivery.md).
void Session::logOutcome(const Posted& posted, const HttpResponse& response,
                         const std::optional<CallError>& failure, std::size_t callsSettled) {
  if (!failure) {
    world_.outcomes.log(DebugEvent::Delivered, posted.path, posted.calls,
                        std::to_string(response.status));
  } else {
    world_.outcomes.log(
        callsSettled < posted.calls ? DebugEvent::ToBeRetried : DebugEvent::FailedForGood,
        failure->message, posted.calls, "");
  }
}

void Session::finished(SendId send, const HttpResponse& response) {
  const auto found = std::find_if(inFlight_.begin(), inFlight_.end(),
                                  [&](const Posted& posted) { return posted.send == send; });
  if (found == inFlight_.end()) return;
  const Posted posted = std::move(*found);
  inFlight_.erase(found);

  const std::int64_t now = world_.clock.nowMs();
  const auto failure = client_.outcome(posted.method, posted.path, response);
  std::optional<std::int64_t> retryAfter;
  if (failure && failure->receivedCall) {
    retryAfter = retryAfterDelayMs(headerValue(response.headers, "retry-after"), now);
  }
  const double random01 = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  const auto settled = queue_.complete(send, failure, retryAfter, now, random01);
  if (client_.options().debug) logOutcome(posted, response, failure, settled.size());
  report(settled);
  resolveFlushes();
  pump();
  scheduleSave();
}

void Session::report(const std::vector<Settled>& settled) {
  for (const auto& outcome : settled) {
    if (restored_.erase(outcome.id) == 0) {
      world_.outcomes.settled(outcome.id, outcome.error ? &*outcome.error : nullptr);
    } else if (outcome.error) {
      CallError error = *outcome.error;
      error.message = "a call restored from an earlier page failed: " + error.message;
      world_.outcomes.unawaitedFailure(error);
    }
  }
}

void Session::resolveFlushes() {
  for (auto flush = flushes_.begin(); flush != flushes_.end();) {
    if (queue_.settledUpTo(flush->first)) {
      world_.outcomes.flushed(flush->second);
      flush = flushes_.erase(flush);
    } else {
      ++flush;
    }
  }
}

void Session::timerFired(SessionTimer which) {
  timerPending_[static_cast<size_t>(which)] = false;
  switch (which) {
    case SessionTimer::Wake:
      pump();
      break;
    case SessionTimer::Save:
      save();
      scheduleHeartbeat();
      break;
    case SessionTimer::Heartbeat:
      scheduleSave();
      break;
    case SessionTimer::Claim:
      adoptClaimed();
      break;
  }
}

void Session::resume() { pump(); }

void Session::release() {
  sendFarewell();
  save(true);
}

// --- timers ------------------------------------------------------------------------------------

// One wake-up at most, for the earliest moment something waiting may go. None when idle, so an
// idle client never keeps a Node process alive.
void Session::setWakeTimer() {
  const auto wake = queue_.nextWakeMs();
  if (!wake) {
    cancelTimer(SessionTimer::Wake);
    return;
  }
  if (timerPending(SessionTimer::Wake) && wakeAtMs_ == *wake) return;
  cancelTimer(SessionTimer::Wake);
  wakeNoLaterThan(*wake);
}

void Session::wakeNoLaterThan(std::int64_t wakeMs) {
  if (timerPending(SessionTimer::Wake) && wakeAtMs_ <= wakeMs) return;
  wakeAtMs_ = wakeMs;
  startTimer(SessionTimer::Wake, std::max<std::int64_t>(0, wakeMs - world_.clock.nowMs()));
}

void Session::startTimer(SessionTimer which, std::int64_t delayMs) {
  timerPending_[static_cast<size_t>(which)] = true;
  world_.timers.start(which, delayMs);
}

void Session::cancelTimer(SessionTimer which) {
  if (!timerPending(which)) return;
  timerPending_[static_cast<size_t>(which)] = false;
  world_.timers.cancel(which);
}

bool Session::timerPending(SessionTimer which) const {
  return timerPending_[static_cast<size_t>(which)];
}

// --- the durable copy of the queue (browsers) ------------------------------------------------

// Writes every undelivered call (in flight too: its answer may never come) under this tab's key.
void Session::save(bool released) {
  if (!persist_) return;
  if (queue_.pending().empty()) {
    world_.storage->remove(storageKey_);
    return;
  }
  StoredQueue stored{tab_, world_.clock.nowMs(), released, {}};
  for (const auto& call : queue_.pending()) {
    stored.calls.push_back(
        StoredCall{call->method, call->path, call->body, call->userIds, call->acceptedMs});
  }
  if (!world_.storage->set(storageKey_, encodeStoredQueue(stored))) {
    world_.outcomes.warn(
        "outbound: localStorage refused the queue of undelivered calls (full or blocked); they "
        "are kept in memory only");
  }
}

// Many changes in one turn make one write, soon: a call delivered must leave the stored copy
// before the page may close, or a later page sends it again.
void Session::scheduleSave() {
  if (!persist_ || timerPending(SessionTimer::Save)) return;
  startTimer(SessionTimer::Save, 0);
}

// While calls wait, a heartbeat write says this tab is alive, so no other tab takes them over.
void Session::scheduleHeartbeat() {
  if (queue_.pending().empty()) {
    cancelTimer(SessionTimer::Heartbeat);
  } else if (!timerPending(SessionTimer::Heartbeat)) {
    startTimer(SessionTimer::Heartbeat, limits_.heartbeatMs);
  }
}

// Stored queues of pages that were left (or crashed long ago) are claimed: a claim is written,
// and only if it is still ours a moment later (another tab may have claimed at the same time)
// are the calls taken over.
void Session::claimOrphans() {
  const std::int64_t now = world_.clock.nowMs();
  claim_ = tab_ + "@" + std::to_string(now);
  for (const auto& key : world_.storage->keys(namespace_ + ":q:")) {
    if (key == storageKey_ || key.find(":claim") != std::string::npos) continue;
    const auto stored = decodeStoredQueue(world_.storage->get(key));
    if (!stored || !isOrphaned(*stored, now, limits_)) continue;
    const std::string previous = world_.storage->get(key + ":claim");
    if (!previous.empty() && now - claimedAtMs(previous) < kClaimLifetimeMs) continue;
    if (world_.storage->set(key + ":claim", claim_)) claimed_.push_back(key);
  }
  if (!claimed_.empty()) startTimer(SessionTimer::Claim, kClaimSettleMs);
}

void Session::adoptClaimed() {
  for (const auto& key : std::exchange(claimed_, {})) {
    if (world_.storage->get(key + ":claim") != claim_) continue;  // another tab's claim won
    const auto stored = decodeStoredQueue(world_.storage->get(key));
    world_.storage->remove(key);
    world_.storage->remove(key + ":claim");
    if (!stored) continue;
    for (const auto& call : stored->calls) {
      restored_.insert(queue_.add(pendingCall(call.method, call.path, call.body, call.userIds),
                                  call.acceptedMs));
    }
  }
  report(queue_.dropOldestBeyond(limits_.maxCalls, limits_.maxBytes));
  pump();
  scheduleSave();
}

// What is undelivered also goes out as keepalive requests, which outlive the page. The stored copy
// stays, so a later page delivers whatever these lose (at least once: some calls may then arrive
// twice).
void Session::sendFarewell() {
  for (const Send& farewell : queue_.farewellSends(kFarewellBudgetBytes)) {
    world_.transport.postKeepalive(client_.options().baseUrl + farewell.path, farewell.body,
                                   client_.headers());
  }
}

}  // namespace outbound
