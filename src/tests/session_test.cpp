// The session over a world of fakes: a clock moved by hand, timers that run when the clock passes
// them, a network that answers when told, and a map for storage. Two sessions over one storage are
// two tabs of one site.
#include "core/session.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "helpers.hpp"

using namespace outbound;
using outbound::testing::ReferenceJson;

namespace {

constexpr std::int64_t kStartMs = 1700000000000;

struct Post {
  SendId send;
  std::string url;
  std::string body;
};

class FakeStorage : public Storage {
 public:
  std::string get(const std::string& key) override {
    const auto found = values.find(key);
    return found == values.end() ? std::string() : found->second;
  }
  bool set(const std::string& key, const std::string& value) override {
    if (full) return false;
    values[key] = value;
    return true;
  }
  void remove(const std::string& key) override { values.erase(key); }
  std::vector<std::string> keys(const std::string& prefix) override {
    std::vector<std::string> found;
    for (const auto& [key, value] : values) {
      if (key.rfind(prefix, 0) == 0) found.push_back(key);
    }
    return found;
  }

  std::map<std::string, std::string> values;
  bool full = false;
};

/// The world of one tab: its clock is shared with the other tabs of a test through `now`.
class FakeTab : public Clock, public Timers, public Transport, public Outcomes {
 public:
  FakeTab(std::int64_t& now, FakeStorage* storage, const std::string& options,
          const std::string& tab = "tab-a")
      : now_(now),
        session(setup(options), SessionWorld{*this, *this, *this, storage, *this}, tab, 7) {
    session.start();
  }

  // Clock, Timers, Transport, Outcomes
  std::int64_t nowMs() override { return now_; }
  void start(SessionTimer which, std::int64_t delayMs) override { due[which] = now_ + delayMs; }
  void cancel(SessionTimer which) override { due.erase(which); }
  bool online() override { return isOnline; }
  void post(SendId send, const std::string& url, const std::string& body, const Headers&,
            std::uint32_t) override {
    posts.push_back(Post{send, url, body});
  }
  void postKeepalive(const std::string& url, const std::string& body, const Headers&) override {
    keepalives.push_back(Post{0, url, body});
  }
  void settled(CallId id, const CallError* error) override {
    outcomes[id] = error ? error->message : "delivered";
  }
  void flushed(FlushId id) override { flushesDone.push_back(id); }
  void unawaitedFailure(const CallError& error) override { unawaited.push_back(error.message); }
  void warn(const std::string& text) override { warnings.push_back(text); }
  void log(DebugEvent event, const std::string& subject, std::size_t calls,
           const std::string& detail) override {
    logLines.push_back(std::to_string(static_cast<int>(event)) + " " + subject + " " +
                       std::to_string(calls) + " " + detail);
  }

  /// Runs the timers due by `now`, earliest first, as an event loop would.
  void runTimers() {
    for (;;) {
      auto next = due.end();
      for (auto t = due.begin(); t != due.end(); ++t) {
        if (t->second <= now_ && (next == due.end() || t->second < next->second)) next = t;
      }
      if (next == due.end()) return;
      const SessionTimer which = next->first;
      due.erase(next);
      session.timerFired(which);
    }
  }

  /// Answers the oldest unanswered POST with `status`.
  void answer(int status, const std::string& headers = "") {
    REQUIRE(answered < posts.size());
    HttpResponse response;
    response.status = status;
    response.headers = headers;
    session.finished(posts[answered++].send, response);
  }

  CallId track(const std::string& user, const std::string& event = "Signed Up") {
    auto id = session.call("track", "ss:[\"" + user + "\",\"" + event + "\"]");
    REQUIRE(id.ok());
    return id.value();
  }
  CallId identify(const std::string& user) {
    auto id = session.call("identify", "s:[\"" + user + "\"]");
    REQUIRE(id.ok());
    return id.value();
  }

  /// An identify call of `user`, made offline, and its durable copy written.
  void waitOffline(const std::string& user) {
    isOnline = false;
    identify(user);
    runTimers();
  }

  std::map<SessionTimer, std::int64_t> due;
  bool isOnline = true;
  std::vector<Post> posts;
  std::size_t answered = 0;
  std::vector<Post> keepalives;
  std::map<CallId, std::string> outcomes;
  std::vector<FlushId> flushesDone;
  std::vector<std::string> unawaited;
  std::vector<std::string> warnings;
  std::vector<std::string> logLines;

 private:
  static ClientSetup setup(const std::string& options) {
    auto setup = readConstructorArgs(R"(so:["sk_key",{"baseUrl":"http://receiver/v2")" +
                                     (options.empty() ? "" : "," + options) + "}]");
    REQUIRE(setup.ok());
    return setup.value();
  }

  std::int64_t& now_;

 public:
  Session session;
};

std::string storedQueueKey(const FakeStorage& storage) {
  for (const auto& [key, value] : storage.values) {
    if (key.find(":q:") != std::string::npos && key.find(":claim") == std::string::npos) {
      return key;
    }
  }
  return "";
}

std::size_t storedCalls(FakeStorage& storage) {
  const auto stored = decodeStoredQueue(storage.get(storedQueueKey(storage)));
  return stored ? stored->calls.size() : 0;
}

/// A tab that made identify calls for `users` while offline, and was then left for good.
void leaveATab(std::int64_t& now, FakeStorage& storage, const std::vector<std::string>& users) {
  FakeTab left(now, &storage, "", "tab-left");
  left.isOnline = false;
  for (const auto& user : users) left.identify(user);
  left.session.release();
}

}  // namespace

TEST_CASE("a call goes out at once and settles with its answer; flush waits for it") {
  std::int64_t now = kStartMs;
  FakeTab tab(now, nullptr, "");
  CHECK_FALSE(tab.session.flush().has_value());  // nothing made: settled already
  const CallId id = tab.track("u1");
  REQUIRE(tab.posts.size() == 1);
  CHECK(tab.posts[0].url == "http://receiver/v2/track");
  CHECK(ReferenceJson::parse(tab.posts[0].body)["user_id"] == "u1");
  CHECK(tab.outcomes.empty());  // never from inside call()
  const auto flush = tab.session.flush();
  REQUIRE(flush.has_value());
  tab.answer(200);
  CHECK(tab.outcomes.at(id) == "delivered");
  CHECK(tab.flushesDone == std::vector<FlushId>{*flush});
  CHECK(tab.due.empty());  // idle: no timer keeps a process alive
}

TEST_CASE("a refused call is the error of call() and sends nothing") {
  std::int64_t now = kStartMs;
  FakeTab tab(now, nullptr, "");
  auto refused = tab.session.call("track", "ss:[\"\",\"e\"]");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("userId") != std::string::npos);
  CHECK(tab.posts.empty());
}

TEST_CASE("a disabled client checks its calls, sends and stores none, and leaves stored ones be") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  leaveATab(now, storage, {"u1"});
  now += 60 * 60 * 1000;
  FakeTab tab(now, &storage, R"("disabled":true,"debug":true)");
  auto accepted = tab.session.call("track", R"(ss:["u2","Signed Up"])");
  REQUIRE(accepted.ok());
  CHECK(accepted.value() == kNotSent);
  CHECK_FALSE(tab.session.call("track", R"(ss:["","Signed Up"])").ok());
  CHECK_FALSE(tab.session.flush().has_value());
  tab.runTimers();
  CHECK(tab.posts.empty());
  CHECK(storedCalls(storage) == 1);
  CHECK(tab.logLines == std::vector<std::string>{"0 track 0 "});
}

TEST_CASE("with debug, each request and its outcome are logged, never the key") {
  std::int64_t now = kStartMs;
  FakeTab tab(now, nullptr, R"("debug":true,"retries":1)");
  tab.identify("sk_key");
  tab.answer(503);
  now = tab.due.at(SessionTimer::Wake);
  tab.runTimers();
  tab.answer(202);
  REQUIRE(tab.logLines.size() == 4);
  CHECK(tab.logLines[0] == R"(1 http://receiver/v2/identify 1 {"user_id":"[API key]"})");
  CHECK(tab.logLines[1].rfind("3 identify: the server answered 503 to POST /identify", 0) == 0);
  CHECK(tab.logLines[2] == tab.logLines[0]);
  CHECK(tab.logLines[3] == "2 /identify 1 202");
  for (const auto& line : tab.logLines) CHECK(line.find("sk_key") == std::string::npos);
}

TEST_CASE("without debug nothing is logged") {
  std::int64_t now = kStartMs;
  FakeTab tab(now, nullptr, "");
  tab.identify("u1");
  tab.answer(202);
  CHECK(tab.logLines.empty());
}

TEST_CASE("at most maxInFlight requests are in flight; an answer makes room for the next") {
  std::int64_t now = kStartMs;
  FakeTab tab(now, nullptr, R"("maxInFlight":2)");
  for (int i = 0; i < 5; ++i) tab.identify("u" + std::to_string(i));
  CHECK(tab.posts.size() == 2);
  CHECK(tab.due.count(SessionTimer::Wake) == 0);  // full: a completion wakes it, not a timer
  tab.answer(200);
  CHECK(tab.posts.size() == 3);
  tab.answer(200);
  tab.answer(200);
  tab.answer(200);
  tab.answer(200);
  CHECK(tab.posts.size() == 5);
  CHECK(tab.outcomes.size() == 5);
}

TEST_CASE("a user's calls reach the server in order: the next waits for the one before") {
  std::int64_t now = kStartMs;
  FakeTab tab(now, nullptr, "");
  tab.identify("u1");
  tab.track("u1");
  tab.runTimers();
  CHECK(tab.posts.size() == 1);
  tab.answer(200);
  REQUIRE(tab.posts.size() == 2);
  CHECK(tab.posts[1].url == "http://receiver/v2/track");
}

TEST_CASE("a failed attempt is retried after its backoff, then fails for good") {
  std::int64_t now = kStartMs;
  FakeTab tab(now, nullptr, R"("retries":1)");
  const CallId id = tab.identify("u1");
  tab.answer(503);
  CHECK(tab.posts.size() == 1);
  REQUIRE(tab.due.count(SessionTimer::Wake) == 1);
  now = tab.due.at(SessionTimer::Wake);
  tab.runTimers();
  REQUIRE(tab.posts.size() == 2);
  tab.answer(503);
  CHECK(tab.outcomes.at(id).find("503") != std::string::npos);
  CHECK(tab.outcomes.at(id).find("after 2 attempts") != std::string::npos);
}

TEST_CASE("batched tracks wait for their deadline, or for flush()") {
  std::int64_t now = kStartMs;
  FakeTab tab(now, nullptr, R"("batch":{"maxEvents":10,"flushIntervalMs":1000})");
  tab.track("u1");
  tab.track("u2");
  CHECK(tab.posts.empty());
  CHECK(tab.due.at(SessionTimer::Wake) == kStartMs + 1000);
  now += 1000;
  tab.runTimers();
  REQUIRE(tab.posts.size() == 1);
  CHECK(tab.posts[0].url == "http://receiver/v2/track/batch");
  CHECK(ReferenceJson::parse(tab.posts[0].body).size() == 2);
  tab.track("u3");
  CHECK(tab.session.flush().has_value());
  CHECK(tab.posts.size() == 2);  // at once, without waiting for the deadline
}

TEST_CASE("offline, calls wait without a timer; resume() sends them") {
  std::int64_t now = kStartMs;
  FakeTab tab(now, nullptr, "");
  tab.isOnline = false;
  tab.identify("u1");
  tab.identify("u2");
  CHECK(tab.posts.empty());
  CHECK(tab.due.empty());
  tab.isOnline = true;
  tab.session.resume();
  CHECK(tab.posts.size() == 2);
}

TEST_CASE("close() waits for what was made, then refuses every call") {
  std::int64_t now = kStartMs;
  FakeTab tab(now, nullptr, "");
  const CallId id = tab.identify("u1");
  const auto closed = tab.session.close();
  REQUIRE(closed.has_value());
  auto later = tab.session.call("identify", "s:[\"u2\"]");
  REQUIRE_FALSE(later.ok());
  CHECK(later.error().message ==
        "identify: close() was called on this client; it sends nothing more");
  tab.answer(200);
  CHECK(tab.outcomes.at(id) == "delivered");
  CHECK(tab.flushesDone == std::vector<FlushId>{*closed});
  CHECK(tab.posts.size() == 1);
}

TEST_CASE("the durable copy holds what is undelivered and loses what is delivered") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  FakeTab tab(now, &storage, "");
  tab.identify("u1");
  CHECK(storage.values.empty());  // one write for the whole turn, just after it
  tab.runTimers();
  CHECK(storedCalls(storage) == 1);
  CHECK(storedQueueKey(storage).find("sk_key") == std::string::npos);
  CHECK(tab.due.at(SessionTimer::Heartbeat) == now + PersistLimits{}.heartbeatMs);
  tab.answer(200);
  tab.runTimers();
  CHECK(storedQueueKey(storage).empty());
  CHECK(tab.due.empty());
}

TEST_CASE("storage that refuses the copy is warned about; the calls go on in memory") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  storage.full = true;
  FakeTab tab(now, &storage, "");
  const CallId id = tab.identify("u1");
  tab.runTimers();
  REQUIRE(tab.warnings.size() == 1);
  CHECK(tab.warnings[0].find("localStorage refused") != std::string::npos);
  tab.answer(200);
  CHECK(tab.outcomes.at(id) == "delivered");
}

TEST_CASE("without storage (Node, or persist: false) nothing is kept and no save timer runs") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  FakeTab tab(now, &storage, R"("persist":false)");
  tab.isOnline = false;
  tab.identify("u1");
  tab.session.release();
  CHECK(storage.values.empty());
  CHECK(tab.due.empty());
}

TEST_CASE("a tab that is left sends its calls as keepalive requests and leaves them stored") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  FakeTab tab(now, &storage, "");
  tab.isOnline = false;
  tab.identify("u1");
  tab.track("u1");
  tab.track("u2");
  tab.session.release();
  REQUIRE(tab.keepalives.size() == 2);  // the identify alone, the tracks as one batch
  CHECK(tab.keepalives[0].url == "http://receiver/v2/identify");
  CHECK(tab.keepalives[1].url == "http://receiver/v2/track/batch");
  CHECK(ReferenceJson::parse(tab.keepalives[1].body).size() == 2);
  const auto stored = decodeStoredQueue(storage.get(storedQueueKey(storage)));
  REQUIRE(stored.has_value());
  CHECK(stored->released);
  CHECK(stored->calls.size() == 3);
}

TEST_CASE(
    "the next tab claims a left tab's calls, delivers them once, and reports their failures") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  leaveATab(now, storage, {"u1", "u2"});
  now += 1000;
  FakeTab next(now, &storage, R"("retries":0)", "tab-next");
  CHECK(next.posts.empty());  // the claim settles first
  CHECK(next.due.at(SessionTimer::Claim) == now + kClaimSettleMs);
  now += kClaimSettleMs;
  next.runTimers();
  REQUIRE(next.posts.size() == 2);
  next.answer(200);
  next.answer(500);
  CHECK(next.outcomes.empty());  // nobody on this page awaits them
  REQUIRE(next.unawaited.size() == 1);
  CHECK(next.unawaited[0].rfind("a call restored from an earlier page failed: ", 0) == 0);
  next.runTimers();
  CHECK(storage.values.empty());  // the left tab's copy, its claim, and nothing of ours
}

TEST_CASE("of two tabs opened together, only one takes a left tab's calls over") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  leaveATab(now, storage, {"u1"});
  FakeTab first(now, &storage, "", "tab-1");
  FakeTab second(now, &storage, "", "tab-2");
  now += kClaimSettleMs;
  first.runTimers();
  second.runTimers();
  CHECK(first.posts.size() + second.posts.size() == 1);
}

TEST_CASE("a claim whose tab lost the race takes nothing over") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  leaveATab(now, storage, {"u1"});
  FakeTab slow(now, &storage, "", "tab-slow");
  // Another tab, whose earlier claim this one did not see, wrote its own over it.
  const std::string queueKey = storedQueueKey(storage);
  storage.values[queueKey + ":claim"] = "tab-other@" + std::to_string(now);
  now += kClaimSettleMs;
  slow.runTimers();
  CHECK(slow.posts.empty());
  CHECK(storedQueueKey(storage) == queueKey);  // left for the winner
}

TEST_CASE("a live tab's calls are not taken over; a silent tab's are, once it is stale") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  FakeTab live(now, &storage, "", "tab-live");
  live.waitOffline("u1");  // saved, not released: the tab is open
  {
    std::int64_t soon = now + 1000;
    FakeTab other(soon, &storage, "", "tab-other");
    CHECK(other.due.count(SessionTimer::Claim) == 0);
  }
  std::int64_t later = now + PersistLimits{}.staleAfterMs + 1;
  FakeTab after(later, &storage, "", "tab-after");
  later += kClaimSettleMs;
  after.runTimers();
  CHECK(after.posts.size() == 1);
}

TEST_CASE("a tab's heartbeat keeps its calls its own while they wait") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  FakeTab live(now, &storage, "", "tab-live");
  live.waitOffline("u1");
  for (std::int64_t waited = 0; waited <= PersistLimits{}.staleAfterMs;
       waited += PersistLimits{}.heartbeatMs) {
    now += PersistLimits{}.heartbeatMs;
    live.runTimers();
  }
  std::int64_t then = now;
  FakeTab other(then, &storage, "", "tab-other");
  CHECK(other.due.count(SessionTimer::Claim) == 0);
}

TEST_CASE("restored calls count toward the stored bounds; the oldest are dropped first") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  FakeTab tab(now, &storage, "");
  tab.isOnline = false;
  const CallId first = tab.identify("u0");
  for (std::size_t i = 1; i < PersistLimits{}.maxCalls; ++i) tab.identify("u" + std::to_string(i));
  CHECK(tab.outcomes.empty());
  tab.identify("one-too-many");
  REQUIRE(tab.outcomes.size() == 1);
  CHECK(tab.outcomes.at(first).rfind("dropped before delivery", 0) == 0);
}

TEST_CASE("another tab's fresh claim is left alone; a claim older than its lifetime is not") {
  std::int64_t now = kStartMs;
  FakeStorage storage;
  leaveATab(now, storage, {"u1"});
  const std::string claimKey = storedQueueKey(storage) + ":claim";
  const std::string otherClaim = "tab-other@" + std::to_string(now);
  storage.values[claimKey] = otherClaim;
  std::int64_t soon = now + kClaimLifetimeMs - 1;
  FakeTab polite(soon, &storage, "", "tab-polite");
  CHECK(polite.due.count(SessionTimer::Claim) == 0);
  CHECK(storage.values.at(claimKey) == otherClaim);

  std::int64_t later = now + kClaimLifetimeMs;  // the other tab never took the calls over
  FakeTab heir(later, &storage, "", "tab-heir");
  later += kClaimSettleMs;
  heir.runTimers();
  CHECK(heir.posts.size() == 1);
}
