#pragma once
// What the viewer remembers between runs, as JSON in the user's config folder:
// $XDG_CONFIG_HOME/ctview/settings.json, else ~/.config/ctview/settings.json.
// A missing file gives the defaults; a broken one gives the defaults and a message, never a failure.
#include "viewer/app_state.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ctview::viewer {

struct Settings {
    std::vector<std::string> recent; // most recent first, at most kMaxRecent (folders, files, DICOMweb URLs)
    std::vector<std::string> pacsServers; // DICOMweb roots of the PACS dialog (URLs only: never credentials)
    int windowX = -1, windowY = -1;       // -1: let the window system place it
    int windowWidth = 1400, windowHeight = 900;
    bool windowMaximized = false;
    std::string windowName = "file";
    std::string colormap = "grayscale";
    bool invert = false, linear = false;
    viewer::Overlays overlays;
    bool sidebar = true;
    float sidebarWidth = 340;
    // The 3D view: the preset it shows (a bundled name or one of the user's), its colour map, the projection.
    std::string preset3d = "ct-bone";
    std::string colormap3d = "grayscale";
    bool perspective3d = false;
    bool burnIn = false; // S draws the measurements into the saved slice
    double cineFps = 10; // Space's cine: frames a second, and bounce (else loop)
    bool cineBounce = false;
};

std::filesystem::path settingsPath();
// The user's 3D presets: presets/ next to settings.json.
std::filesystem::path userPresetFolder();
// Reads `path`. When the file exists but cannot be used, returns the defaults (keeping what could be read)
// and sets `problem` to a message naming the file.
Settings loadSettings(const std::filesystem::path& path, std::string& problem);
// The JSON text saveSettings writes (the viewer compares it to know when something changed).
std::string settingsText(const Settings& s);
// Writes atomically (a temp file renamed into place), creating the folder. Throws DataError.
void saveSettings(const std::filesystem::path& path, const Settings& s);

inline constexpr std::size_t kMaxRecent = 10;        // entries in the recent list
inline constexpr std::size_t kMaxRecentBytes = 4096; // PATH_MAX: no longer path can be opened
// What the recent list may hold: an absolute path or a DICOMweb URL, at most kMaxRecentBytes, no control
// characters. loadSettings drops any other entry (and duplicates), addRecent never adds one.
bool isValidRecent(const std::string& entry);
// `input` (a path, made absolute, or a DICOMweb URL) first in the recent list; an empty input is ignored.
void addRecent(Settings& s, const std::string& input);
// State <-> settings: what the viewer restores at start and saves at exit.
void applySettings(const Settings& from, viewer::AppState& to);
void captureSettings(const viewer::AppState& from, Settings& to);

} // namespace ctview::viewer
