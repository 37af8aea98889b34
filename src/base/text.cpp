#include "base/text.h"

#include <ctime>

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

std::string counted(std::size_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
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
    // Digits in dot-separated components, none empty: never ".", ".." or a leading, trailing or doubled dot
    // (a UID from a server becomes a folder name in the cache).
    return !uid.empty() && uid.size() <= 64 && uid.find_first_not_of("0123456789.") == std::string::npos &&
           uid.front() != '.' && uid.back() != '.' && uid.find("..") == std::string::npos;
}

bool naturalLess(const std::string& a, const std::string& b) {
    return ::strverscmp(a.c_str(), b.c_str()) < 0;
}

bool isUtf8(const std::string& text) {
    for (std::size_t n = 0; n < text.size();) {
        const auto c = static_cast<unsigned char>(text[n]);
        const std::size_t length = c < 0x80         ? 1
                                   : (c >> 5) == 6  ? 2
                                   : (c >> 4) == 14 ? 3
                                   : (c >> 3) == 30 ? 4
                                                    : 0;
        if (length == 0 || n + length > text.size())
            return false;
        for (std::size_t k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(text[n + k]) & 0xC0) != 0x80)
                return false;
        n += length;
    }
    return true;
}

std::string textAsUtf8(const std::string& text, const std::string& charset) {
    if (isUtf8(text))
        return text;
    std::string out;
    const bool latin1 = charset.empty() || charset.find("ISO_IR 100") != std::string::npos;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80)
            out.push_back(ch);
        else if (!latin1)
            out.push_back('?');
        else {
            out.push_back(char(0xC0 | (c >> 6)));
            out.push_back(char(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

std::string utf8Prefix(const std::string& text, std::size_t maxBytes) {
    if (text.size() <= maxBytes)
        return text;
    std::size_t end = maxBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
        --end; // not inside a character: continuation bytes are 10xxxxxx
    return text.substr(0, end);
}

std::string localTimeText(const char* pattern) {
    char text[64];
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    std::strftime(text, sizeof text, pattern, &tm);
    return text;
}

} // namespace ctview
