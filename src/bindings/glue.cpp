#include "bindings/glue.hpp"

#include <map>
#include <string_view>

namespace outbound::bindings {

const emscripten::val& glue(const char* name) {
  static auto* functions =
      new std::map<std::string_view, emscripten::val>();  // lives as the module
  auto found = functions->find(name);
  if (found == functions->end()) {
    found = functions->emplace(name, emscripten::val::module_property(name)).first;
  }
  return found->second;
}

}  // namespace outbound::bindings
