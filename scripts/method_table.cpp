// Prints the C++ method table as JSON (core/methods.hpp, methodTableJson) for scripts/bundle.mjs,
// which writes the public class's API methods from it into dist/. Built for Node beside the
// module by CMake; never shipped, so the table costs the page nothing beyond its rows.
#include <cstdio>

#include "core/methods.hpp"

int main() {
  std::puts(outbound::methodTableJson().c_str());
  return 0;
}
