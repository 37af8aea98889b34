#include "viewer/settings.h"

#include "sources/archive.h"

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
    if (isArchiveUrl(entry)) {
        try {
            canonicalArchiveUrl(entry);
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
    readRecent(j, s.prefs.recent, bad);
    read(j, "pacs_servers", s.prefs.pacsServers, bad);
    // Only archives' roots (DICOMweb, dicom://); a URL with credentials in it is never kept (they belong in
    // the environment or netrc): it is no root.
    s.prefs.pacsServers.erase(std::remove_if(s.prefs.pacsServers.begin(), s.prefs.pacsServers.end(),
                                             [](const std::string& u) { return !isArchiveRoot(u); }),
                              s.prefs.pacsServers.end());
    // Names by URL: only saved roots' (a name left over from a root removed by hand goes), one line each.
    read(j, "pacs_names", s.prefs.pacsNames, bad);
    for (auto it = s.prefs.pacsNames.begin(); it != s.prefs.pacsNames.end();) {
        const bool saved = std::find(s.prefs.pacsServers.begin(), s.prefs.pacsServers.end(), it->first) !=
                           s.prefs.pacsServers.end();
        const bool oneLine = it->second.size() <= kMaxPacsName &&
                             std::none_of(it->second.begin(), it->second.end(), [](char c) {
                                 return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
                             });
        it = saved && oneLine ? std::next(it) : s.prefs.pacsNames.erase(it);
    }
    read(j, "window_x", s.window.x, bad);
    read(j, "window_y", s.window.y, bad);
    read(j, "window_width", s.window.width, bad);
    read(j, "window_height", s.window.height, bad);
    s.window.sized = j.contains("window_width") && j.contains("window_height");
    read(j, "window_maximized", s.window.maximized, bad);
    read(j, "window_level", s.look.windowName, bad);
    read(j, "colormap", s.look.colormap, bad);
    read(j, "invert", s.look.invert, bad);
    read(j, "linear", s.look.linear, bad);
    read(j, "burn_in_measurements", s.prefs.burnIn, bad);
    read(j, "save_tiff", s.prefs.saveTiff, bad);
    read(j, "sidebar", s.prefs.sidebar, bad);
    read(j, "sidebar_width", s.prefs.sidebarWidth, bad);
    if (!(s.prefs.sidebarWidth >= 200 && s.prefs.sidebarWidth <= 4000))
        s.prefs.sidebarWidth = 340;
    if (auto o = j.find("overlays"); o != j.end() && o->is_object()) {
        read(*o, "crosshair", s.prefs.overlays.crosshair, bad);
        read(*o, "letters", s.prefs.overlays.letters, bad);
        read(*o, "scale_bar", s.prefs.overlays.scaleBar, bad);
        read(*o, "window_level", s.prefs.overlays.windowLevel, bad);
        read(*o, "probe", s.prefs.overlays.probe, bad);
        read(*o, "slice_info", s.prefs.overlays.sliceInfo, bad);
    }
    read(j, "anonymous_title", s.prefs.anonymousTitle, bad);
    if (auto v = j.find("view3d"); v != j.end() && v->is_object()) {
        read(*v, "preset", s.look.preset3d, bad);
        read(*v, "colormap", s.look.colormap3d, bad);
        read(*v, "perspective", s.look.perspective3d, bad);
    }
    if (auto c = j.find("cine"); c != j.end() && c->is_object()) {
        read(*c, "fps", s.prefs.cineFps, bad);
        read(*c, "bounce", s.prefs.cineBounce, bad);
    }
    // Values that would make a broken window: back to the defaults.
    const Settings defaults;
    if (!(s.prefs.cineFps >= 1 && s.prefs.cineFps <= 60)) {
        bad.push_back("cine fps");
        s.prefs.cineFps = defaults.prefs.cineFps;
    }
    if (s.window.width < 200 || s.window.width > 16384 || s.window.height < 150 || s.window.height > 16384) {
        s.window.width = defaults.window.width;
        s.window.height = defaults.window.height;
        s.window.sized = false;
        bad.push_back("window size");
    }
    const auto& maps = colormapNames();
    if (std::find(maps.begin(), maps.end(), s.look.colormap) == maps.end()) {
        bad.push_back("colormap " + s.look.colormap);
        s.look.colormap = defaults.look.colormap;
    }
    if (!s.look.colormap3d.empty() && // "": the preset's own colours
        std::find(maps.begin(), maps.end(), s.look.colormap3d) == maps.end()) {
        bad.push_back("3D colormap " + s.look.colormap3d);
        s.look.colormap3d = defaults.look.colormap3d;
    }
    if (!bad.empty()) {
        problem = path.string() + ": ignored what could not be used:";
        for (const std::string& b : bad)
            problem += " " + b;
    }
    return s;
}

std::string settingsText(const Settings& s) {
    const json j = {{"recent", s.prefs.recent},
                    {"pacs_servers", s.prefs.pacsServers},
                    {"pacs_names", s.prefs.pacsNames},
                    {"window_x", s.window.x},
                    {"window_y", s.window.y},
                    {"window_width", s.window.width},
                    {"window_height", s.window.height},
                    {"window_maximized", s.window.maximized},
                    {"window_level", s.look.windowName},
                    {"colormap", s.look.colormap},
                    {"invert", s.look.invert},
                    {"linear", s.look.linear},
                    {"burn_in_measurements", s.prefs.burnIn},
                    {"save_tiff", s.prefs.saveTiff},
                    {"sidebar", s.prefs.sidebar},
                    {"sidebar_width", s.prefs.sidebarWidth},
                    {"anonymous_title", s.prefs.anonymousTitle},
                    {"view3d",
                     {{"preset", s.look.preset3d},
                      {"colormap", s.look.colormap3d},
                      {"perspective", s.look.perspective3d}}},
                    {"cine", {{"fps", s.prefs.cineFps}, {"bounce", s.prefs.cineBounce}}},
                    {"overlays",
                     {{"crosshair", s.prefs.overlays.crosshair},
                      {"letters", s.prefs.overlays.letters},
                      {"scale_bar", s.prefs.overlays.scaleBar},
                      {"window_level", s.prefs.overlays.windowLevel},
                      {"probe", s.prefs.overlays.probe},
                      {"slice_info", s.prefs.overlays.sliceInfo}}}};
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

void saveSettings(const std::filesystem::path& path, const Settings& s) {
    createFolder(path.parent_path());
    writeTextFileAtomically(path, settingsText(s));
}

void addRecent(std::vector<std::string>& recent, const std::string& input) {
    if (input.empty())
        return; // nothing to remember (and an empty row is nothing a user can click)
    std::error_code ec;
    // A PACS study is remembered by its URL (which never holds credentials: they are refused in URLs).
    std::string abs = isArchiveUrl(input) ? canonicalArchiveUrl(input)
                                          : std::filesystem::absolute(input, ec).lexically_normal().string();
    if (ec)
        abs = input;
    if (abs.size() > 1 && abs.back() == '/')
        abs.pop_back();
    if (!isValidRecent(abs))
        return;
    recent.erase(std::remove(recent.begin(), recent.end(), abs), recent.end());
    recent.insert(recent.begin(), abs);
    if (recent.size() > kMaxRecent)
        recent.resize(kMaxRecent);
}

void applySettings(const Settings& from, AppState& to) {
    to.prefs = from.prefs;
    const Look& look = from.look;
    to.windowName = look.windowName;
    to.colormap = look.colormap;
    to.invert = look.invert;
    to.linear = look.linear;
    // A user's own preset is applied once the presets folder has been read (the viewer does that).
    if (const RenderPreset* p = findBuiltinPreset(look.preset3d))
        applyPreset(to, *p);
    to.view3d.presetName = look.preset3d;
    if (!look.colormap3d.empty())
        applyColormap3d(to, look.colormap3d);
    to.view3d.camera.perspective = look.perspective3d;
}

void captureSettings(const AppState& from, Settings& to) {
    to.prefs = from.prefs;
    Look& look = to.look;
    // "custom" and "auto" windows belong to one series; what carries over is a named preset or the file's
    // own.
    look.windowName = findWindowPreset(from.windowName) ? from.windowName : "file";
    look.colormap = from.colormap;
    look.invert = from.invert;
    look.linear = from.linear;
    look.preset3d = from.view3d.presetName;
    look.colormap3d = colormap3dShown(from); // what is drawn, never a stale menu entry
    look.perspective3d = from.view3d.camera.perspective;
}

} // namespace ctview::viewer
