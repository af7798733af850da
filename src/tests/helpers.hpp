// Shared by the Catch2 tests: calls written the way src/bindings/js_args.js encodes them, "<kinds>:<json array>".
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "core/client.hpp"
#include "core/json.hpp"
#include <nlohmann/json.hpp>

namespace outbound::testing {

/// nlohmann/json, an independent reader of what the core writes.
using ReferenceJson = nlohmann::json;

constexpr std::int64_t kNowMs = 1700000000789;  // 2023-11-14T22:13:20.789Z
constexpr std::int64_t kNowSeconds = kNowMs / 1000;
constexpr const char* kKey = "sk_test_SECRET_key_123";

inline Client testClient() {
  auto setup = readConstructorArgs(std::string("so:[\"") + kKey +
                                   "\",{\"baseUrl\":\"http://127.0.0.1:9/v2\"}]");
  REQUIRE(setup.ok());
  return Client(setup.value());
}

/// The request `method` builds from `encoded`; the test fails if the call is rejected.
inline HttpRequest requestOf(const std::string& method, const std::string& encoded) {
  auto request = testClient().prepare(method, encoded, kNowMs);
  INFO(method << "(" << encoded << ")");
  if (!request.ok()) FAIL("rejected: " << request.error().message);
  return request.value();
}

inline ReferenceJson bodyOf(const std::string& method, const std::string& encoded) {
  return ReferenceJson::parse(requestOf(method, encoded).body);
}

/// The message `method` rejects `encoded` with; the test fails if the call is accepted.
inline std::string errorOf(const std::string& method, const std::string& encoded) {
  auto request = testClient().prepare(method, encoded, kNowMs);
  INFO(method << "(" << encoded << ")");
  if (request.ok()) FAIL("accepted, body " << request.value().body);
  CHECK_FALSE(request.error().receivedCall);
  CHECK(request.error().status == 0);
  CHECK(request.error().message.find(kKey) == std::string::npos);
  return request.error().message;
}

}  // namespace outbound::testing
