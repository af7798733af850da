// DeliveryQueue, driven the way core/session drives it by a byte-coded run of operations and
// checked against a model of what it promises.
// Input: 4 bytes of setup — batching on (bit 0), maxEvents (1 + bits 1–3) and maxInFlight (1 +
// bits 4–7); the flush
// interval (0, 500, 1000 or 1500 ms); retries (0–3); maxBodyBytes (16 + 4 × the byte) — then
// operations, one byte each (modulo 12) followed by the bytes it reads:
//    0 user            accept a non-event call (identify) of user u0–u3
//    1 user            accept a track
//    2 users           accept a trackBatch of the users in the low 4 bits (all four if none)
//    3 kind user       add a call without starting anything (offline), kind as 0–2
//    4 n               advance time by n × 16 ms
//    5                 advance time to nextWakeMs()
//    6                 takeDue(now)
//    7 k               complete the k-th send in flight with success
//    8 k status wait r complete it with a failure (status from a table), Retry-After
//                      wait × 100 ms unless wait is 255, jitter r / 256
//    9                 flushUpTo(lastCallId())
//   10 calls bytes     dropOldestBeyond(calls % 8, bytes × 8)
//   11 k               complete a send that is not in flight (finished, or never made)
// Each body is {"c":<id>,"p":"<padding>"} with padding of (a byte of the add) % 48 characters.
// Afterwards everything is flushed and every send succeeds until the queue is empty.
// Invariants: a send starts only unsettled calls not in flight, none twice, and never while
// maxInFlight sends are in flight; a batch holds only
// tracks, at most maxEvents, within maxBodyBytes when it holds more than one; a non-event call
// never starts while an earlier call of its user is unsettled, an event never while an earlier
// non-event of its user is; a call is attempted at most retries + 1 times; complete() settles
// exactly the calls of the send that will not be tried again, each once; dropped calls are the
// oldest not in flight; when everything succeeds, everything settles.
#include "core/delivery_queue.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

using namespace outbound;

namespace {

constexpr int kStatuses[] = {0, 100, 400, 404, 413, 429, 500, 502, 503, 599, 600};

struct ModelCall {
  std::vector<std::string> users;
  bool isEvent = false;
  bool batchable = false;
  std::string body;
  int attempts = 0;
  bool inFlight = false;
};

class Bytes {
 public:
  Bytes(const std::uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return at_ >= size_; }
  std::uint8_t next() { return at_ < size_ ? data_[at_++] : 0; }

 private:
  const std::uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

class Run {
 public:
  Run(RetryPolicy retry, BatchOptions batch, size_t maxBodyBytes, size_t maxInFlight)
      : retry_(retry),
        batch_(batch),
        maxBodyBytes_(maxBodyBytes),
        maxInFlight_(maxInFlight),
        queue_(retry, batch, maxBodyBytes, maxInFlight) {}

  void add(int kind, std::uint8_t userByte, std::uint8_t padding, bool startAtOnce) {
    PendingCall call;
    const bool track = kind == 1;
    const bool trackBatch = kind == 2;
    call.method = track ? "track" : trackBatch ? "trackBatch" : "identify";
    call.path = track ? "/track" : trackBatch ? "/track/batch" : "/identify";
    if (trackBatch) {
      const int users = (userByte & 15) != 0 ? userByte & 15 : 15;
      for (int u = 0; u < 4; ++u) {
        if (users & (1 << u)) call.userIds.push_back("u" + std::to_string(u));
      }
    } else {
      call.userIds.push_back("u" + std::to_string(userByte % 4));
    }
    markDeliveryKind(call);
    const CallId expected = queue_.lastCallId() + 1;
    call.body =
        "{\"c\":" + std::to_string(expected) + ",\"p\":\"" + std::string(padding % 48, 'x') + "\"}";
    ModelCall model{call.userIds, call.isEvent, track && batch_.enabled, call.body};
    FUZZ_INVARIANT(unsettled_.count(expected) == 0 && settled_.count(expected) == 0);
    unsettled_.emplace(expected, std::move(model));
    if (!startAtOnce) {
      FUZZ_INVARIANT(queue_.add(std::move(call), now_) == expected);
      return;
    }
    const Accepted accepted = queue_.accept(std::move(call), now_);
    FUZZ_INVARIANT(accepted.id == expected && queue_.lastCallId() == expected);
    for (const Send& send : accepted.start) started(send);
    // A call accepted and left waiting is never forgotten: a wake-up is asked for, unless a
    // completion will wake the queue (it is full, or an earlier call holds this one back).
    const ModelCall& added = unsettled_.at(expected);
    if (!added.inFlight && queue_.hasRoom() && !heldBehindEarlier(expected, added)) {
      FUZZ_INVARIANT(accepted.wakeBy.has_value());
    }
  }

  void advanceBy(std::int64_t ms) { now_ += ms; }
  void advanceToWake() {
    if (const auto wake = queue_.nextWakeMs()) now_ = std::max(now_, *wake);
  }

  void takeDue() {
    for (const Send& send : queue_.takeDue(now_)) started(send);
    checkWake();
  }

  void complete(std::uint8_t which, const std::optional<CallError>& failure,
                std::optional<std::int64_t> retryAfterMs, double random01) {
    if (inFlight_.empty()) return;
    auto send = inFlight_.begin();
    std::advance(send, which % inFlight_.size());
    const SendId id = send->first;
    const std::vector<CallId> calls = send->second;
    inFlight_.erase(send);
    finishedSends_.push_back(id);

    std::vector<CallId> expected;  // the calls that will not be tried again
    for (const CallId call : calls) {
      ModelCall& model = unsettled_.at(call);
      model.inFlight = false;
      const bool again =
          failure && isRetryable(failure->status) && model.attempts <= retry_.retries;
      if (!again) expected.push_back(call);
    }
    const auto settled = queue_.complete(id, failure, retryAfterMs, now_, random01);
    std::vector<CallId> ids;
    for (const Settled& s : settled) {
      ids.push_back(s.id);
      FUZZ_INVARIANT(s.error.has_value() == failure.has_value());
      if (failure) FUZZ_INVARIANT(fuzzing::startsWith(s.error->message, failure->message));
    }
    FUZZ_INVARIANT(ids == expected);
    settle(settled);
  }

  void completeStale(std::uint8_t which) {
    const SendId id = finishedSends_.empty() || which % 2 == 0
                          ? 1000000 + which
                          : finishedSends_[which % finishedSends_.size()];
    FUZZ_INVARIANT(queue_.complete(id, std::nullopt, std::nullopt, now_, 0.5).empty());
  }

  void flush() { queue_.flushUpTo(queue_.lastCallId()); }

  void dropOldestBeyond(size_t maxCalls, size_t maxBytes) {
    const auto settled = queue_.dropOldestBeyond(maxCalls, maxBytes);
    CallId newestDropped = 0;
    for (const Settled& s : settled) {
      FUZZ_INVARIANT(s.error.has_value() && !s.error->receivedCall);
      FUZZ_INVARIANT(unsettled_.count(s.id) && !unsettled_.at(s.id).inFlight);
      newestDropped = std::max(newestDropped, s.id);
    }
    settle(settled);
    // What stays is within the bounds, unless only calls in flight are left to drop; and every
    // call left waiting is newer than every dropped one.
    size_t bytes = 0;
    bool allInFlight = true;
    for (const auto& [id, call] : unsettled_) {
      bytes += call.body.size();
      allInFlight &= call.inFlight;
      if (!call.inFlight) FUZZ_INVARIANT(id > newestDropped);
    }
    FUZZ_INVARIANT((unsettled_.size() <= maxCalls && bytes <= maxBytes) || allInFlight);
  }

  // Everything flushed, every send succeeds: the queue empties in a bounded number of rounds.
  void drain() {
    flush();
    const size_t rounds = 2 * unsettled_.size() + 4;
    for (size_t round = 0; round < rounds && !unsettled_.empty(); ++round) {
      takeDue();
      while (!inFlight_.empty()) complete(0, std::nullopt, std::nullopt, 0.5);
      if (unsettled_.empty()) break;
      const auto wake = queue_.nextWakeMs();
      FUZZ_INVARIANT(wake.has_value());  // else the session would never wake
      if (*wake > now_) {
        now_ = *wake;
        continue;
      }
      // A wake time that starts nothing: the clock moves on all the same, to when a call that
      // waits for its retry may go.
      std::optional<std::int64_t> next;
      for (const auto& call : queue_.pending()) {
        if (call->notBeforeMs > now_)
          next = std::min(next.value_or(call->notBeforeMs), call->notBeforeMs);
      }
      if (next) now_ = *next;
    }
    FUZZ_INVARIANT(unsettled_.empty());
    FUZZ_INVARIANT(queue_.settledUpTo(queue_.lastCallId()));
    FUZZ_INVARIANT(queue_.pending().empty());
    FUZZ_INVARIANT(!queue_.nextWakeMs().has_value());
  }

  // The queue's pending calls are the model's unsettled ones, in the order they were made.
  void checkPending() const {
    const auto& pending = queue_.pending();
    FUZZ_INVARIANT(pending.size() == unsettled_.size());
    auto model = unsettled_.begin();
    for (const auto& call : pending) {
      FUZZ_INVARIANT(call->id == model->first);
      FUZZ_INVARIANT(call->inFlight.has_value() == model->second.inFlight);
      FUZZ_INVARIANT(call->attempts == model->second.attempts);
      ++model;
    }
    if (!unsettled_.empty()) {
      FUZZ_INVARIANT(!queue_.settledUpTo(unsettled_.begin()->first));
      FUZZ_INVARIANT(queue_.settledUpTo(unsettled_.begin()->first - 1));
    }
  }

 private:
  void started(const Send& send) {
    FUZZ_INVARIANT(!send.calls.empty() && inFlight_.count(send.id) == 0);
    FUZZ_INVARIANT(inFlight_.size() < maxInFlight_);
    std::set<CallId> distinct(send.calls.begin(), send.calls.end());
    FUZZ_INVARIANT(distinct.size() == send.calls.size());
    std::string batchBody = "[";
    for (const CallId id : send.calls) {
      FUZZ_INVARIANT(settled_.count(id) == 0 && unsettled_.count(id) == 1);
      ModelCall& call = unsettled_.at(id);
      FUZZ_INVARIANT(!call.inFlight);
      checkOrder(id, call);
      call.inFlight = true;
      FUZZ_INVARIANT(++call.attempts <= retry_.retries + 1);
      if (batchBody.size() > 1) batchBody += ',';
      batchBody += call.body;
    }
    const ModelCall& first = unsettled_.at(send.calls[0]);
    if (first.batchable) {  // batched: tracks only, bounded
      FUZZ_INVARIANT(send.path == "/track/batch" && send.body == batchBody + "]");
      FUZZ_INVARIANT(send.calls.size() <= batch_.maxEvents);
      FUZZ_INVARIANT(send.calls.size() == 1 || send.body.size() <= maxBodyBytes_);
      for (const CallId id : send.calls) FUZZ_INVARIANT(unsettled_.at(id).batchable);
    } else {
      FUZZ_INVARIANT(send.calls.size() == 1 && send.body == first.body);
    }
    inFlight_.emplace(send.id, send.calls);
  }

  // Per user: a non-event waits for every earlier call, an event for earlier non-events.
  bool heldBehindEarlier(CallId id, const ModelCall& call) const {
    for (const auto& [earlierId, earlier] : unsettled_) {
      if (earlierId >= id) break;
      if (call.isEvent && earlier.isEvent) continue;
      for (const auto& user : call.users) {
        if (std::find(earlier.users.begin(), earlier.users.end(), user) != earlier.users.end()) {
          return true;
        }
      }
    }
    return false;
  }

  void checkOrder(CallId id, const ModelCall& call) const {
    FUZZ_INVARIANT(!heldBehindEarlier(id, call));
  }

  void settle(const std::vector<Settled>& settled) {
    for (const Settled& s : settled) {
      FUZZ_INVARIANT(unsettled_.count(s.id) == 1 && settled_.count(s.id) == 0);
      unsettled_.erase(s.id);
      settled_.insert(s.id);
    }
  }

  // There is a wake time while some call is neither in flight nor held behind an earlier call of
  // its user (that call's settling wakes it), and there is room for another send (else the next
  // completion wakes the queue).
  void checkWake() const {
    bool waiting = false;
    for (const auto& [id, call] : unsettled_) {
      waiting |= !call.inFlight && !heldBehindEarlier(id, call);
    }
    FUZZ_INVARIANT(queue_.hasRoom() == (inFlight_.size() < maxInFlight_));
    FUZZ_INVARIANT(queue_.nextWakeMs().has_value() == (waiting && queue_.hasRoom()));
  }

  RetryPolicy retry_;
  BatchOptions batch_;
  size_t maxBodyBytes_;
  size_t maxInFlight_;
  DeliveryQueue queue_;
  std::int64_t now_ = fuzzing::kNowMs;
  std::map<CallId, ModelCall> unsettled_;
  std::set<CallId> settled_;
  std::map<SendId, std::vector<CallId>> inFlight_;
  std::vector<SendId> finishedSends_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes bytes(data, size);
  const std::uint8_t batching = bytes.next();
  BatchOptions batch;
  batch.enabled = (batching & 1) != 0;
  batch.maxEvents = 1 + (batching >> 1) % 8;
  batch.flushIntervalMs = (bytes.next() % 4) * 500;
  RetryPolicy retry;
  retry.retries = bytes.next() % 4;
  const size_t maxBodyBytes = 16 + 4 * static_cast<size_t>(bytes.next());
  Run run(retry, batch, maxBodyBytes, 1 + (batching >> 4));

  while (!bytes.empty()) {
    const std::uint8_t op = bytes.next() % 12;
    switch (op) {
      case 0:
      case 1:
      case 2: {
        const std::uint8_t user = bytes.next();
        run.add(op, user, bytes.next(), true);
        break;
      }
      case 3: {
        const int kind = bytes.next() % 3;
        const std::uint8_t user = bytes.next();
        run.add(kind, user, bytes.next(), false);
        break;
      }
      case 4:
        run.advanceBy(16 * std::int64_t{bytes.next()});
        break;
      case 5:
        run.advanceToWake();
        break;
      case 6:
        run.takeDue();
        break;
      case 7:
        run.complete(bytes.next(), std::nullopt, std::nullopt, 0.5);
        break;
      case 8: {
        const std::uint8_t which = bytes.next();
        const int status = kStatuses[bytes.next() % std::size(kStatuses)];
        const std::uint8_t wait = bytes.next();
        const double random01 = static_cast<double>(bytes.next()) / 256;
        const CallError failure{"failed with " + std::to_string(status), status > 0, status};
        const auto retryAfterMs =
            wait == 255 ? std::nullopt : std::optional<std::int64_t>(100 * std::int64_t{wait});
        run.complete(which, failure, retryAfterMs, random01);
        break;
      }
      case 9:
        run.flush();
        break;
      case 10: {
        const size_t maxCalls = bytes.next() % 8;
        run.dropOldestBeyond(maxCalls, 8 * static_cast<size_t>(bytes.next()));
        break;
      }
      case 11:
        run.completeStale(bytes.next());
        break;
    }
    run.checkPending();
  }
  run.drain();
  return 0;
}
