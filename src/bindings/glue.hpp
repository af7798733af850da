// The functions of the bindings' JavaScript half (js_args.js, promises.js, page.js, http.js:
// Module['name'] in the module's scope), as C++ calls.
#pragma once

#include <emscripten/val.h>

namespace outbound::bindings {

/// The glue function `name`, looked up once: a lookup by name is a trip into JavaScript.
const emscripten::val& glue(const char* name);

}  // namespace outbound::bindings
