#include "core/text.h"

#include <cstdarg>
#include <cstdio>

namespace ctview {

std::string format(const char* fmt, ...) {
    char text[1024];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    return text;
}

} // namespace ctview
