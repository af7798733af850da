// One client of the Outbound API: its key and options, how a call becomes an HTTP request, and
// what an HTTP outcome means for the caller. Transport-free: the binding does the I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/delivery_queue.hpp"
#include "core/result.hpp"
#include "core/retry_policy.hpp"

namespace outbound {

/// The options of docs/contract.md, with their defaults (README.md documents each).
struct ClientOptions {
  std::string baseUrl = "https://api.outbound.io/v2";
  std::uint32_t timeoutMs = 10000;
  std::size_t maxBodyBytes = 1024 * 1024;
  RetryPolicy retry;
  BatchOptions batch;
  std::size_t maxInFlight = kDefaultMaxInFlight;
  bool persist = true;    // acted on where there is storage: in browsers
  bool debug = false;     // each request and its outcome are logged (Outcomes::log)
  bool disabled = false;  // calls are checked and resolve; nothing is sent or stored
};

/// What `new outbound(apiKey, options)` was given, once checked.
struct ClientSetup {
  std::string apiKey;
  ClientOptions options;
  std::vector<std::string> warnings;  // about unknown option names, which are ignored
};

/// Reads the constructor's arguments (encoded as src/bindings/js_args.js encodes any call's
/// arguments). Its errors become TypeErrors thrown by the constructor.
Result<ClientSetup> readConstructorArgs(std::string_view encodedArgs);

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string url;
  std::string path;  // relative to baseUrl, for messages
  std::string body;
  std::vector<std::string> userIds;  // whose calls these are, in body order
};

/// What the transport reports of one request (docs/transport.md).
struct HttpResponse {
  int status = 0;  // 0 when no answer arrived
  // With a status: the first bytes of the reply (the transport reads no more). Without: why no
  // answer arrived, in the runtime's words ("connect ECONNREFUSED 127.0.0.1:1"); empty when the
  // request timed out.
  std::string body;
  std::string headers;  // raw "name: value\r\n" lines
};

/// The transport reads no more of a reply than this (src/bindings/http.js, outboundReplyLimit).
constexpr std::size_t kReplyReadLimit = 4096;

/// The header a browser's transport adds to a reply it reached through redirects it followed by
/// itself, naming the final URL: the browser does not say whether the POST was kept.
constexpr std::string_view kRedirectedToHeader = "x-outbound-redirected-to";

class Client {
 public:
  explicit Client(ClientSetup setup);

  /// Validates one call of `method` and builds its request; errors name the argument.
  Result<HttpRequest> prepare(std::string_view method, std::string_view encodedArgs,
                              std::int64_t nowMs) const;

  /// Nothing when the response means delivered (a 2xx answer to the POST itself), else the error
  /// the call rejects with.
  std::optional<CallError> outcome(std::string_view method, std::string_view path,
                                   const HttpResponse& response) const;

  /// The headers of every request (docs/contract.md, Requests on the wire).
  const Headers& headers() const { return headers_; }
  /// `text` cut for a message, with the API key in any written form replaced.
  std::string quoted(std::string_view text) const;
  const ClientOptions& options() const { return options_; }

 private:
  CallError withoutKeyInCallerText(CallError error) const;
  /// Why `response` to POST `path` does not mean delivered, for outcome()'s message.
  std::string failureText(std::string_view path, const HttpResponse& response,
                          std::string_view redirectedTo) const;

  std::string apiKey_;
  ClientOptions options_;
  Headers headers_;
};

/// The name and version this library announces in X-Outbound-Client.
std::string clientIdentifier();

}  // namespace outbound
