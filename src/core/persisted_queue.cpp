#include "core/persisted_queue.hpp"

#include <cstdio>
#include <limits>
#include <type_traits>

#include "core/json.hpp"

namespace outbound {
namespace {

constexpr int kFormatVersion = 1;

// FNV-1a, 64 bits: a stable, short name for a key. It only has to keep two keys' queues apart
// and keep the key itself out of storage.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// An integer that T holds as it is: another program's 2^32 + 1 is not version 1.
template <class T>
bool readInteger(const Json& value, T& out) {
  using Limits = std::numeric_limits<T>;
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(Limits::max())) return false;
    out = static_cast<T>(number);
    return true;
  }
  if (!value.is_number_integer()) return false;
  const auto number = value.get<std::int64_t>();
  if (number < Limits::min() || number > Limits::max()) return false;
  out = static_cast<T>(number);
  return true;
}

template <class T>
bool read(const Json& object, const char* key, T& out) {
  const auto found = object.find(key);
  if (found == object.end()) return false;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!found->is_string()) return false;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!found->is_boolean()) return false;
  } else {
    return readInteger(*found, out);
  }
  out = found->get<T>();
  return true;
}

std::optional<StoredCall> decodeCall(const Json& item) {
  StoredCall call;
  if (!item.is_object() || !read(item, "m", call.method) || !read(item, "p", call.path) ||
      !read(item, "b", call.body) || !read(item, "t", call.acceptedMs)) {
    return std::nullopt;
  }
  const auto users = item.find("u");
  if (users == item.end() || !users->is_array()) return std::nullopt;
  for (const auto& user : *users) {
    if (!user.is_string()) return std::nullopt;
    call.userIds.push_back(user.get<std::string>());
  }
  return call;
}

}  // namespace

std::string storageNamespace(std::string_view apiKey) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(apiKey)));
  return std::string("outbound:") + hex;
}

std::string encodeStoredQueue(const StoredQueue& queue) {
  Json calls = Json::array();
  for (const auto& call : queue.calls) {
    calls.push_back(Json{{"m", call.method},
                         {"p", call.path},
                         {"b", call.body},
                         {"u", call.userIds},
                         {"t", call.acceptedMs}});
  }
  return toJsonText(Json{{"v", kFormatVersion},
                         {"tab", queue.tab},
                         {"beat", queue.heartbeatMs},
                         {"released", queue.released},
                         {"calls", std::move(calls)}});
}

std::optional<StoredQueue> decodeStoredQueue(std::string_view text) {
  const Json json = parseJson(text);
  StoredQueue queue;
  int version = 0;
  if (!json.is_object() || !read(json, "v", version) || version != kFormatVersion ||
      !read(json, "tab", queue.tab) || !read(json, "beat", queue.heartbeatMs) ||
      !read(json, "released", queue.released)) {
    return std::nullopt;
  }
  const auto calls = json.find("calls");
  if (calls == json.end() || !calls->is_array()) return std::nullopt;
  for (const auto& item : *calls) {
    auto call = decodeCall(item);
    if (!call) return std::nullopt;
    queue.calls.push_back(std::move(*call));
  }
  return queue;
}

bool isOrphaned(const StoredQueue& queue, std::int64_t nowMs, const PersistLimits& limits) {
  return queue.released || nowMs - queue.heartbeatMs >= limits.staleAfterMs;
}

}  // namespace outbound
