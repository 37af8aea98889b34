#include "base/text.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace ctview {

std::string format(const char* fmt, ...) {
    char text[1024];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    return text;
}

std::string joined(const std::vector<std::string>& names, const std::string& separator) {
    std::string out;
    for (std::size_t n = 0; n < names.size(); ++n)
        out += (n == 0 ? "" : separator) + names[n];
    return out;
}

std::string listed(std::vector<std::string> names) {
    const std::string last = names.size() > 1 ? " or " + names.back() : "";
    if (!last.empty())
        names.pop_back();
    return joined(names, ", ") + last;
}

bool isSafeUid(const std::string& uid) {
    return !uid.empty() && uid.size() <= 64 && uid.find_first_not_of("0123456789.") == std::string::npos;
}

bool naturalLess(const std::string& a, const std::string& b) {
    return ::strverscmp(a.c_str(), b.c_str()) < 0;
}

} // namespace ctview
