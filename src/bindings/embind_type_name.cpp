// The one use of printf in the module: embind's __getTypeName (Emscripten 3.1.6,
// system/lib/embind/bind.cpp) names a type it was never told of, for an error message, with
// sprintf(buffer, "%p", type) when the module has no RTTI; clang makes that siprintf, the C
// library's integer-only printf. That brought its whole printf engine (3.7 KB of code, 2.4 KB of
// the page's gzip) for a message that only a mistake in the bindings can cause.
//
// So the module defines siprintf itself, and the C library's is never linked: exactly "%p", written
// as the C library writes it (checked against it: "0x" and the lowercase hexadecimal digits, "0"
// for a null pointer). Any other format traps at once, so that code that starts using sprintf
// cannot get wrong text silently.
#include <cstdarg>
#include <cstdint>

extern "C" int siprintf(char* out, const char* format, ...) {
  if (format[0] != '%' || format[1] != 'p' || format[2] != '\0') __builtin_trap();
  va_list args;
  va_start(args, format);
  auto address = reinterpret_cast<std::uintptr_t>(va_arg(args, void*));
  va_end(args);
  char* at = out;
  if (address != 0) {
    *at++ = '0';
    *at++ = 'x';
  }
  char digits[2 * sizeof address];
  int count = 0;
  do {
    digits[count++] = "0123456789abcdef"[address & 15];
    address >>= 4;
  } while (address != 0);
  while (count > 0) *at++ = digits[--count];
  *at = '\0';
  return static_cast<int>(at - out);
}
