#pragma once
// Text helpers shared by the core and the UI.
#include <string>

namespace ctview {

// printf into a std::string, checked by the compiler as printf is (at most 1023 characters).
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace ctview
