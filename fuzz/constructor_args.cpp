// readConstructorArgs: what `new outbound(apiKey, options)` was given. Input: the constructor's
// arguments as js_args.js encodes them, e.g. so:["k",{"timeout":250,"batch":{"maxEvents":5}}].
// Invariants: accepted options lie within their documented bounds, and the client made from them
// builds requests; a refusal says it comes from the constructor.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/methods.hpp"
#include "fuzz_support.hpp"

using namespace outbound;
using fuzzing::startsWith;

namespace {

void checkSetup(const ClientSetup& setup) {
  const ClientOptions& options = setup.options;
  FUZZ_INVARIANT(!setup.apiKey.empty());
  FUZZ_INVARIANT(startsWith(options.baseUrl, "http://") || startsWith(options.baseUrl, "https://"));
  FUZZ_INVARIANT(options.baseUrl.back() != '/');
  FUZZ_INVARIANT(options.timeoutMs >= 1 && options.timeoutMs <= 3600 * 1000);
  FUZZ_INVARIANT(options.maxBodyBytes >= 1 && options.maxBodyBytes <= 1000000000);
  FUZZ_INVARIANT(options.retry.retries >= 0 && options.retry.retries <= 10);
  FUZZ_INVARIANT(options.batch.maxEvents >= 1 && options.batch.maxEvents <= kMaxBatchEvents);
  FUZZ_INVARIANT(options.batch.flushIntervalMs >= 0 && options.batch.flushIntervalMs <= 600000);
  for (const auto& warning : setup.warnings) {
    FUZZ_INVARIANT(startsWith(warning, "outbound: ignoring unknown option \""));
  }

  const Client client(setup);
  FUZZ_INVARIANT(client.headers().size() == 3 && client.headers()[1].second == setup.apiKey);
  const auto request = client.prepare("subscribeAll", R"(s:["u"])", fuzzing::kNowMs);
  if (request.ok()) {
    FUZZ_INVARIANT(request.value().url == options.baseUrl + "/subscribe/all");
  } else {  // {"user_id":"u"} is refused only over a maxBodyBytes below its 15 bytes
    FUZZ_INVARIANT(options.maxBodyBytes < 15);
    FUZZ_INVARIANT(request.error().message.find("over maxBodyBytes") != std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view encoded(reinterpret_cast<const char*>(data), size);
  const auto setup = readConstructorArgs(encoded);
  if (setup.ok()) {
    checkSetup(setup.value());
  } else {
    FUZZ_INVARIANT(startsWith(setup.error().message, "new outbound(): "));
    FUZZ_INVARIANT(!setup.error().receivedCall && setup.error().status == 0);
  }
  return 0;
}
