#pragma once
// Text helpers shared by the core and the UI.
#include <string>
#include <vector>

namespace ctview {

// printf into a std::string, checked by the compiler as printf is (at most 1023 characters).
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// `names` with `separator` between them: "info|export|convert".
std::string joined(const std::vector<std::string>& names, const std::string& separator);
// "1 contour lies", "3 contours lie": a count with its noun (and verb) as the count takes them.
std::string counted(std::size_t n, const std::string& one, const std::string& many);
// "a, b, c or d": a list for a help text or a message.
std::string listed(std::vector<std::string> names);

// A UID as PS3.5 9.1 defines it (digits and dots, at most 64): only such a UID may become a file's name (the
// DICOMweb cache's folders, the kept measurements' files).
bool isSafeUid(const std::string& uid);

// Whether `text` is well-formed UTF-8.
bool isUtf8(const std::string& text);
// A DICOM text encoded as its SpecificCharacterSet (0008,0005) says, as UTF-8: kept when it is UTF-8 already;
// ISO_IR 100 (Latin-1, and what files that declare nothing mostly hold) converted byte for byte; another
// character set's bytes outside ASCII as '?'.
std::string textAsUtf8(const std::string& text, const std::string& charset);

// The longest start of `text` of at most `maxBytes` bytes that ends on a whole UTF-8 character.
std::string utf8Prefix(const std::string& text, std::size_t maxBytes);
// Now, local time, through strftime's `pattern` (at most 63 characters out).
std::string localTimeText(const char* pattern);

// Natural order for names as a person reads them: runs of digits compare by their value, so I2 < I10 < I100
// (a scanner's numbered files and folders). glibc's strverscmp.
bool naturalLess(const std::string& a, const std::string& b);

} // namespace ctview
