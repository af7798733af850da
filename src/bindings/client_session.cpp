#include "bindings/client_session.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "bindings/fetch_transport.hpp"
#include "bindings/glue.hpp"
#include "core/http_headers.hpp"

namespace outbound::bindings {
namespace {

using emscripten::val;

// Another tab's claim on a stored queue counts for this long; checking it waits this long.
constexpr std::int64_t kClaimLifetimeMs = 5000;
constexpr double kClaimSettleMs = 150;
// Browsers let a page have 64 KiB of keepalive request bodies in flight; some is left to others.
constexpr std::size_t kFarewellBudgetBytes = 60 * 1024;

std::int64_t wallClockMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

val callError(const CallError& error) {
  return glue("callError")(error.message, error.receivedCall, error.status);
}

val resolved() { return val::global("Promise").call<val>("resolve"); }

std::string storageGet(const std::string& key) {
  const val value = glue("storageGet")(key);
  return value.isString() ? value.as<std::string>() : std::string();
}

bool storageSet(const std::string& key, const std::string& value) {
  return glue("storageSet")(key, value).as<bool>();
}

void storageRemove(const std::string& key) { glue("storageRemove")(key); }

std::vector<std::string> storageKeys(const std::string& prefix) {
  const std::string lines = glue("storageKeys")(prefix).as<std::string>();
  std::vector<std::string> keys;
  for (size_t start = 0; start < lines.size();) {
    const size_t end = std::min(lines.find('\n', start), lines.size());
    keys.push_back(lines.substr(start, end - start));
    start = end + 1;
  }
  return keys;
}

std::vector<std::weak_ptr<ClientSession>>& liveSessions() {
  static std::vector<std::weak_ptr<ClientSession>> sessions;
  return sessions;
}

template <class Action>
void forEachLiveSession(Action action) {
  auto& sessions = liveSessions();
  sessions.erase(
      std::remove_if(sessions.begin(), sessions.end(), [](auto& s) { return s.expired(); }),
      sessions.end());
  for (const auto& weak : std::vector<std::weak_ptr<ClientSession>>(sessions)) {
    if (auto session = weak.lock()) action(*session);
  }
}

}  // namespace

ClientSession::ClientSession(ClientSetup setup, val onError)
    : client_(setup),
      queue_(setup.options.retry, setup.options.batch, setup.options.maxBodyBytes,
             setup.options.maxInFlight),
      onError_(std::move(onError)),
      random_(static_cast<std::mt19937::result_type>(wallClockMs())),
      persist_(setup.options.persist && glue("hasStorage")().as<bool>()),
      namespace_(storageNamespace(setup.apiKey)) {}

void ClientSession::start() {
  // Only where there is a page to watch: a server making a client per request keeps no list.
  if (glue("watchPage")().as<bool>()) liveSessions().push_back(weak_from_this());
  if (!persist_) return;
  tab_ = glue("randomId")().as<std::string>();
  storageKey_ = namespace_ + ":q:" + tab_;
  claimOrphans();
}

// A failed call's Promise rejects for whoever handles it; onError hears of it either way, and an
// unhandled rejection of ours never ends a Node process.
val ClientSession::rejected(const CallError& error) const {
  val promise = glue("pending")();
  glue("settle")(promise, callError(error), onError_);
  return promise;
}

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
  pending.isEvent = pending.method == "track" || pending.method == "trackBatch";
  const CallId id = queue_.add(std::move(pending), wallClockMs());

  val promise = glue("pending")();
  promises_.emplace(id, promise);
  if (persist_) settle(queue_.dropOldestBeyond(limits_.maxCalls, limits_.maxBytes));
  if (!glue("isOnline")().as<bool>()) {
    // Held: the `online` event resumes delivery.
  } else if (auto now = queue_.startIfFree(id)) {
    send(*now);
  } else if (!queue_.hasRoom()) {
    // maxInFlight requests are in flight: the next to complete makes room and pumps.
  } else if (queue_.scanWorthwhile()) {
    pump();
  } else {
    wakeNoLaterThan(queue_.deadlineOf(id));
  }
  scheduleSave();
  return promise;
}

val ClientSession::flush() {
  const CallId last = queue_.lastCallId();
  queue_.flushUpTo(last);
  pump();
  if (queue_.settledUpTo(last)) return resolved();
  val promise = glue("pending")();
  flushes_.emplace_back(last, promise);
  return promise;
}

val ClientSession::close() {
  closed_ = true;
  return flush();
}

// Starts what is due, then sleeps until the next thing is. Offline, nothing starts and no timer
// runs: the page's `online` event resumes delivery.
void ClientSession::pump() {
  if (!glue("isOnline")().as<bool>()) {
    wakeTimer_.cancel();
    return;
  }
  for (const Send& due : queue_.takeDue(wallClockMs())) send(due);
  setWakeTimer();
}

void ClientSession::send(const Send& due) {
  auto self = shared_from_this();  // the session outlives the request, whatever JS drops
  fetchPost(client_.options().baseUrl + due.path, due.body, client_.headers(),
            client_.options().timeoutMs,
            [self, id = due.id, method = due.method, path = due.path](
                const HttpResponse& response) { self->finished(id, method, path, response); });
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
  scheduleSave();
}

void ClientSession::settle(const std::vector<Settled>& settled) {
  for (const auto& outcome : settled) {
    auto found = promises_.find(outcome.id);
    if (found == promises_.end()) {
      // A call restored from an earlier page: nobody awaits it, but a failure is never silent.
      if (outcome.error) {
        CallError error = *outcome.error;
        error.message = "a call restored from an earlier page failed: " + error.message;
        glue("report")(callError(error), onError_);
      }
      continue;
    }
    const val promise = std::move(found->second);
    promises_.erase(found);
    if (outcome.error) {
      glue("settle")(promise, callError(*outcome.error), onError_);
    } else {
      glue("settle")(promise);
    }
  }
}

void ClientSession::resolveFlushes() {
  for (auto flush = flushes_.begin(); flush != flushes_.end();) {
    if (queue_.settledUpTo(flush->first)) {
      glue("settle")(flush->second);
      flush = flushes_.erase(flush);
    } else {
      ++flush;
    }
  }
}

// One timer at most, for the earliest moment something waiting may go. None when idle, so an
// idle client never keeps a Node process alive.
void ClientSession::setWakeTimer() {
  const auto wake = queue_.nextWakeMs();
  if (!wake) {
    wakeTimer_.cancel();
    return;
  }
  if (wakeTimer_.pending() && wakeAtMs_ == *wake) return;
  wakeTimer_.cancel();
  wakeNoLaterThan(*wake);
}

void ClientSession::wakeNoLaterThan(std::int64_t wakeMs) {
  if (wakeTimer_.pending() && wakeAtMs_ <= wakeMs) return;
  wakeAtMs_ = wakeMs;
  const double delayMs = static_cast<double>(std::max<std::int64_t>(0, wakeMs - wallClockMs()));
  wakeTimer_.start(delayMs, [self = shared_from_this()] { self->pump(); });
}

// --- the durable copy of the queue (browsers) ------------------------------------------------

// Writes every undelivered call (in flight too: its answer may never come) under this tab's key.
void ClientSession::save(bool released) {
  if (!persist_) return;
  if (queue_.pending().empty()) {
    storageRemove(storageKey_);
    return;
  }
  StoredQueue stored{tab_, wallClockMs(), released, {}};
  for (const auto& call : queue_.pending()) {
    stored.calls.push_back(
        StoredCall{call.method, call.path, call.body, call.userIds, call.acceptedMs});
  }
  if (!storageSet(storageKey_, encodeStoredQueue(stored))) {
    glue("warnOnce")(
        std::string("outbound: localStorage refused the queue of undelivered calls "
                    "(full or blocked); they are kept in memory only"));
  }
}

// Many changes in one turn make one write, soon: a call delivered must leave the stored copy
// before the page may close, or a later page sends it again.
void ClientSession::scheduleSave() {
  if (!persist_ || saveTimer_.pending()) return;
  saveTimer_.start(0, [self = shared_from_this()] {
    self->save();
    self->scheduleHeartbeat();
  });
}

// While calls wait, a heartbeat write says this tab is alive, so no other tab takes them over.
void ClientSession::scheduleHeartbeat() {
  if (queue_.pending().empty()) {
    heartbeatTimer_.cancel();
  } else if (!heartbeatTimer_.pending()) {
    heartbeatTimer_.start(static_cast<double>(limits_.heartbeatMs),
                          [self = shared_from_this()] { self->scheduleSave(); });
  }
}

// Stored queues of pages that were left (or crashed long ago) are claimed: a claim is written,
// and only if it is still ours a moment later — another tab may have claimed at the same time —
// are the calls taken over.
void ClientSession::claimOrphans() {
  const std::int64_t now = wallClockMs();
  const std::string claim = tab_ + "@" + std::to_string(now);
  std::vector<std::string> claimed;
  for (const auto& key : storageKeys(namespace_ + ":q:")) {
    if (key == storageKey_ || key.find(":claim") != std::string::npos) continue;
    const auto stored = decodeStoredQueue(storageGet(key));
    if (!stored || !isOrphaned(*stored, now, limits_)) continue;
    const std::string previous = storageGet(key + ":claim");
    const size_t at = previous.rfind('@');
    const std::int64_t claimedAt =
        at == std::string::npos ? 0 : std::atoll(previous.c_str() + at + 1);
    if (!previous.empty() && now - claimedAt < kClaimLifetimeMs) continue;
    if (storageSet(key + ":claim", claim)) claimed.push_back(key);
  }
  if (claimed.empty()) return;
  claimTimer_.start(kClaimSettleMs, [self = shared_from_this(), claimed, claim] {
    std::vector<std::string> ours;
    for (const auto& key : claimed) {
      if (storageGet(key + ":claim") == claim) ours.push_back(key);
    }
    self->adoptClaimed(ours);
  });
}

void ClientSession::adoptClaimed(const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    const auto stored = decodeStoredQueue(storageGet(key));
    storageRemove(key);
    storageRemove(key + ":claim");
    if (!stored) continue;
    for (const auto& call : stored->calls) {
      PendingCall pending;
      pending.method = call.method;
      pending.path = call.path;
      pending.body = call.body;
      pending.userIds = call.userIds;
      pending.batchable = call.method == "track";
      pending.isEvent = call.method == "track" || call.method == "trackBatch";
      queue_.add(std::move(pending), call.acceptedMs);
    }
  }
  settle(queue_.dropOldestBeyond(limits_.maxCalls, limits_.maxBytes));
  pump();
  scheduleSave();
}

// The page is going away, perhaps for good: what is undelivered also goes out as keepalive
// requests, which outlive the page. The stored copy stays, so a later page delivers whatever these
// lose (at least once: some calls may then arrive twice).
void ClientSession::sendFarewell() {
  const auto sends = queue_.farewellSends(kFarewellBudgetBytes);
  if (sends.empty()) return;
  val headers = val::object();
  for (const auto& [name, value] : client_.headers()) headers.set(name, value);
  for (const Send& farewell : sends) {
    glue("sendKeepalive")(client_.options().baseUrl + farewell.path, farewell.body, headers);
  }
}

void ClientSession::releaseAll() {
  forEachLiveSession([](ClientSession& session) {
    session.sendFarewell();
    session.save(true);
  });
}

void ClientSession::resumeAll() {
  forEachLiveSession([](ClientSession& session) { session.pump(); });
}

}  // namespace outbound::bindings
