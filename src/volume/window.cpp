#include "volume/window.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace ctview {

const std::vector<WindowPreset>& windowPresets() {
    static const std::vector<WindowPreset> presets = {
        {"brain", {80, 40}},        {"subdural", {200, 80}}, {"stroke", {40, 40}}, {"lung", {1500, -600}},
        {"mediastinum", {350, 50}}, {"abdomen", {400, 50}},  {"liver", {150, 30}}, {"bone", {1800, 400}},
    };
    return presets;
}

const WindowPreset* findWindowPreset(const std::string& name) {
    std::string t = name;
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    for (const WindowPreset& p : windowPresets())
        if (p.name == t)
            return &p;
    return nullptr;
}

std::optional<WindowLevel> parseWindow(const std::string& text,
                                       const std::optional<WindowLevel>& fileWindow) {
    std::string t = text;
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (t == "file")
        return fileWindow;
    if (const WindowPreset* p = findWindowPreset(t))
        return p->wl;
    const auto sep = t.find_first_of(",/");
    if (sep == std::string::npos)
        return std::nullopt;
    const std::string a = t.substr(0, sep), b = t.substr(sep + 1);
    char *ea = nullptr, *eb = nullptr;
    const double w = std::strtod(a.c_str(), &ea), c = std::strtod(b.c_str(), &eb);
    if (a.empty() || b.empty() || *ea != '\0' || *eb != '\0' || !(w > 0))
        return std::nullopt;
    return WindowLevel{w, c};
}

} // namespace ctview
