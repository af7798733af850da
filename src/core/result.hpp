// Errors are values in the core (docs/architecture.md): only the binding turns them into rejected
// Promises.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace outbound {

/// Why a call did not succeed: what a rejected Promise carries (docs/contract.md, Errors).
struct CallError {
  std::string message;
  bool receivedCall = false;  // true only when the server answered with a failure status
  int status = 0;             // the HTTP status when there was one, else 0
};

/// Either a value or the CallError that prevented it.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(CallError error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }
  const T& value() const { return value_; }
  T& value() { return value_; }
  const CallError& error() const { return *error_; }

 private:
  T value_{};
  std::optional<CallError> error_;
};

/// Success, or the CallError that prevented it.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(CallError error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }
  const CallError& error() const { return *error_; }

 private:
  std::optional<CallError> error_;
};
using Status = Result<void>;

/// A validation failure: nothing was sent, so the server never saw the call.
inline CallError invalidArgument(std::string message) {
  return CallError{std::move(message), false, 0};
}

/// A call dropped before delivery (the queue of undelivered calls was full): it was never sent.
inline CallError droppedBeforeDelivery(std::string message) {
  return CallError{std::move(message), false, 0};
}

}  // namespace outbound
