#pragma once
#include <string_view>
namespace outbound {
double jsonNumberToDouble(std::string_view text);
}
