#include "core/delivery_queue.hpp"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

#include "core/methods.hpp"

namespace outbound {
namespace {

// One scan of the queue in call order: which waiting calls an earlier unsettled call of their
// users holds back. Per user, a non-event holds back every later call, an event the later
// non-events. Waiting calls are noted as the scan passes them (pointing into their own strings:
// the scan is short-lived); calls in flight are known by their ids, so the scan skips them.
class ScanOrder {
 public:
  ScanOrder(const CallIdsByUser& eventsInFlight, const CallIdsByUser& nonEventsInFlight)
      : eventsInFlight_(eventsInFlight), nonEventsInFlight_(nonEventsInFlight) {}

  /// Whether `call`, not in flight, must wait; from here on it holds back later calls itself.
  bool heldBack(const PendingCall& call) {
    const bool held = anyNoted(nonEvents_, call.userIds) ||
                      anyEarlier(nonEventsInFlight_, call.userIds, call.id) ||
                      (!call.isEvent && (anyNoted(events_, call.userIds) ||
                                         anyEarlier(eventsInFlight_, call.userIds, call.id)));
    (call.isEvent ? events_ : nonEvents_).insert(call.userIds.begin(), call.userIds.end());
    return held;
  }

 private:
  static bool anyNoted(const std::set<std::string_view>& noted,
                       const std::vector<std::string>& users) {
    return std::any_of(users.begin(), users.end(), [&](const auto& u) { return noted.count(u); });
  }

  static bool anyEarlier(const CallIdsByUser& byUser, const std::vector<std::string>& users,
                         CallId id) {
    return std::any_of(users.begin(), users.end(), [&](const std::string& user) {
      const auto found = byUser.find(user);
      return found != byUser.end() && *found->second.begin() < id;
    });
  }

  const CallIdsByUser& eventsInFlight_;
  const CallIdsByUser& nonEventsInFlight_;
  std::set<std::string_view> events_;     // users with an earlier waiting event
  std::set<std::string_view> nonEvents_;  // users with an earlier waiting non-event
};

// A /track/batch request: its body is the JSON array of its track calls' bodies.
Send emptyBatch(SendId id) { return Send{id, "track", "/track/batch", "[", {}}; }

void addToBatch(Send& batch, const PendingCall& call) {
  if (!batch.calls.empty()) batch.body += ',';
  batch.body += call.body;
  batch.calls.push_back(call.id);
}

std::string withAttempts(std::string message, int attempts) {
  if (attempts <= 1) return message;
  return message + " (after " + std::to_string(attempts) + " attempts)";
}

}  // namespace

void markDeliveryKind(PendingCall& call) {
  const MethodSpec* method = findMethod(call.method);
  call.isEvent = method != nullptr && method->isEvent();
  call.batchable = method != nullptr && method->batchable();
}

DeliveryQueue::DeliveryQueue(RetryPolicy retry, BatchOptions batch, std::size_t maxBodyBytes,
                             std::size_t maxInFlight)
    : retry_(retry),
      batch_(batch),
      maxBodyBytes_(maxBodyBytes),
      maxInFlight_(std::max<std::size_t>(1, maxInFlight)) {}

CallId DeliveryQueue::add(PendingCall call, std::int64_t nowMs) {
  call.id = nextCallId_++;
  call.acceptedMs = nowMs;
  call.notBeforeMs = nowMs;
  call.inFlight.reset();
  for (const auto& user : call.userIds) {
    ++unsettledByUser_[user];
    if (!call.isEvent) ++unsettledNonEventsByUser_[user];
  }
  // Enough tracks to fill a batch make a scan worth it; before that they wait for their deadline.
  if (batched(call)) {
    scanWorthwhile_ |= ++tracksSinceScan_ >= batch_.maxEvents || batch_.flushIntervalMs == 0 ||
                       call.id <= flushUpTo_;
  }
  calls_.push_back(std::make_unique<PendingCall>(std::move(call)));
  return calls_.back()->id;
}

Accepted DeliveryQueue::accept(PendingCall call, std::int64_t nowMs) {
  Accepted accepted;
  accepted.id = add(std::move(call), nowMs);
  if (auto alone = startIfFree(accepted.id)) {
    accepted.start.push_back(std::move(*alone));
  } else if (!hasRoom()) {
    // maxInFlight requests are in flight: the next to complete makes room.
  } else if (scanWorthwhile_) {
    accepted.start = takeDue(nowMs);
    accepted.wakeBy = nextWakeMs();
  } else {
    accepted.wakeBy = deadlineOf(accepted.id);
  }
  return accepted;
}

std::optional<Send> DeliveryQueue::startIfFree(CallId id) {
  if (!hasRoom() || calls_.empty() || calls_.back()->id != id) return std::nullopt;
  PendingCall& call = *calls_.back();
  // An event waits only for earlier non-events of its users; anything else for every earlier call.
  const bool free = std::all_of(call.userIds.begin(), call.userIds.end(), [&](const auto& user) {
    const auto& counts = call.isEvent ? unsettledNonEventsByUser_ : unsettledByUser_;
    const auto found = counts.find(user);  // find, not []: a zero entry would never be removed
    const std::size_t count = found == counts.end() ? 0 : found->second;
    return call.isEvent ? count == 0 : count == 1;
  });
  if (batched(call) || !free) return std::nullopt;
  return makeSingle(call);
}

std::int64_t DeliveryQueue::deadlineOf(CallId id) const {
  for (auto call = calls_.rbegin(); call != calls_.rend(); ++call) {
    if ((*call)->id != id) continue;
    return batched(**call) ? (*call)->acceptedMs + batch_.flushIntervalMs : (*call)->notBeforeMs;
  }
  return 0;
}

bool DeliveryQueue::batchIsDue(const std::vector<size_t>& members, std::int64_t nowMs) const {
  if (members.size() >= batch_.maxEvents) return true;
  return std::any_of(members.begin(), members.end(), [&](size_t i) {
    return calls_[i]->id <= flushUpTo_ || calls_[i]->acceptedMs + batch_.flushIntervalMs <= nowMs;
  });
}

Send DeliveryQueue::makeSingle(PendingCall& call) {
  const SendId id = nextSendId_++;
  ++sendsInFlight_;
  markInFlight(call, id, 1);
  return Send{id, call.method, call.path, call.body, {call.id}};
}

void DeliveryQueue::markInFlight(PendingCall& call, SendId send, std::size_t callsInSend) {
  call.inFlight = send;
  call.callsInFlightWith = callsInSend;
  ++call.attempts;
  auto& byUser = call.isEvent ? eventsInFlightByUser_ : nonEventsInFlightByUser_;
  for (const auto& user : call.userIds) byUser[user].insert(call.id);
}

void DeliveryQueue::markLanded(PendingCall& call) {
  call.inFlight.reset();
  auto& byUser = call.isEvent ? eventsInFlightByUser_ : nonEventsInFlightByUser_;
  for (const auto& user : call.userIds) {
    const auto found = byUser.find(user);
    if (found == byUser.end()) continue;
    found->second.erase(call.id);
    if (found->second.empty()) byUser.erase(found);
  }
}

Send DeliveryQueue::makeBatch(const std::vector<size_t>& members) {
  Send send = emptyBatch(nextSendId_++);
  ++sendsInFlight_;
  for (const size_t i : members) {
    markInFlight(*calls_[i], send.id, members.size());
    addToBatch(send, *calls_[i]);
  }
  send.body += ']';
  return send;
}

std::vector<Send> DeliveryQueue::takeDue(std::int64_t nowMs) {
  scanWorthwhile_ = false;
  tracksSinceScan_ = 0;
  std::vector<Send> sends;
  ScanOrder order(eventsInFlightByUser_, nonEventsInFlightByUser_);
  std::vector<size_t> batch;   // track calls gathering into one request
  std::size_t batchBytes = 2;  // "[" and "]"
  auto closeBatch = [&](bool send) {
    if (send && !batch.empty()) sends.push_back(makeBatch(batch));
    batch.clear();
    batchBytes = 2;
  };

  // Once maxInFlight requests are in flight the scan stops: what it has not reached waits for a
  // complete(), which makes room. So a long queue costs a short scan per request, not a long one.
  for (size_t i = 0; i < calls_.size() && hasRoom(); ++i) {
    PendingCall& call = *calls_[i];
    // heldBack is asked of every waiting call, due or not: it notes whom the call holds back.
    if (call.inFlight || order.heldBack(call) || call.notBeforeMs > nowMs) continue;
    if (!batched(call)) {
      sends.push_back(makeSingle(call));
      continue;
    }
    const bool full = batch.size() == batch_.maxEvents ||
                      (!batch.empty() && batchBytes + 1 + call.body.size() > maxBodyBytes_);
    if (full) {
      closeBatch(true);
      if (!hasRoom()) break;
    }
    batch.push_back(i);
    batchBytes += call.body.size() + (batch.size() > 1 ? 1 : 0);
  }
  closeBatch(hasRoom() && batchIsDue(batch, nowMs));
  return sends;
}

std::vector<Settled> DeliveryQueue::settle(std::vector<size_t> members,
                                           const std::optional<CallError>& failure) {
  std::vector<Settled> settled;  // members ascend, and so do their ids
  for (const size_t i : members) {
    std::optional<CallError> error = failure;
    if (error) error->message = withAttempts(error->message, calls_[i]->attempts);
    settled.push_back(Settled{calls_[i]->id, std::move(error)});
  }
  for (const size_t i : members) {
    for (const auto& user : calls_[i]->userIds) {
      if (--unsettledByUser_[user] == 0) unsettledByUser_.erase(user);
      if (!calls_[i]->isEvent && --unsettledNonEventsByUser_[user] == 0) {
        unsettledNonEventsByUser_.erase(user);
      }
    }
  }
  // One pass: erasing the members one by one would move the queue's tail once for each.
  size_t next = 0;
  size_t kept = 0;
  for (size_t i = 0; i < calls_.size(); ++i) {
    if (next < members.size() && members[next] == i) {
      ++next;
      continue;
    }
    if (kept != i) calls_[kept] = std::move(calls_[i]);
    ++kept;
  }
  calls_.erase(calls_.begin() + static_cast<std::ptrdiff_t>(kept), calls_.end());
  return settled;
}

std::vector<Settled> DeliveryQueue::complete(SendId send, const std::optional<CallError>& failure,
                                             std::optional<std::int64_t> retryAfterMs,
                                             std::int64_t nowMs, double random01) {
  std::vector<size_t> finished;
  bool wasInFlight = false;
  // The scan stops at the send's last call: in a long queue, the calls in flight come first.
  std::size_t left = 1;
  for (size_t i = 0; i < calls_.size() && left > 0; ++i) {
    PendingCall& call = *calls_[i];
    if (call.inFlight != send) continue;
    if (!wasInFlight) left = call.callsInFlightWith;
    wasInFlight = true;
    --left;
    markLanded(call);
    const bool tryAgain =
        failure && isRetryable(failure->status) && call.attempts <= retry_.retries;
    if (tryAgain) {
      call.notBeforeMs = nowMs + nextAttemptDelayMs(retry_, call.attempts, retryAfterMs, random01);
    } else {
      finished.push_back(i);
    }
  }
  if (wasInFlight) --sendsInFlight_;
  return settle(std::move(finished), failure);
}

std::vector<Settled> DeliveryQueue::dropOldestBeyond(std::size_t maxCalls, std::size_t maxBytes) {
  std::size_t bytes = 0;
  for (const auto& call : calls_) bytes += call->body.size();
  std::size_t count = calls_.size();
  std::vector<size_t> dropped;
  for (size_t i = 0; i < calls_.size() && (count > maxCalls || bytes > maxBytes); ++i) {
    if (calls_[i]->inFlight) continue;
    dropped.push_back(i);
    --count;
    bytes -= calls_[i]->body.size();
  }
  const CallError full =
      droppedBeforeDelivery("dropped before delivery: the queue of undelivered calls is full (" +
                            std::to_string(maxCalls) + " calls or " + std::to_string(maxBytes) +
                            " bytes); the oldest calls make room for new ones");
  std::vector<Settled> settled = settle(std::move(dropped), std::nullopt);
  for (auto& call : settled) call.error = full;
  return settled;
}

std::optional<std::int64_t> DeliveryQueue::nextWakeMs() const {
  std::optional<std::int64_t> wake;
  if (!hasRoom()) return wake;
  // A call held back by an earlier call of its user wakes nothing: that call's completion does.
  ScanOrder order(eventsInFlightByUser_, nonEventsInFlightByUser_);
  for (const auto& pending : calls_) {
    const PendingCall& call = *pending;
    if (call.inFlight || order.heldBack(call)) continue;
    std::int64_t due = call.notBeforeMs;
    if (batched(call) && call.id > flushUpTo_)
      due = std::max(due, call.acceptedMs + batch_.flushIntervalMs);
    wake = wake ? std::min(*wake, due) : due;
  }
  return wake;
}

std::vector<Send> DeliveryQueue::farewellSends(std::size_t budgetBytes) const {
  std::vector<Send> sends;
  Send batch = emptyBatch(0);
  std::size_t spent = 0;
  auto closeBatch = [&] {
    if (batch.calls.empty()) return;
    batch.body += ']';
    sends.push_back(std::move(batch));
    batch = emptyBatch(0);
  };
  for (const auto& pending : calls_) {
    const PendingCall& call = *pending;
    if (!call.batchable) {
      if (spent + call.body.size() > budgetBytes) continue;
      spent += call.body.size();
      sends.push_back(Send{0, call.method, call.path, call.body, {call.id}});
      continue;
    }
    const bool full = batch.calls.size() == kMaxBatchEvents ||
                      batch.body.size() + 2 + call.body.size() > maxBodyBytes_;
    if (full) closeBatch();
    const std::size_t cost = call.body.size() + (batch.calls.empty() ? 2 : 1);
    if (spent + cost > budgetBytes) continue;
    spent += cost;
    addToBatch(batch, call);
  }
  closeBatch();
  return sends;
}

void DeliveryQueue::flushUpTo(CallId last) { flushUpTo_ = std::max(flushUpTo_, last); }

bool DeliveryQueue::settledUpTo(CallId last) const {
  return std::none_of(calls_.begin(), calls_.end(),
                      [&](const auto& call) { return call->id <= last; });
}

}  // namespace outbound
