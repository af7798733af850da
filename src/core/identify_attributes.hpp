#pragma once

#include <string_view>

#include "core/js_args.hpp"
#include "core/json.hpp"
#include "core/result.hpp"

namespace outbound {

/// Maps identify()'s `attributes` onto the wire fields (docs/contract.md, Validation and mapping)
/// and adds them to `body`: known names (either spelling; the wire spelling wins) become
/// top-level fields, any other key moves into `attributes` instead of being dropped.
Status addIdentifyAttributes(const JsArg& attributes, std::string_view name, Json& body);

}  // namespace outbound
