// Sends a prepared request with emscripten_fetch and settles a Promise with the outcome.
#pragma once

#include <emscripten/val.h>

#include <memory>
#include <string>

#include "core/client.hpp"

namespace outbound::bindings {

/// Starts `request` and returns the Promise of its outcome, as the client judges it.
emscripten::val sendRequest(std::shared_ptr<const Client> client, std::string method,
                            HttpRequest request);

/// A Promise already rejected with `error`, in the shape of SPEC §4.
emscripten::val rejectedPromise(const CallError& error);

}  // namespace outbound::bindings
