// The delivery policy (docs/delivery.md): which accepted calls go out when, batched or not, in what
// order, and what a failed attempt leads to. Time and randomness are arguments, so every
// decision can be tested exactly; the binding does the I/O and the timers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/retry_policy.hpp"

namespace outbound {

struct BatchOptions {
  bool enabled = false;
  std::size_t maxEvents = 100;          // events in one /track/batch request, 1 to 100
  std::int64_t flushIntervalMs = 1000;  // the longest an event waits for others to join it
};

using CallId = std::uint64_t;
using SendId = std::uint64_t;
using CallIdsByUser = std::map<std::string, std::set<CallId>>;

/// One call accepted for delivery and not yet settled.
struct PendingCall {
  CallId id = 0;
  std::string method;                // the API method, for messages
  std::string path;                  // relative to baseUrl
  std::string body;                  // JSON text
  std::vector<std::string> userIds;  // per user, calls reach the server in the order they were made
  // Both from the method's row of the table (markDeliveryKind). An event (track, trackBatch)
  // carries its own timestamp, so a user's events may overtake one another; every other call keeps
  // its place in the user's order, before and after events. A batchable call (track) may join a
  // /track/batch body.
  bool isEvent = false;
  bool batchable = false;
  int attempts = 0;  // attempts started so far
  std::int64_t acceptedMs = 0;
  std::int64_t notBeforeMs = 0;       // after a failure: when the next attempt may start
  std::optional<SendId> inFlight;     // the request carrying it now
  std::size_t callsInFlightWith = 0;  // how many calls that request carries
};

/// Sets `call.isEvent` and `call.batchable` from its method's row of the method table
/// (core/methods.hpp); a method the table lacks keeps its place in its users' order.
void markDeliveryKind(PendingCall& call);

/// One HTTP request to start now: a single call, or several track calls as one batch.
struct Send {
  SendId id = 0;
  std::string method;  // whose name prefixes an error message
  std::string path;
  std::string body;
  std::vector<CallId> calls;
};

/// What to do about a call just accepted.
struct Accepted {
  CallId id = 0;
  std::vector<Send> start;             // requests to start now
  std::optional<std::int64_t> wakeBy;  // when to call takeDue() at the latest; nothing: a
                                       // complete() will (or a wake-up already set does)
};

/// A call whose fate is decided: delivered, or failed for good with `error`.
struct Settled {
  CallId id = 0;
  std::optional<CallError> error;
};

/// The most requests one client has in flight at once, unless its options say otherwise: as many
/// as a browser opens to one host, so that no request waits inside the browser while its timeout
/// runs.
constexpr std::size_t kDefaultMaxInFlight = 6;

class DeliveryQueue {
 public:
  DeliveryQueue(RetryPolicy retry, BatchOptions batch, std::size_t maxBodyBytes,
                std::size_t maxInFlight = kDefaultMaxInFlight);

  /// Accepts a call; it goes out from takeDue().
  CallId add(PendingCall call, std::int64_t nowMs);

  /// Accepts a call that may go as soon as the rules allow: the requests to start now (this call's
  /// alone, or what a scan finds due) and when takeDue() must run at the latest. Cheap in a burst:
  /// the queue is scanned only when that may find something to start.
  Accepted accept(PendingCall call, std::int64_t nowMs);

  /// The requests to start now, at most as many as keep maxInFlight requests in flight. Their
  /// calls count as in flight until complete().
  std::vector<Send> takeDue(std::int64_t nowMs);
  /// Whether another request may start now; when not, the next complete() makes room.
  bool hasRoom() const { return sendsInFlight_ < maxInFlight_; }

  /// How a send ended: `failure` is nothing on success. Returns the calls this settles; the
  /// others wait for another attempt. `random01` (uniform in [0, 1)) draws the backoff jitter.
  std::vector<Settled> complete(SendId send, const std::optional<CallError>& failure,
                                std::optional<std::int64_t> retryAfterMs, std::int64_t nowMs,
                                double random01);

  /// When takeDue() may next have something to start, if anything waits and there is room for
  /// it; nothing otherwise (a call held back by a request in flight is woken by its complete()).
  std::optional<std::int64_t> nextWakeMs() const;

  /// Every unsettled call, in flight or not, as requests for a page that is going away: track
  /// calls gathered into /track/batch bodies, the others alone, in call order, as long as their
  /// bodies together stay within `budgetBytes`. Nothing changes in the queue: the calls stay
  /// unsettled, since nobody learns whether these requests arrive.
  std::vector<Send> farewellSends(std::size_t budgetBytes) const;

  /// Drops the oldest calls not in flight until at most `maxCalls` remain and their bodies take
  /// at most `maxBytes`; each dropped call settles with an error saying so.
  std::vector<Settled> dropOldestBeyond(std::size_t maxCalls, std::size_t maxBytes);

  /// Batched calls up to `last` go without waiting for others to join them.
  void flushUpTo(CallId last);
  /// Whether every call up to `last` has settled.
  bool settledUpTo(CallId last) const;

  CallId lastCallId() const { return nextCallId_ - 1; }
  const std::vector<std::unique_ptr<PendingCall>>& pending() const { return calls_; }

 private:
  bool batched(const PendingCall& call) const { return batch_.enabled && call.batchable; }
  // accept()'s shortcuts, which keep a burst of calls linear:
  /// The request for call `id`, just added, if it can start at once without a scan of the queue:
  /// it is not batched, no earlier unsettled call of its users must go before it, and there is
  /// room in flight.
  std::optional<Send> startIfFree(CallId id);
  /// When call `id` may go at the earliest if nothing else happens (its batch's deadline).
  std::int64_t deadlineOf(CallId id) const;
  bool batchIsDue(const std::vector<size_t>& members, std::int64_t nowMs) const;
  Send makeBatch(const std::vector<size_t>& members);
  Send makeSingle(PendingCall& call);
  void markInFlight(PendingCall& call, SendId send, std::size_t callsInSend);
  void markLanded(PendingCall& call);
  std::vector<Settled> settle(std::vector<size_t> members, const std::optional<CallError>& failure);

  RetryPolicy retry_;
  BatchOptions batch_;
  std::size_t maxBodyBytes_;
  std::size_t maxInFlight_;
  std::size_t sendsInFlight_ = 0;
  // In the order they were made; each on its own, so that settling calls from a long queue moves
  // pointers, not calls.
  std::vector<std::unique_ptr<PendingCall>> calls_;
  CallId nextCallId_ = 1;
  SendId nextSendId_ = 1;
  CallId flushUpTo_ = 0;
  std::map<std::string, std::size_t> unsettledByUser_;  // all calls
  std::map<std::string, std::size_t> unsettledNonEventsByUser_;
  // The calls in flight, per user, so that a scan of the queue needs not visit them to know
  // whom they hold back (in a burst, nearly all of a long queue is in flight).
  CallIdsByUser eventsInFlightByUser_;
  CallIdsByUser nonEventsInFlightByUser_;
  // Whether a takeDue() scan may find something to start since the last one: calls that wait for
  // an earlier call or for their batch's deadline need none, so a burst of calls stays linear.
  bool scanWorthwhile_ = false;
  std::size_t tracksSinceScan_ = 0;
};

}  // namespace outbound
