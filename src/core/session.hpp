// One client's delivery (docs/delivery.md): calls accepted into the queue, sent, retried and
// settled; flush() and close(); holding calls while offline; and in browsers the durable copy of
// the queue and the claim of queues that other tabs left behind. The session decides everything and
// does no I/O: it reaches the world through the small interfaces below, which src/bindings
// implements with Emscripten and src/tests with fakes (a clock set by hand, a map for storage, two
// sessions over one storage for two tabs).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/client.hpp"
#include "core/delivery_queue.hpp"
#include "core/persisted_queue.hpp"
#include "core/result.hpp"

namespace outbound {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Milliseconds since the UNIX epoch: stored calls are compared across page loads.
  virtual std::int64_t nowMs() = 0;
};

/// The session's timers: each runs at most once at a time.
enum class SessionTimer {
  Wake,       // the queue has something to start
  Save,       // write the durable copy (soon after a change)
  Heartbeat,  // rewrite it while calls wait, so no other tab takes them over
  Claim,      // the claimed queues of other tabs may be taken over
};
constexpr std::size_t kSessionTimerCount = 4;

class Timers {
 public:
  virtual ~Timers() = default;
  /// Calls Session::timerFired(which) after `delayMs`, replacing what `which` had scheduled.
  virtual void start(SessionTimer which, std::int64_t delayMs) = 0;
  virtual void cancel(SessionTimer which) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  /// Whether the network is up; when it comes back the binding calls Session::resume().
  virtual bool online() = 0;
  /// Starts a POST. Its answer comes back through Session::finished(send, ...), always later:
  /// never from inside post().
  virtual void post(SendId send, const std::string& url, const std::string& body,
                    const Headers& headers, std::uint32_t timeoutMs) = 0;
  /// A POST that outlives the page; nobody learns how it ends.
  virtual void postKeepalive(const std::string& url, const std::string& body,
                             const Headers& headers) = 0;
};

/// Text storage shared by the pages of a site (localStorage).
class Storage {
 public:
  virtual ~Storage() = default;
  /// "" when there is no such key.
  virtual std::string get(const std::string& key) = 0;
  /// False when the storage refuses (full, blocked).
  virtual bool set(const std::string& key, const std::string& value) = 0;
  virtual void remove(const std::string& key) = 0;
  virtual std::vector<std::string> keys(const std::string& prefix) = 0;
};

using FlushId = std::uint64_t;

/// What options.debug logs.
enum class DebugEvent {
  NotSent,        // subject: the method of a disabled client's call
  Sending,        // subject: the URL; detail: the body, quoted
  Delivered,      // subject: the path; detail: the status
  ToBeRetried,    // subject: the failure's message
  FailedForGood,  // subject: the failure's message
};

/// Where the session's outcomes go: the binding's Promises and the caller's onError.
class Outcomes {
 public:
  virtual ~Outcomes() = default;
  /// Call `id` (from Session::call) was delivered (`error` null) or failed for good.
  virtual void settled(CallId id, const CallError* error) = 0;
  /// Everything made before flush `id` has settled.
  virtual void flushed(FlushId id) = 0;
  /// A failure that no caller awaits (a call restored from an earlier page): never silent.
  virtual void unawaitedFailure(const CallError& error) = 0;
  virtual void warn(const std::string& text) = 0;
  /// One event of options.debug's log, for the binding to write out: `subject` is a URL, a path,
  /// a method or an error message (see DebugEvent); never the API key.
  virtual void log(DebugEvent event, const std::string& subject, std::size_t calls,
                   const std::string& detail) = 0;
};

struct SessionWorld {
  Clock& clock;
  Timers& timers;
  Transport& transport;
  Storage* storage;  // null where there is none (Node, blocked storage): nothing is kept
  Outcomes& outcomes;
};

/// Another tab's claim on a stored queue counts for this long.
constexpr std::int64_t kClaimLifetimeMs = 5000;
/// How long a tab waits after claiming before it looks whether its claim is still the one stored.
constexpr std::int64_t kClaimSettleMs = 150;
/// Browsers let a page have 64 KiB of keepalive request bodies in flight; some is left to others.
constexpr std::size_t kFarewellBudgetBytes = 60 * 1024;

/// What Session::call returns for a call of a disabled client (options.disabled): valid, settled as
/// it is accepted, and never sent. Real calls' ids start at 1.
constexpr CallId kNotSent = 0;

class Session {
 public:
  /// `tab` names this page load in storage; `seed` seeds the retries' jitter.
  Session(ClientSetup setup, SessionWorld world, std::string tab, std::uint32_t seed);

  /// Call once, first: claims the stored queues of pages that are gone.
  void start();

  /// Validates and queues one call of `method`, starting it if it may go now. Its outcome comes
  /// later through Outcomes::settled, never from inside this function: a call refused or dropped at
  /// once is this function's error, and a disabled client's valid call is kNotSent.
  Result<CallId> call(std::string_view method, std::string_view encodedArgs);
  /// Batched calls made so far go at once; Outcomes::flushed(id) follows once they all settled.
  /// Nothing when they already have.
  std::optional<FlushId> flush();
  /// flush(), after which every call is refused.
  std::optional<FlushId> close();

  /// The transport's answer to Transport::post(send, ...).
  void finished(SendId send, const HttpResponse& response);
  /// A timer of Timers::start ran out.
  void timerFired(SessionTimer which);
  /// The network is back.
  void resume();
  /// The page is going away, perhaps for good: undelivered calls also go out as keepalive requests
  /// and stay stored, marked as free for another page to take over.
  void release();

  const ClientOptions& options() const { return client_.options(); }

 private:
  // Each POST in flight with its method and path, which its answer's meaning depends on, and how
  // many calls it carries (for options.debug): a few (maxInFlight), so a list.
  struct Posted {
    SendId send;
    std::string method;
    std::string path;
    std::size_t calls;
  };

  void pump();
  void logOutcome(const Posted& posted, const HttpResponse& response,
                  const std::optional<CallError>& failure, std::size_t callsSettled);
  void startSends(const std::vector<Send>& sends);
  void report(const std::vector<Settled>& settled);
  void resolveFlushes();
  void setWakeTimer();
  void wakeNoLaterThan(std::int64_t wakeMs);
  void startTimer(SessionTimer which, std::int64_t delayMs);
  void cancelTimer(SessionTimer which);
  bool timerPending(SessionTimer which) const;

  void save(bool released = false);
  void scheduleSave();
  void scheduleHeartbeat();
  void claimOrphans();
  void adoptClaimed();
  void sendFarewell();

  Client client_;
  DeliveryQueue queue_;
  SessionWorld world_;
  std::mt19937 random_;
  bool closed_ = false;
  std::vector<Posted> inFlight_;
  std::set<CallId> restored_;  // calls taken over from earlier pages: unawaited
  std::vector<std::pair<CallId, FlushId>> flushes_;  // (the last call it waits for, the flush)
  FlushId nextFlushId_ = 1;
  std::array<bool, kSessionTimerCount> timerPending_{};
  std::int64_t wakeAtMs_ = 0;  // when the Wake timer fires

  bool persist_;
  PersistLimits limits_;
  std::string namespace_;   // "outbound:<hash of the key>"
  std::string tab_;         // this page load
  std::string storageKey_;  // namespace_ + ":q:" + tab_
  std::string claim_;       // "<tab>@<ms>", written on the queues this tab claims
  std::vector<std::string> claimed_;
};

}  // namespace outbound
