#include "viewer/settings.h"

#include "dicomweb/dicomweb.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "volume/colormap.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ctview::viewer {

using nlohmann::json;

std::filesystem::path settingsPath() {
    return userFolder(UserFolder::Config) / "settings.json";
}

std::filesystem::path userPresetFolder() {
    return settingsPath().parent_path() / "presets";
}

namespace {
// Reads j[key] into `out` when present with the right type; a wrong type is a problem, the rest still loads.
template <class T> void read(const json& j, const char* key, T& out, std::vector<std::string>& bad) {
    auto it = j.find(key);
    if (it == j.end())
        return;
    try {
        out = it->template get<T>();
    } catch (const json::exception&) {
        bad.push_back(key);
    }
}

// The recent list, entry by entry: what the Open dialog and `ctview` with no argument can use is kept (in
// order, at most kMaxRecent), anything else dropped and named as a problem. A hand-edited or damaged file
// must never reach the window with an entry it cannot draw or open.
void readRecent(const json& j, std::vector<std::string>& recent, std::vector<std::string>& bad) {
    auto it = j.find("recent");
    if (it == j.end())
        return;
    if (!it->is_array()) {
        bad.push_back("recent");
        return;
    }
    std::size_t dropped = 0;
    for (const json& e : *it) {
        if (!e.is_string() || !isValidRecent(e.get<std::string>())) {
            ++dropped;
            continue;
        }
        // A duplicate is harmless: kept once, without a word.
        if (recent.size() < kMaxRecent &&
            std::find(recent.begin(), recent.end(), e.get<std::string>()) == recent.end())
            recent.push_back(e.get<std::string>());
    }
    if (dropped > 0)
        bad.push_back("recent (" + std::to_string(dropped) + (dropped == 1 ? " entry)" : " entries)"));
}
} // namespace

bool isValidRecent(const std::string& entry) {
    if (entry.empty() || entry.size() > kMaxRecentBytes)
        return false;
    for (const char c : entry)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return false; // control characters: no path or URL that ctview wrote holds one
    if (isDicomWebUrl(entry)) {
        try {
            parseDicomWebUrl(entry);
            return true;
        } catch (const std::exception&) {
            return false;
        }
    }
    return entry.front() ==
           '/'; // addRecent keeps absolute paths: a relative one depends on where ctview runs
}

Settings loadSettings(const std::filesystem::path& path, std::string& problem) {
    Settings s;
    problem.clear();
    std::ifstream in(path);
    if (!in)
        return s; // no settings yet
    std::stringstream text;
    text << in.rdbuf();
    json j;
    try {
        j = json::parse(text.str());
    } catch (const json::exception& e) {
        problem = path.string() + ": ignored, not valid JSON (" + e.what() + ")";
        return s;
    }
    if (!j.is_object()) {
        problem = path.string() + ": ignored, not a JSON object";
        return s;
    }
    std::vector<std::string> bad;
    readRecent(j, s.recent, bad);
    read(j, "pacs_servers", s.pacsServers, bad);
    // A URL with credentials in it is never kept (they belong in the environment or netrc).
    s.pacsServers.erase(std::remove_if(s.pacsServers.begin(), s.pacsServers.end(),
                                       [](const std::string& u) {
                                           try {
                                               return !isDicomWebUrl(u) || !parseDicomWebUrl(u).study.empty();
                                           } catch (const std::exception&) {
                                               return true;
                                           }
                                       }),
                        s.pacsServers.end());
    read(j, "window_x", s.windowX, bad);
    read(j, "window_y", s.windowY, bad);
    read(j, "window_width", s.windowWidth, bad);
    read(j, "window_height", s.windowHeight, bad);
    read(j, "window_maximized", s.windowMaximized, bad);
    read(j, "window_level", s.windowName, bad);
    read(j, "colormap", s.colormap, bad);
    read(j, "invert", s.invert, bad);
    read(j, "linear", s.linear, bad);
    read(j, "burn_in_measurements", s.burnIn, bad);
    read(j, "sidebar", s.sidebar, bad);
    read(j, "sidebar_width", s.sidebarWidth, bad);
    if (!(s.sidebarWidth >= 200 && s.sidebarWidth <= 4000))
        s.sidebarWidth = 340;
    if (auto o = j.find("overlays"); o != j.end() && o->is_object()) {
        read(*o, "crosshair", s.overlays.crosshair, bad);
        read(*o, "letters", s.overlays.letters, bad);
        read(*o, "scale_bar", s.overlays.scaleBar, bad);
        read(*o, "window_level", s.overlays.windowLevel, bad);
        read(*o, "probe", s.overlays.probe, bad);
        read(*o, "slice_info", s.overlays.sliceInfo, bad);
    }
    if (auto v = j.find("view3d"); v != j.end() && v->is_object()) {
        read(*v, "preset", s.preset3d, bad);
        read(*v, "colormap", s.colormap3d, bad);
        read(*v, "perspective", s.perspective3d, bad);
    }
    if (auto c = j.find("cine"); c != j.end() && c->is_object()) {
        read(*c, "fps", s.cineFps, bad);
        read(*c, "bounce", s.cineBounce, bad);
    }
    // Values that would make a broken window: back to the defaults.
    const Settings defaults;
    if (!(s.cineFps >= 1 && s.cineFps <= 60)) {
        bad.push_back("cine fps");
        s.cineFps = defaults.cineFps;
    }
    if (s.windowWidth < 200 || s.windowWidth > 16384 || s.windowHeight < 150 || s.windowHeight > 16384) {
        s.windowWidth = defaults.windowWidth;
        s.windowHeight = defaults.windowHeight;
        bad.push_back("window size");
    }
    const auto& maps = colormapNames();
    if (std::find(maps.begin(), maps.end(), s.colormap) == maps.end()) {
        bad.push_back("colormap " + s.colormap);
        s.colormap = defaults.colormap;
    }
    if (std::find(maps.begin(), maps.end(), s.colormap3d) == maps.end()) {
        bad.push_back("3D colormap " + s.colormap3d);
        s.colormap3d = defaults.colormap3d;
    }
    if (!bad.empty()) {
        problem = path.string() + ": ignored what could not be used:";
        for (const std::string& b : bad)
            problem += " " + b;
    }
    return s;
}

std::string settingsText(const Settings& s) {
    const json j = {
        {"recent", s.recent},
        {"pacs_servers", s.pacsServers},
        {"window_x", s.windowX},
        {"window_y", s.windowY},
        {"window_width", s.windowWidth},
        {"window_height", s.windowHeight},
        {"window_maximized", s.windowMaximized},
        {"window_level", s.windowName},
        {"colormap", s.colormap},
        {"invert", s.invert},
        {"linear", s.linear},
        {"burn_in_measurements", s.burnIn},
        {"sidebar", s.sidebar},
        {"sidebar_width", s.sidebarWidth},
        {"view3d", {{"preset", s.preset3d}, {"colormap", s.colormap3d}, {"perspective", s.perspective3d}}},
        {"cine", {{"fps", s.cineFps}, {"bounce", s.cineBounce}}},
        {"overlays",
         {{"crosshair", s.overlays.crosshair},
          {"letters", s.overlays.letters},
          {"scale_bar", s.overlays.scaleBar},
          {"window_level", s.overlays.windowLevel},
          {"probe", s.overlays.probe},
          {"slice_info", s.overlays.sliceInfo}}}};
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

void saveSettings(const std::filesystem::path& path, const Settings& s) {
    createFolder(path.parent_path());
    writeTextFileAtomically(path, settingsText(s));
}

void addRecent(Settings& s, const std::string& input) {
    if (input.empty())
        return; // nothing to remember (and an empty row is nothing a user can click)
    std::error_code ec;
    // A DICOMweb study is remembered by its URL (which never holds credentials: they are refused in URLs).
    std::string abs = isDicomWebUrl(input) ? parseDicomWebUrl(input).text()
                                           : std::filesystem::absolute(input, ec).lexically_normal().string();
    if (ec)
        abs = input;
    if (abs.size() > 1 && abs.back() == '/')
        abs.pop_back();
    if (!isValidRecent(abs))
        return;
    s.recent.erase(std::remove(s.recent.begin(), s.recent.end(), abs), s.recent.end());
    s.recent.insert(s.recent.begin(), abs);
    if (s.recent.size() > kMaxRecent)
        s.recent.resize(kMaxRecent);
}

void applySettings(const Settings& from, viewer::AppState& to) {
    to.windowName = from.windowName;
    to.colormap = from.colormap;
    to.invert = from.invert;
    to.linear = from.linear;
    to.burnIn = from.burnIn;
    to.overlays = from.overlays;
    to.panels.sidebar = from.sidebar;
    to.sidebarWidth = from.sidebarWidth;
    to.recent = from.recent;
    to.pacsServers = from.pacsServers;
    // A user's own preset is applied once the presets folder has been read (the viewer does that).
    if (const RenderPreset* p = findBuiltinPreset(from.preset3d))
        viewer::applyPreset(to, *p);
    to.view3d.presetName = from.preset3d;
    to.view3d.colormap = from.colormap3d;
    to.view3d.camera.perspective = from.perspective3d;
    to.cine.fps = from.cineFps;
    to.cine.bounce = from.cineBounce;
}

void captureSettings(const viewer::AppState& from, Settings& to) {
    // "custom" and "auto" windows belong to one series; what carries over is a named preset or the file's
    // own.
    to.windowName = findWindowPreset(from.windowName) ? from.windowName : "file";
    to.colormap = from.colormap;
    to.invert = from.invert;
    to.linear = from.linear;
    to.burnIn = from.burnIn;
    to.overlays = from.overlays;
    to.sidebar = from.panels.sidebar;
    to.sidebarWidth = from.sidebarWidth;
    to.recent = from.recent;
    to.pacsServers = from.pacsServers;
    to.preset3d = from.view3d.presetName;
    to.colormap3d = from.view3d.colormap;
    to.perspective3d = from.view3d.camera.perspective;
    to.cineFps = from.cine.fps;
    to.cineBounce = from.cine.bounce;
}

} // namespace ctview::viewer
