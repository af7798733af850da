#include "core/persisted_queue.hpp"

#include <catch2/catch.hpp>

#include "core/delivery_queue.hpp"

using namespace outbound;

TEST_CASE("the storage name is a hash of the key, never the key") {
  const std::string name = storageNamespace("sk_live_SECRET");
  CHECK(name.rfind("outbound:", 0) == 0);
  CHECK(name.size() == 9 + 16);
  CHECK(name.find("SECRET") == std::string::npos);
  CHECK(name == storageNamespace("sk_live_SECRET"));
  CHECK(name != storageNamespace("sk_live_SECRET2"));
}

TEST_CASE("a stored queue round-trips exactly") {
  StoredQueue queue;
  queue.tab = "tab-1";
  queue.heartbeatMs = 1700000000123;
  queue.released = true;
  queue.calls.push_back(
      StoredCall{"track", "/track", R"({"user_id":"a","event":"é \"q\""})", {"a"}, 17});
  queue.calls.push_back(StoredCall{"trackBatch", "/track/batch", "[]", {"a", "b"}, 18});
  const auto decoded = decodeStoredQueue(encodeStoredQueue(queue));
  REQUIRE(decoded.has_value());
  CHECK(decoded->tab == "tab-1");
  CHECK(decoded->heartbeatMs == 1700000000123);
  CHECK(decoded->released);
  REQUIRE(decoded->calls.size() == 2);
  CHECK(decoded->calls[0].body == queue.calls[0].body);
  CHECK(decoded->calls[1].userIds == std::vector<std::string>{"a", "b"});
  CHECK(decoded->calls[1].acceptedMs == 18);
  CHECK(encodeStoredQueue(*decoded) == encodeStoredQueue(queue));
}

TEST_CASE("anything else in storage is not a stored queue") {
  for (
      const char* text :
      {"", "null", "[]", "{}", "not json",
       R"({"v":2,"tab":"t","beat":1,"released":false,"calls":[]})",
       R"({"v":1,"tab":5,"beat":1,"released":false,"calls":[]})",
       R"({"v":1,"tab":"t","beat":1,"released":false,"calls":[{"m":"track"}]})",
       R"({"v":1,"tab":"t","beat":1,"released":false,"calls":[{"m":"t","p":"/t","b":"{}","u":[1],"t":1}]})",
       R"({"v":1,"tab":"t","beat":"1","released":false,"calls":[]})",
       R"({"v":4294967297,"tab":"t","beat":1,"released":false,"calls":[]})",
       R"({"v":-4294967295,"tab":"t","beat":1,"released":false,"calls":[]})",
       R"({"v":1,"tab":"t","beat":18446744073709551615,"released":false,"calls":[]})",
       R"({"v":1,"tab":"t","beat":1,"released":false,"calls":[{"m":"t","p":"/t","b":"{}","u":[],"t":9223372036854775808}]})"}) {
    INFO(text);
    CHECK_FALSE(decodeStoredQueue(text).has_value());
  }
}

TEST_CASE("a queue is orphaned when its page was left or it was not heard of for long") {
  const PersistLimits limits;
  StoredQueue queue;
  queue.heartbeatMs = 1000000;
  CHECK_FALSE(isOrphaned(queue, 1000000 + limits.staleAfterMs - 1, limits));
  CHECK(isOrphaned(queue, 1000000 + limits.staleAfterMs, limits));
  queue.released = true;
  CHECK(isOrphaned(queue, 1000000, limits));
}

namespace {
PendingCall sized(std::size_t bytes) {
  PendingCall call;
  call.method = "identify";
  call.path = "/identify";
  call.body = std::string(bytes, 'x');
  call.userIds = {"u" + std::to_string(bytes)};
  return call;
}
}  // namespace

TEST_CASE("when the queue is full, the oldest calls are dropped, each with an error saying so") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20);
  for (std::size_t i = 1; i <= 5; ++i) queue.add(sized(i * 10), 0);
  CHECK(queue.dropOldestBeyond(5, 1000).empty());
  const auto byCount = queue.dropOldestBeyond(3, 1000);
  REQUIRE(byCount.size() == 2);
  CHECK(byCount[0].id == 1);
  CHECK(byCount[1].id == 2);
  REQUIRE(byCount[0].error.has_value());
  CHECK_FALSE(byCount[0].error->receivedCall);
  CHECK(byCount[0].error->message.find("queue of undelivered calls is full") != std::string::npos);
  const auto byBytes = queue.dropOldestBeyond(3, 90);  // 30 + 40 + 50 = 120 bytes
  REQUIRE(byBytes.size() == 1);
  CHECK(byBytes[0].id == 3);
  CHECK(queue.pending().size() == 2);
}

TEST_CASE("calls in flight are never dropped") {
  DeliveryQueue queue(RetryPolicy{}, BatchOptions{}, 1 << 20);
  queue.add(sized(10), 0);
  queue.add(sized(20), 0);
  REQUIRE(queue.takeDue(0).size() == 2);
  CHECK(queue.dropOldestBeyond(0, 0).empty());
}
