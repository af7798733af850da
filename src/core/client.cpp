#include "core/client.hpp"

#include <algorithm>
#include <cmath>

#include "core/http_headers.hpp"
#include "core/js_args.hpp"
#include "core/json.hpp"
#include "core/methods.hpp"
#include "core/redaction.hpp"
#include "core/validation.hpp"

#ifndef OUTBOUND_VERSION
#error "OUTBOUND_VERSION must be defined by the build (it comes from package.json)"
#endif

namespace outbound {
namespace {

// A server's reply is quoted in messages up to this many bytes.
constexpr size_t kQuotedBodyLimit = 500;

// What an HTTP header value can carry as it is: visible ASCII. A key with a line break, a NUL or
// a non-ASCII character would make every request fail far from its cause.
bool isHeaderSafe(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

Result<std::string> baseUrlFrom(const JsArg& arg) {
  auto url = nonEmptyStringFrom(arg, "options.baseUrl");
  if (!url.ok()) return url;
  std::string text = url.value();
  const std::string_view scheme = startsWith(text, "https://") ? "https://" : "http://";
  while (text.size() > scheme.size() && text.back() == '/') text.pop_back();
  if (!startsWith(text, scheme) || text.size() == scheme.size() || text[scheme.size()] == '/') {
    return invalidArgument("options.baseUrl must be http:// or https:// followed by a host");
  }
  return text;
}

std::string wholeNumberText(double value) {
  return std::to_string(static_cast<std::int64_t>(value));
}

Result<double> wholeNumberFrom(const JsArg& arg, std::string_view name, double smallest,
                               double largest) {
  if (arg.kind == JsKind::Number) {
    const double value = arg.value.numberValue();
    if (value >= smallest && value <= largest && std::floor(value) == value) return value;
  }
  return mustBe(
      name, "a whole number from " + wholeNumberText(smallest) + " to " + wholeNumberText(largest),
      arg);
}

Status readBaseUrl(const JsArg& arg, ClientOptions& options) {
  auto url = baseUrlFrom(arg);
  if (!url.ok()) return url.error();
  options.baseUrl = url.value();
  return {};
}

// A whole-number option from `smallest` to `largest`, stored into `field`.
template <class Field>
Status readWholeNumber(const JsArg& arg, std::string_view name, double smallest, double largest,
                       Field& field) {
  auto number = wholeNumberFrom(arg, name, smallest, largest);
  if (!number.ok()) return number.error();
  field = static_cast<Field>(number.value());
  return {};
}

Status readTimeout(const JsArg& arg, ClientOptions& options) {
  return readWholeNumber(arg, "options.timeout", 1, 3600 * 1000, options.timeoutMs);
}

Status readMaxBodyBytes(const JsArg& arg, ClientOptions& options) {
  return readWholeNumber(arg, "options.maxBodyBytes", 1, 1e9, options.maxBodyBytes);
}

Status readRetries(const JsArg& arg, ClientOptions& options) {
  return readWholeNumber(arg, "options.retries", 0, 10, options.retry.retries);
}

Status readBatchField(const std::string& field, const Json& value, BatchOptions& batch) {
  const JsArg arg = JsArg::fromJson(value);
  if (field == "maxEvents") {
    return readWholeNumber(arg, "options.batch.maxEvents", 1, kMaxBatchEvents, batch.maxEvents);
  }
  if (field == "flushIntervalMs") {
    return readWholeNumber(arg, "options.batch.flushIntervalMs", 0, 600000, batch.flushIntervalMs);
  }
  return invalidArgument("options.batch has an unknown field \"" + field +
                         "\"; the fields are maxEvents and flushIntervalMs");
}

// batch: true, false, or {maxEvents, flushIntervalMs}.
Status readBatch(const JsArg& arg, ClientOptions& options) {
  if (arg.kind == JsKind::Boolean) {
    options.batch.enabled = arg.value.booleanValue();
    return {};
  }
  if (arg.omitted()) return {};
  if (!arg.value.isObject()) {
    return mustBe("options.batch", "true, false or {maxEvents, flushIntervalMs}", arg);
  }
  options.batch.enabled = true;
  for (size_t i = 0; i < arg.value.size(); ++i) {
    auto read = readBatchField(arg.value.keys()[i], arg.value.elements()[i], options.batch);
    if (!read.ok()) return read;
  }
  return {};
}

Status readMaxInFlight(const JsArg& arg, ClientOptions& options) {
  return readWholeNumber(arg, "options.maxInFlight", 1, 100, options.maxInFlight);
}

// A function never reaches this text (JSON leaves functions out): the binding takes it from the
// options object itself. What does reach it is what a function option must not be.
Status functionOnly(const JsArg& arg, std::string_view name) {
  if (arg.kind == JsKind::Null) return {};
  return mustBe(name, "a function", arg);
}

Status readOnError(const JsArg& arg, ClientOptions&) {
  return functionOnly(arg, "options.onError");
}

Status readFetch(const JsArg& arg, ClientOptions&) { return functionOnly(arg, "options.fetch"); }

Status readBoolean(const JsArg& arg, std::string_view name, bool& field) {
  if (arg.kind != JsKind::Boolean) return mustBe(name, "true or false", arg);
  field = arg.value.booleanValue();
  return {};
}

Status readPersist(const JsArg& arg, ClientOptions& options) {
  return readBoolean(arg, "options.persist", options.persist);
}

Status readDebug(const JsArg& arg, ClientOptions& options) {
  return readBoolean(arg, "options.debug", options.debug);
}

Status readDisabled(const JsArg& arg, ClientOptions& options) {
  return readBoolean(arg, "options.disabled", options.disabled);
}

struct OptionSpec {
  std::string_view name;
  Status (*read)(const JsArg&, ClientOptions&);
};

constexpr OptionSpec kOptions[] = {
    {"baseUrl", readBaseUrl},
    {"timeout", readTimeout},
    {"maxBodyBytes", readMaxBodyBytes},
    {"retries", readRetries},
    {"batch", readBatch},
    {"persist", readPersist},
    {"maxInFlight", readMaxInFlight},
    {"onError", readOnError},
    {"fetch", readFetch},
    {"debug", readDebug},
    {"disabled", readDisabled},
};

std::string unknownOptionWarning(const std::string& name) {
  std::string known;
  for (const auto& option : kOptions)
    known += (known.empty() ? "" : ", ") + std::string(option.name);
  return "outbound: ignoring unknown option \"" + name + "\" (known: " + known + ")";
}

Status applyOption(const std::string& name, const Json& value, ClientSetup& setup) {
  for (const auto& option : kOptions) {
    if (option.name == name) return option.read(JsArg::fromJson(value), setup.options);
  }
  setup.warnings.push_back(unknownOptionWarning(name));
  return {};
}

std::string quoted(std::string_view text, std::string_view apiKey) {
  return quoteRedacted(text, apiKey, kQuotedBodyLimit);
}

// A reply's size is what its Content-Length says: the transport reads only its start.
std::string quotedReply(const HttpResponse& response, std::string_view apiKey) {
  const std::string_view declared = headerValue(response.headers, "content-length");
  const bool whole = response.body.size() < kReplyReadLimit;
  const bool declaredIsNumber =
      !declared.empty() &&
      std::all_of(declared.begin(), declared.end(), [](char c) { return c >= '0' && c <= '9'; });
  const std::string size = declaredIsNumber ? std::string(declared) + " bytes"
                           : whole          ? std::to_string(response.body.size()) + " bytes"
                                   : "more than " + std::to_string(kReplyReadLimit) + " bytes";
  return quoteRedacted(response.body, apiKey, kQuotedBodyLimit, size);
}

CallError withPrefix(std::string_view method, CallError error) {
  error.message = std::string(method) + ": " + error.message;
  return error;
}

// The constructor's arguments into `setup`; an error names the argument, not yet the constructor.
Status readSetup(std::string_view encodedArgs, ClientSetup& setup) {
  auto args = decodeJsArgs(encodedArgs, {"apiKey", "options"});
  if (!args.ok()) return args.error();
  const JsArg missing;  // an argument left out (read in place: no copy into a longer vector)
  const auto& given = args.value();
  auto key = nonEmptyStringFrom(given.size() > 0 ? given[0] : missing, "apiKey");
  if (!key.ok()) return key.error();
  if (!isHeaderSafe(key.value())) {
    return invalidArgument(
        "apiKey must be printable ASCII without spaces (it is sent as the X-Outbound-Key header)");
  }
  setup.apiKey = key.value();
  auto options = optionalObjectFrom(given.size() > 1 ? given[1] : missing, "options");
  if (!options.ok()) return options.error();
  const Json& named = options.value();
  for (size_t i = 0; i < named.size(); ++i) {
    auto applied = applyOption(named.keys()[i], named.elements()[i], setup);
    if (!applied.ok()) return applied;
  }
  return {};
}

// The request body of a call of `method`, from its arguments as js_args.js encoded them.
Result<BuiltBody> bodyFrom(const MethodSpec& method, std::string_view encodedArgs,
                           std::int64_t nowMs) {
  auto args = decodeJsArgs(encodedArgs, method.paramNames);
  if (!args.ok()) return args.error();
  return buildBody(method, args.value(), nowMs);
}

}  // namespace

std::string clientIdentifier() { return std::string("outbound-wasm/") + OUTBOUND_VERSION; }

Result<ClientSetup> readConstructorArgs(std::string_view encodedArgs) {
  ClientSetup setup;
  auto read = readSetup(encodedArgs, setup);
  if (!read.ok()) return withPrefix("new outbound()", read.error());
  return setup;
}

Client::Client(ClientSetup setup)
    : apiKey_(std::move(setup.apiKey)),
      options_(std::move(setup.options)),
      headers_{{"Content-Type", "application/json"},
               {"X-Outbound-Key", apiKey_},
               {"X-Outbound-Client", clientIdentifier()}} {}

Result<HttpRequest> Client::prepare(std::string_view method, std::string_view encodedArgs,
                                    std::int64_t nowMs) const {
  const MethodSpec* spec = findMethod(method);
  if (spec == nullptr) return invalidArgument(std::string(method) + " is not a method of the API");
  auto body = bodyFrom(*spec, encodedArgs, nowMs);
  if (!body.ok()) return withoutKeyInCallerText(withPrefix(method, body.error()));
  HttpRequest request{options_.baseUrl + std::string(spec->path), std::string(spec->path),
                      std::move(body.value().text), std::move(body.value().userIds)};
  if (request.body.size() > options_.maxBodyBytes) {
    return withPrefix(
        method, invalidArgument("the request body would be " + std::to_string(request.body.size()) +
                                " bytes, over maxBodyBytes (" +
                                std::to_string(options_.maxBodyBytes) + "); nothing was sent"));
  }
  return request;
}

std::string Client::quoted(std::string_view text) const { return outbound::quoted(text, apiKey_); }

// Only a 2xx answer to the POST itself means delivered. A redirect the transport did not follow
// (301, 302 and 303 would turn the POST into a GET without its body; a loop; https to http) or
// one a browser followed without saying how leaves the call undelivered, and the likely fix is
// the baseUrl.
std::optional<CallError> Client::outcome(std::string_view method, std::string_view path,
                                         const HttpResponse& response) const {
  const std::string_view redirectedTo = headerValue(response.headers, kRedirectedToHeader);
  const bool answered2xx = response.status >= 200 && response.status < 300;
  if (answered2xx && redirectedTo.empty()) return std::nullopt;
  const bool answered = response.status > 0;
  return CallError{std::string(method) + ": " + failureText(path, response, redirectedTo), answered,
                   answered ? response.status : 0};
}

std::string Client::failureText(std::string_view path, const HttpResponse& response,
                                std::string_view redirectedTo) const {
  const std::string status = std::to_string(response.status);
  if (response.status >= 200 && response.status < 300) {
    return "POST " + std::string(path) + " was redirected to " + quoted(redirectedTo) +
           ", which answered " + status +
           ", but fetch does not say whether a redirect kept the POST and its body (only 307 "
           "and 308 do), so the call counts as not delivered; set options.baseUrl to where the "
           "API is now";
  }
  if (response.status >= 300 && response.status < 400) {
    const std::string_view location = headerValue(response.headers, "location");
    return "the server answered " + status + " to POST " + std::string(path) + ", redirecting to " +
           (location.empty() ? std::string("nowhere (no Location)") : quoted(location)) +
           "; only a 2xx answer to the POST itself means delivered (a 301, 302 or 303 would drop "
           "its body, and 307 and 308 are followed a few times at most): set options.baseUrl to "
           "where the API is now";
  }
  if (response.status > 0) {
    return "the server answered " + status + " to POST " + std::string(path) + ": " +
           quotedReply(response, apiKey_);
  }
  const std::string url = options_.baseUrl + std::string(path);
  if (response.body.empty()) {
    return "no answer from " + url + " within " + std::to_string(options_.timeoutMs) +
           " ms (timeout); the call may not have arrived";
  }
  return "could not reach " + url + ": " + quoted(response.body);
}

// A refusal can quote the caller's own text (a field name, a path, an exception's message), which
// could hold the key. A key long enough to be a real one is removed; a very short key cannot be
// told from our own words, and removing it would garble them.
CallError Client::withoutKeyInCallerText(CallError error) const {
  constexpr std::size_t kShortestRedactedKey = 8;
  if (apiKey_.size() >= kShortestRedactedKey) error.message = redactApiKey(error.message, apiKey_);
  return error;
}

}  // namespace outbound
