// decodeStoredQueue: what another tab, an older version or another program left in storage.
// Input: the stored text, e.g. {"v":1,"tab":"t","beat":1,"released":false,"calls":[]}.
// Invariant: what decodes encodes to text that decodes to the same queue, and encodes the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/persisted_queue.hpp"
#include "fuzz_support.hpp"

using namespace outbound;

namespace {

bool sameCalls(const StoredQueue& a, const StoredQueue& b) {
  if (a.calls.size() != b.calls.size()) return false;
  for (size_t i = 0; i < a.calls.size(); ++i) {
    const StoredCall& x = a.calls[i];
    const StoredCall& y = b.calls[i];
    if (x.method != y.method || x.path != y.path || x.body != y.body || x.userIds != y.userIds ||
        x.acceptedMs != y.acceptedMs) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string name = storageNamespace(text);
  FUZZ_INVARIANT(name.size() == 9 + 16 && fuzzing::startsWith(name, "outbound:"));

  const auto queue = decodeStoredQueue(text);
  if (!queue) return 0;
  const std::string encoded = encodeStoredQueue(*queue);
  const auto again = decodeStoredQueue(encoded);
  FUZZ_INVARIANT(again.has_value());
  FUZZ_INVARIANT(encodeStoredQueue(*again) == encoded);
  FUZZ_INVARIANT(again->tab == queue->tab && again->heartbeatMs == queue->heartbeatMs &&
                 again->released == queue->released && sameCalls(*again, *queue));
  isOrphaned(*queue, fuzzing::kNowMs, PersistLimits{});
  return 0;
}
