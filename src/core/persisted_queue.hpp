// The durable queue of browsers (docs/delivery.md): what is kept in localStorage, under which
// name, within which bounds, and when another tab may take a stored queue over. Pure: the binding
// does the storage I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outbound {

/// The bounds README.md documents.
struct PersistLimits {
  std::size_t maxCalls = 1000;                 // undelivered calls kept per client
  std::size_t maxBytes = 1024 * 1024;          // their bodies together, in bytes
  std::int64_t staleAfterMs = 10 * 60 * 1000;  // a tab not heard of for this long is gone
  std::int64_t heartbeatMs = 60 * 1000;        // how often a tab with calls says it is alive
};

/// One undelivered call as stored.
struct StoredCall {
  std::string method;
  std::string path;
  std::string body;
  std::vector<std::string> userIds;
  std::int64_t acceptedMs = 0;
};

/// What one tab's client keeps in storage.
struct StoredQueue {
  std::string tab;  // the tab (page load) that owns it
  std::int64_t heartbeatMs = 0;
  bool released = false;  // the page was left: another page may take the calls over at once
  std::vector<StoredCall> calls;
};

/// The storage key prefix of a client: "outbound:" and a hash of the key, never the key itself.
std::string storageNamespace(std::string_view apiKey);

std::string encodeStoredQueue(const StoredQueue& queue);
/// Nothing for text that is not a stored queue (another program's value, a truncated write).
std::optional<StoredQueue> decodeStoredQueue(std::string_view text);

/// Whether another tab may take `queue` over: its page was left, or it was not heard of for long.
bool isOrphaned(const StoredQueue& queue, std::int64_t nowMs, const PersistLimits& limits);

}  // namespace outbound
