// Client::prepare, for every method of the API: what a JavaScript caller's arguments become.
// Input: one byte choosing the method (its index in apiMethods(), modulo their number; with the
// high bit set, a client whose maxBodyBytes is 256), then the arguments as js_args.js encodes them:
// "\x02" "ssou:[\"u1\",\"Signed Up\",{\"plan\":\"pro\"},null]" is track(...).
// Invariants: an accepted call's body is JSON within maxBodyBytes, holding the user IDs the
// request reports; a refused call's message names the method and never holds the key.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/methods.hpp"
#include "fuzz_support.hpp"

using namespace outbound;
using ReferenceJson = nlohmann::json;  // an independent reader of what the core writes
using fuzzing::startsWith;

namespace {

void checkRefusal(const MethodSpec& method, const CallError& error) {
  FUZZ_INVARIANT(error.message.find(fuzzing::kKey) == std::string::npos);
  FUZZ_INVARIANT(startsWith(error.message, std::string(method.name) + ": "));
  FUZZ_INVARIANT(!error.receivedCall && error.status == 0);
}

void checkRequest(const MethodSpec& method, const Client& client, const HttpRequest& request) {
  FUZZ_INVARIANT(ReferenceJson::accept(request.body));
  FUZZ_INVARIANT(request.body.size() <= client.options().maxBodyBytes);
  FUZZ_INVARIANT(request.path == method.path);
  FUZZ_INVARIANT(request.url == client.options().baseUrl + request.path);
  FUZZ_INVARIANT(!request.userIds.empty());
  // The user IDs the queue orders calls by are those of the body, in body order.
  const ReferenceJson body =
      ReferenceJson::parse(request.body, nullptr, /*allow_exceptions=*/false);
  auto userIdOf = [](const ReferenceJson& object) {
    const auto found = object.find("user_id");
    return found != object.end() && found->is_string() ? found->get<std::string>() : "";
  };
  if (method.name == "trackBatch") {
    FUZZ_INVARIANT(body.is_array() && body.size() == request.userIds.size());
    for (size_t i = 0; i < body.size(); ++i) {
      FUZZ_INVARIANT(body[i].is_object() && userIdOf(body[i]) == request.userIds[i]);
    }
  } else {
    FUZZ_INVARIANT(body.is_object() && request.userIds.size() == 1);
    FUZZ_INVARIANT(userIdOf(body) == request.userIds[0] && !request.userIds[0].empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const Client roomy = fuzzing::clientWithFixedKey(1024 * 1024);
  static const Client small = fuzzing::clientWithFixedKey(256);
  const auto& methods = apiMethods();
  const MethodSpec& method = methods[(data[0] & 0x7f) % methods.size()];
  const Client& client = (data[0] & 0x80) != 0 ? small : roomy;
  const std::string_view encoded(reinterpret_cast<const char*>(data + 1), size - 1);

  const auto request = client.prepare(method.name, encoded, fuzzing::kNowMs);
  if (request.ok()) {
    checkRequest(method, client, request.value());
  } else {
    checkRefusal(method, request.error());
  }
  return 0;
}
