#include "bindings/client_session.hpp"

#include <emscripten/html5.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "bindings/fetch_transport.hpp"
#include "bindings/glue.hpp"

namespace outbound::bindings {
namespace {

using emscripten::val;

// Date.now(), asked directly: std::chrono's system_clock reaches it through clock_gettime and a
// timespec, more code in the .wasm and the script.
std::int64_t wallClockMs() { return static_cast<std::int64_t>(emscripten_date_now()); }

val callError(const CallError& error) {
  return glue("callError")(error.message, error.receivedCall, error.status);
}

bool usesStorage(const ClientSetup& setup) {
  return setup.options.persist && glue("hasStorage")().as<bool>();
}

// The sessions watching the page; each leaves the list as it is destroyed.
std::vector<ClientSession*>& liveSessions() {
  static std::vector<ClientSession*> sessions;
  return sessions;
}

// Each session is held while it acts (releasing one may drop the last reference to it, or to
// another, which then leaves the list and is skipped).
template <class Action>
void forEachLiveSession(Action action) {
  const auto& live = liveSessions();
  for (ClientSession* session : std::vector<ClientSession*>(live)) {
    if (std::find(live.begin(), live.end(), session) == live.end()) continue;
    const auto held = session->shared_from_this();
    action(*held);
  }
}

}  // namespace

ClientSession::ClientSession(ClientSetup setup, val hooks)
    : ClientSession(setup, std::move(hooks), usesStorage(setup)) {}

ClientSession::ClientSession(ClientSetup setup, val hooks, bool storage)
    : session_(setup, SessionWorld{*this, *this, *this, storage ? this : nullptr, *this},
               storage ? glue("randomId")().as<std::string>() : std::string(),
               static_cast<std::uint32_t>(wallClockMs())),
      hooks_(std::move(hooks)),
      promises_(val::global("Map").new_()) {}

ClientSession::~ClientSession() {
  auto& live = liveSessions();
  live.erase(std::remove(live.begin(), live.end(), this), live.end());
}

void ClientSession::start() {
  // Only where there is a page to watch: a server making a client per request keeps no list.
  if (glue("watchPage")().as<bool>()) liveSessions().push_back(this);
  session_.start();
}

// A refused call's Promise rejects for whoever handles it; onError hears of it either way, and an
// unhandled rejection of ours never ends a Node process (promises.js `settle`).
double ClientSession::call(std::string_view method, std::string_view encodedArgs, bool online) {
  onlineInCall_ = online;
  const auto accepted = session_.call(method, encodedArgs);
  onlineInCall_.reset();
  if (accepted.ok())
    return accepted.value() == kNotSent ? -1 : static_cast<double>(accepted.value());
  glue("refuse")(callError(accepted.error()), hooks_);
  return 0;
}

val ClientSession::awaited(std::optional<FlushId> flush) {
  if (!flush) return glue("OutboundPromise").call<val>("resolve");
  return glue("pending")(promises_, -static_cast<double>(*flush));
}

val ClientSession::flush() { return awaited(session_.flush()); }

val ClientSession::close() { return awaited(session_.close()); }

void ClientSession::releaseAll() {
  forEachLiveSession([](ClientSession& session) { session.session_.release(); });
}

void ClientSession::resumeAll() {
  forEachLiveSession([](ClientSession& session) { session.session_.resume(); });
}

// --- the Session's world ------------------------------------------------------------------------

std::int64_t ClientSession::nowMs() { return wallClockMs(); }

void ClientSession::start(SessionTimer which, std::int64_t delayMs) {
  // The session outlives its timers, whatever JavaScript drops.
  timers_[static_cast<size_t>(which)].start(static_cast<double>(delayMs),
                                            std::shared_ptr<TimerClient>(shared_from_this(), this),
                                            static_cast<int>(which));
}

void ClientSession::fired(int tag) { session_.timerFired(static_cast<SessionTimer>(tag)); }

void ClientSession::cancel(SessionTimer which) { timers_[static_cast<size_t>(which)].cancel(); }

bool ClientSession::online() {
  return onlineInCall_ ? *onlineInCall_ : glue("isOnline")().as<bool>();
}

void ClientSession::post(SendId send, const std::string& url, const std::string& body,
                         const Headers& headers, std::uint32_t timeoutMs) {
  // The session outlives the request, whatever JavaScript drops.
  fetchPost(url, body, headers, timeoutMs, hooks_,
            std::shared_ptr<AnswerSink>(shared_from_this(), this), send);
}

void ClientSession::answered(SendId send, const HttpResponse& response) {
  session_.finished(send, response);
}

void ClientSession::postKeepalive(const std::string& url, const std::string& body,
                                  const Headers& headers) {
  val fields = val::object();
  for (const auto& [name, value] : headers) fields.set(name, value);
  glue("sendKeepalive")(url, body, fields, hooks_);
}

std::string ClientSession::get(const std::string& key) {
  const val value = glue("storageGet")(key);
  return value.isString() ? value.as<std::string>() : std::string();
}

bool ClientSession::set(const std::string& key, const std::string& value) {
  return glue("storageSet")(key, value).as<bool>();
}

void ClientSession::remove(const std::string& key) { glue("storageRemove")(key); }

std::vector<std::string> ClientSession::keys(const std::string& prefix) {
  const std::string lines = glue("storageKeys")(prefix).as<std::string>();
  std::vector<std::string> keys;
  for (size_t start = 0; start < lines.size();) {
    const size_t end = std::min(lines.find('\n', start), lines.size());
    keys.push_back(lines.substr(start, end - start));
    start = end + 1;
  }
  return keys;
}

void ClientSession::settled(CallId id, const CallError* error) {
  if (error) {
    glue("settle")(promises_, static_cast<double>(id), callError(*error), hooks_);
  } else {
    glue("settle")(promises_, static_cast<double>(id));
  }
}

void ClientSession::flushed(FlushId id) { glue("settle")(promises_, -static_cast<double>(id)); }

void ClientSession::unawaitedFailure(const CallError& error) {
  glue("report")(callError(error), hooks_);
}

void ClientSession::warn(const std::string& text) { glue("warnOnce")(text); }

void ClientSession::log(DebugEvent event, const std::string& subject, std::size_t calls,
                        const std::string& detail) {
  glue("log")(static_cast<int>(event), subject, calls, detail);
}

}  // namespace outbound::bindings
