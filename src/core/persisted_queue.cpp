#include "core/persisted_queue.hpp"

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
  const auto number = value.integerValue();
  if (!number) return false;
  if constexpr (Limits::is_signed) {
    if (*number < Limits::min() || *number > Limits::max()) return false;
  } else {
    if (*number < 0 || static_cast<std::uint64_t>(*number) > Limits::max()) return false;
  }
  out = static_cast<T>(*number);
  return true;
}

template <class T>
bool read(const Json& object, const char* key, T& out) {
  const Json* found = object.find(key);
  if (found == nullptr) return false;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!found->isString()) return false;
    out = found->text();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!found->isBoolean()) return false;
    out = found->booleanValue();
  } else {
    return readInteger(*found, out);
  }
  return true;
}

std::optional<StoredCall> decodeCall(const Json& item) {
  StoredCall call;
  if (!item.isObject() || !read(item, "m", call.method) || !read(item, "p", call.path) ||
      !read(item, "b", call.body) || !read(item, "t", call.acceptedMs)) {
    return std::nullopt;
  }
  const Json* users = item.find("u");
  if (users == nullptr || !users->isArray()) return std::nullopt;
  for (const auto& user : users->elements()) {
    if (!user.isString()) return std::nullopt;
    call.userIds.push_back(user.text());
  }
  return call;
}

Json stringArray(const std::vector<std::string>& texts) {
  Json array = Json::array();
  for (const auto& text : texts) array.push(Json::string(text));
  return array;
}

}  // namespace

std::string storageNamespace(std::string_view apiKey) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  const std::uint64_t hash = fnv1a(apiKey);
  std::string name = "outbound:";
  for (int shift = 60; shift >= 0; shift -= 4) name += kHexDigits[(hash >> shift) & 0xF];
  return name;
}

std::string encodeStoredQueue(const StoredQueue& queue) {
  Json calls = Json::array();
  for (const auto& call : queue.calls) {
    Json item = Json::object();
    item.append("m", Json::string(call.method));
    item.append("p", Json::string(call.path));
    item.append("b", Json::string(call.body));
    item.append("u", stringArray(call.userIds));
    item.append("t", Json::integer(call.acceptedMs));
    calls.push(std::move(item));
  }
  Json stored = Json::object();
  stored.append("v", Json::integer(kFormatVersion));
  stored.append("tab", Json::string(queue.tab));
  stored.append("beat", Json::integer(queue.heartbeatMs));
  stored.append("released", Json::boolean(queue.released));
  stored.append("calls", std::move(calls));
  return toJsonText(stored);
}

std::optional<StoredQueue> decodeStoredQueue(std::string_view text) {
  const Json json = parseJson(text);
  StoredQueue queue;
  int version = 0;
  if (!json.isObject() || !read(json, "v", version) || version != kFormatVersion ||
      !read(json, "tab", queue.tab) || !read(json, "beat", queue.heartbeatMs) ||
      !read(json, "released", queue.released)) {
    return std::nullopt;
  }
  const Json* calls = json.find("calls");
  if (calls == nullptr || !calls->isArray()) return std::nullopt;
  for (const auto& item : calls->elements()) {
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
