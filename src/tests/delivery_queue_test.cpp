#include "core/delivery_queue.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace outbound;

namespace {

PendingCall call(const std::string& method, const std::string& user,
                 const std::string& body = "{}") {
  PendingCall pending;
  pending.method = method;
  pending.path = "/" + method;
  pending.body = body;
  pending.userIds = {user};
  markDeliveryKind(pending);
  return pending;
}

CallError serverError(int status) {
  return CallError{"the server answered " + std::to_string(status), true, status};
}
CallError noAnswer() { return CallError{"could not reach it", false, 0}; }

BatchOptions batching(std::size_t maxEvents = 100, std::int64_t flushIntervalMs = 1000) {
  return BatchOptions{true, maxEvents, flushIntervalMs};
}

std::vector<CallId> idsOf(const std::vector<Settled>& settled) {
  std::vector<CallId> ids;
  for (const auto& s : settled) ids.push_back(s.id);
  return ids;
}

}  // namespace

TEST_CASE("without batching, every call goes at once as its own request") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20);
  queue.add(call("identify", "a"), 0);
  queue.add(call("track", "b", R"({"event":"x"})"), 0);
  const auto sends = queue.takeDue(0);
  REQUIRE(sends.size() == 2);
  CHECK(sends[0].path == "/identify");
  CHECK(sends[1].path == "/track");
  CHECK(sends[1].body == R"({"event":"x"})");
  CHECK(queue.takeDue(0).empty());  // in flight
  CHECK_FALSE(queue.nextWakeMs().has_value());
  CHECK(queue.complete(sends[0].id, std::nullopt, std::nullopt, 5, 0.5).size() == 1);
  CHECK_FALSE(queue.settledUpTo(2));
  const auto last = queue.complete(sends[1].id, std::nullopt, std::nullopt, 5, 0.5);
  REQUIRE(last.size() == 1);
  CHECK_FALSE(last[0].error.has_value());
  CHECK(queue.settledUpTo(2));
  CHECK(queue.pending().empty());
}

TEST_CASE("per user, a call waits until the one before it has settled") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20);
  const CallId identify = queue.add(call("identify", "a"), 0);
  const CallId track = queue.add(call("track", "a"), 0);
  queue.add(call("track", "b"), 0);
  auto sends = queue.takeDue(0);
  REQUIRE(sends.size() == 2);  // a's identify and b's track; a's track waits
  CHECK(sends[0].calls == std::vector<CallId>{identify});
  queue.complete(sends[0].id, std::nullopt, std::nullopt, 1, 0.5);
  sends = queue.takeDue(1);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].calls == std::vector<CallId>{track});
}

TEST_CASE("a failure that may pass is retried after the backoff, then succeeds") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20);
  const CallId id = queue.add(call("identify", "a"), 1000);
  auto first = queue.takeDue(1000);
  CHECK(queue.complete(first[0].id, serverError(503), std::nullopt, 1100, 0.5).empty());
  CHECK(queue.nextWakeMs() == 1100 + 250);  // half of the 500 ms ceiling
  CHECK(queue.takeDue(1349).empty());
  auto second = queue.takeDue(1350);
  REQUIRE(second.size() == 1);
  CHECK(queue.complete(second[0].id, noAnswer(), std::nullopt, 1400, 0.5).empty());
  CHECK(queue.nextWakeMs() == 1400 + 500);
  auto third = queue.takeDue(1900);
  const auto settled = queue.complete(third[0].id, std::nullopt, std::nullopt, 1950, 0.5);
  REQUIRE(settled.size() == 1);
  CHECK(settled[0].id == id);
  CHECK_FALSE(settled[0].error.has_value());
}

TEST_CASE("the final failure says how many attempts were made") {
  RetryPolicy policy;
  policy.retries = 2;
  DeliveryQueue queue(policy, BatchOptions{}, 1 << 20);
  queue.add(call("identify", "a"), 0);
  std::int64_t now = 0;
  std::vector<Settled> settled;
  int attempts = 0;
  while (settled.empty()) {
    now = queue.nextWakeMs().value_or(now);
    const auto sends = queue.takeDue(now);
    REQUIRE(sends.size() == 1);
    ++attempts;
    settled = queue.complete(sends[0].id, serverError(500), std::nullopt, now, 0.99);
  }
  CHECK(attempts == 3);
  REQUIRE(settled[0].error.has_value());
  CHECK(settled[0].error->message == "the server answered 500 (after 3 attempts)");
  CHECK(settled[0].error->receivedCall);
  CHECK(settled[0].error->status == 500);
}

TEST_CASE("retries: 0 turns retrying off, and a 4xx other than 429 is never retried") {
  RetryPolicy off;
  off.retries = 0;
  DeliveryQueue noRetry(off, BatchOptions{}, 1 << 20);
  noRetry.add(call("identify", "a"), 0);
  auto sends = noRetry.takeDue(0);
  auto settled = noRetry.complete(sends[0].id, serverError(503), std::nullopt, 0, 0.5);
  REQUIRE(settled.size() == 1);
  CHECK(settled[0].error->message == "the server answered 503");

  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20);
  for (int status : {400, 401, 404, 413}) {
    queue.add(call("identify", "u" + std::to_string(status)), 0);
    sends = queue.takeDue(0);
    REQUIRE(sends.size() == 1);
    settled = queue.complete(sends[0].id, serverError(status), std::nullopt, 0, 0.5);
    REQUIRE(settled.size() == 1);
    CHECK(settled[0].error->status == status);
  }
}

TEST_CASE("Retry-After sets the next attempt, capped") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20);
  queue.add(call("identify", "a"), 0);
  auto sends = queue.takeDue(0);
  queue.complete(sends[0].id, serverError(429), std::int64_t{7000}, 10, 0.5);
  CHECK(queue.nextWakeMs() == 7010);
  sends = queue.takeDue(7010);
  queue.complete(sends[0].id, serverError(429), std::int64_t{99999999}, 7020, 0.5);
  CHECK(queue.nextWakeMs() == 7020 + RetryPolicy{}.maxRetryAfterMs);
}

TEST_CASE("batching gathers tracks until the interval passes") {
  DeliveryQueue queue(RetryPolicy{}, batching(100, 1000), 1 << 20);
  queue.add(call("track", "a", R"({"n":1})"), 0);
  queue.add(call("track", "b", R"({"n":2})"), 400);
  CHECK(queue.takeDue(999).empty());
  CHECK(queue.nextWakeMs() == 1000);
  const auto sends = queue.takeDue(1000);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].path == "/track/batch");
  CHECK(sends[0].method == "track");
  CHECK(sends[0].body == R"([{"n":1},{"n":2}])");
  CHECK(sends[0].calls == std::vector<CallId>{1, 2});
  const auto settled = queue.complete(sends[0].id, std::nullopt, std::nullopt, 1100, 0.5);
  CHECK(idsOf(settled) == std::vector<CallId>{1, 2});
}

TEST_CASE("batch boundaries: 1, 100 and 101 events") {
  for (const std::size_t count :
       {std::size_t{1}, std::size_t{100}, std::size_t{101}, std::size_t{250}}) {
    INFO(count);
    DeliveryQueue queue(RetryPolicy{}, batching(100, 1000), 1 << 20);
    for (std::size_t i = 0; i < count; ++i) queue.add(call("track", "u" + std::to_string(i)), 0);
    // Full batches go at once; the remainder waits for the interval.
    const auto now = queue.takeDue(0);
    CHECK(now.size() == count / 100);
    for (const auto& send : now) CHECK(send.calls.size() == 100);
    const auto later = queue.takeDue(1000);
    CHECK(later.size() == (count % 100 ? 1u : 0u));
    if (!later.empty()) CHECK(later[0].calls.size() == count % 100);
  }
}

TEST_CASE("zero events means no request") {
  DeliveryQueue queue(RetryPolicy{}, batching(), 1 << 20);
  CHECK(queue.takeDue(1000000).empty());
  CHECK_FALSE(queue.nextWakeMs().has_value());
  CHECK(queue.settledUpTo(queue.lastCallId()));
}

TEST_CASE("a batch never grows past maxBodyBytes") {
  const std::string body(40, 'x');  // 40 bytes each: "[" + 40 + "," + 40 + "]" = 83
  DeliveryQueue queue(RetryPolicy{}, batching(100, 0), 90);
  for (int i = 0; i < 5; ++i) queue.add(call("track", "u" + std::to_string(i), body), 0);
  const auto sends = queue.takeDue(0);
  REQUIRE(sends.size() == 3);
  for (const auto& send : sends) CHECK(send.body.size() <= 90);
  CHECK(sends[0].calls.size() == 2);
  CHECK(sends[2].calls.size() == 1);
}

TEST_CASE("only tracks are batched, and a user's order holds across batched and single calls") {
  DeliveryQueue queue(RetryPolicy{}, batching(100, 1000), 1 << 20);
  const CallId track1 = queue.add(call("track", "a"), 0);
  const CallId identify = queue.add(call("identify", "a"), 0);
  const CallId track2 = queue.add(call("track", "a"), 0);
  const CallId other = queue.add(call("identify", "b"), 0);
  auto sends = queue.takeDue(0);  // b's identify goes; a's identify waits for a's first track
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].calls == std::vector<CallId>{other});
  sends = queue.takeDue(1000);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].calls == std::vector<CallId>{track1});  // track2 comes after the identify
  queue.complete(sends[0].id, std::nullopt, std::nullopt, 1000, 0.5);
  sends = queue.takeDue(1000);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].calls == std::vector<CallId>{identify});
  queue.complete(sends[0].id, std::nullopt, std::nullopt, 1000, 0.5);
  sends = queue.takeDue(1000);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].calls == std::vector<CallId>{track2});
}

TEST_CASE("a user's tracks may share one batch, in order") {
  DeliveryQueue queue(RetryPolicy{}, batching(100, 0), 1 << 20);
  queue.add(call("track", "a", "1"), 0);
  queue.add(call("track", "a", "2"), 0);
  queue.add(call("track", "b", "3"), 0);
  const auto sends = queue.takeDue(0);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].body == "[1,2,3]");
}

TEST_CASE("a failed batch is retried; its events settle together with its outcome") {
  RetryPolicy policy;
  policy.retries = 1;
  DeliveryQueue queue(policy, batching(100, 0), 1 << 20);
  queue.add(call("track", "a"), 0);
  queue.add(call("track", "b"), 0);
  auto sends = queue.takeDue(0);
  CHECK(queue.complete(sends[0].id, serverError(500), std::nullopt, 0, 0.0).empty());
  queue.add(call("track", "c"), 0);  // joins the retry
  sends = queue.takeDue(0);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].calls.size() == 3);
  const auto settled = queue.complete(sends[0].id, serverError(500), std::nullopt, 0, 0.0);
  REQUIRE(settled.size() == 2);  // a and b are out of retries; c may try once more
  CHECK(settled[0].error->message == "the server answered 500 (after 2 attempts)");
  CHECK(queue.pending().size() == 1);
}

TEST_CASE("flush sends gathering batches at once, and settledUpTo tracks what came before it") {
  DeliveryQueue queue(RetryPolicy{}, batching(100, 60000), 1 << 20);
  queue.add(call("track", "a"), 0);
  queue.add(call("track", "b"), 0);
  CHECK(queue.takeDue(0).empty());
  queue.flushUpTo(queue.lastCallId());
  queue.add(call("track", "c"), 0);  // after the flush: it may still ride along
  const auto sends = queue.takeDue(0);
  REQUIRE(sends.size() == 1);
  CHECK_FALSE(queue.settledUpTo(2));
  queue.complete(sends[0].id, std::nullopt, std::nullopt, 0, 0.5);
  CHECK(queue.settledUpTo(2));
  CHECK(queue.settledUpTo(3));
}

TEST_CASE("a call whose users have nothing else unsettled starts as it is accepted") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20);
  const auto first = queue.accept(call("identify", "a"), 0);
  REQUIRE(first.start.size() == 1);
  CHECK(first.start[0].calls == std::vector<CallId>{first.id});
  CHECK_FALSE(first.wakeBy.has_value());
  const auto second = queue.accept(call("track", "a"), 0);
  CHECK(second.start.empty());  // a's identify is still in flight
  CHECK(queue.takeDue(0).empty());
  queue.complete(first.start[0].id, std::nullopt, std::nullopt, 0, 0.5);
  CHECK(queue.takeDue(0).size() == 1);
}

TEST_CASE("accepted tracks name their batch's deadline, and go once a batch could be full") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{true, 3, 1000}, 1 << 20);
  const auto first = queue.accept(call("track", "a"), 10);
  CHECK(first.start.empty());
  CHECK(first.wakeBy == 1010);
  CHECK(queue.accept(call("track", "b"), 20).wakeBy == 1020);
  const auto third = queue.accept(call("track", "c"), 30);
  REQUIRE(third.start.size() == 1);
  CHECK(third.start[0].calls.size() == 3);
  CHECK_FALSE(third.wakeBy.has_value());  // nothing else waits
}

TEST_CASE("a call's delivery kind comes from its method's row of the table") {
  struct Case {
    const char* method;
    bool isEvent;
    bool batchable;
  };
  const Case cases[] = {{"track", true, true},
                        {"trackBatch", true, false},
                        {"identify", false, false},
                        {"subscribeCampaigns", false, false},
                        {"notAMethod", false, false}};
  for (const auto& c : cases) {
    INFO(c.method);
    const PendingCall pending = call(c.method, "a");
    CHECK(pending.isEvent == c.isEvent);
    CHECK(pending.batchable == c.batchable);
  }
}

TEST_CASE("a user's events may overtake one another; other calls keep their place") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20);
  REQUIRE(queue.accept(call("track", "a"), 0).start.size() == 1);
  CHECK(queue.accept(call("track", "a"), 0).start.size() == 1);  // events carry timestamps
  CHECK(queue.accept(call("identify", "a"), 0).start.empty());   // waits for both tracks
  CHECK(queue.accept(call("track", "a"), 0).start.empty());      // and the next event waits for it
  CHECK(queue.takeDue(0).empty());
}

TEST_CASE("full batches of one user's events go at once, not one after another") {
  DeliveryQueue queue(RetryPolicy{}, batching(100, 1000), 1 << 20);
  for (int i = 0; i < 250; ++i) queue.add(call("track", "a"), 0);
  const auto sends = queue.takeDue(1000);
  REQUIRE(sends.size() == 3);
  CHECK(sends[0].calls.size() == 100);
  CHECK(sends[2].calls.size() == 50);
}

TEST_CASE("a call held back by an earlier call of its user sets no wake-up of its own") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20);
  REQUIRE(queue.accept(call("identify", "a"), 0).start.size() == 1);
  queue.add(call("identify", "a"), 0);
  CHECK(queue.takeDue(5).empty());
  CHECK_FALSE(queue.nextWakeMs().has_value());  // no busy-wait: the first call's answer wakes it
}

TEST_CASE("at most maxInFlight requests are in flight; the others wait in order") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20, 2);
  std::vector<CallId> ids;
  for (int n = 0; n < 5; ++n) ids.push_back(queue.add(call("track", "u" + std::to_string(n)), 0));
  // The first two start as they come; the third finds no room.
  auto sends = queue.takeDue(0);
  REQUIRE(sends.size() == 2);
  CHECK(sends[0].calls == std::vector<CallId>{ids[0]});
  CHECK(sends[1].calls == std::vector<CallId>{ids[1]});
  CHECK_FALSE(queue.hasRoom());
  CHECK(queue.takeDue(0).empty());
  CHECK_FALSE(queue.nextWakeMs().has_value());  // a completion wakes the queue, not a timer
  const auto late = queue.accept(call("track", "late"), 0);
  CHECK(late.start.empty());
  CHECK_FALSE(late.wakeBy.has_value());

  // Each completion makes room for the next waiting call, in the order they were made.
  queue.complete(sends[1].id, std::nullopt, std::nullopt, 1, 0.5);
  CHECK(queue.hasRoom());
  CHECK(queue.nextWakeMs() == 0);
  auto next = queue.takeDue(1);
  REQUIRE(next.size() == 1);
  CHECK(next[0].calls == std::vector<CallId>{ids[2]});
  // A retried request counts once it starts again, like any other.
  queue.complete(next[0].id, noAnswer(), std::nullopt, 2, 0.0);
  next = queue.takeDue(2);
  REQUIRE(next.size() == 1);
  CHECK(next[0].calls == std::vector<CallId>{ids[2]});
  CHECK(next[0].body == "{}");
}

TEST_CASE("batches count as one request each against maxInFlight") {
  DeliveryQueue queue(RetryPolicy{}, batching(2, 0), 1 << 20, 1);
  for (int n = 0; n < 5; ++n) queue.add(call("track", "u"), 0);
  auto sends = queue.takeDue(0);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].calls.size() == 2);
  CHECK(queue.takeDue(0).empty());
  queue.complete(sends[0].id, std::nullopt, std::nullopt, 1, 0.5);
  sends = queue.takeDue(1);
  REQUIRE(sends.size() == 1);
  CHECK(sends[0].calls == std::vector<CallId>{3, 4});
}

TEST_CASE("farewell sends: every unsettled call, tracks batched, within the budget") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20, 1);
  queue.add(call("identify", "a", R"({"i":1})"), 0);
  queue.add(call("track", "a", R"({"t":1})"), 0);
  queue.add(call("track", "b", R"({"t":2})"), 0);
  queue.add(call("subscribeAll", "b", R"({"s":1})"), 0);
  REQUIRE(queue.takeDue(0).size() == 1);  // the identify is in flight: it goes too

  auto sends = queue.farewellSends(1000);
  REQUIRE(sends.size() == 3);
  CHECK(sends[0].path == "/identify");
  CHECK(sends[0].body == R"({"i":1})");
  CHECK(sends[1].path == "/subscribeAll");
  CHECK(sends[2].path == "/track/batch");
  CHECK(sends[2].body == R"([{"t":1},{"t":2}])");
  CHECK(sends[2].calls == std::vector<CallId>{2, 3});
  CHECK(queue.pending().size() == 4);  // nothing settles: nobody learns whether they arrive

  // 7 + 7 bytes of bodies, then a batch of one track (9 bytes) fits in 23; the second does not.
  auto tight = queue.farewellSends(23);
  REQUIRE(tight.size() == 3);
  CHECK(tight[2].body == R"([{"t":1}])");
}
