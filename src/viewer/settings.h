#pragma once
// What the viewer remembers between runs, as JSON in the user's config folder:
// $XDG_CONFIG_HOME/ctview/settings.json, else ~/.config/ctview/settings.json.
// A missing file gives the defaults; a broken one gives the defaults and a message, never a failure.
#include "viewer/app_state.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ctview::viewer {

// How the last session showed its series: the next one starts so (the shown state's part that is kept).
struct Look {
    std::string windowName = "file"; // a named window preset or "file" (a custom window is the series')
    std::string colormap = "grayscale";
    bool invert = false, linear = true; // linear: see AppState::linear
    // The 3D view: the preset it shows (a bundled name or one of the user's), its colour map, the projection.
    std::string preset3d = "ct-bone";
    std::string colormap3d; // "": the preset's own colours (see colormap3dShown)
    bool perspective3d = false;
};

// Where the window was on the desktop.
struct WindowPlacement {
    int x = -1, y = -1; // -1: let the window system place it
    int width = 1400, height = 900;
    bool maximized = false;
    bool sized =
        false; // the size is the user's, from the settings file (else the default: fitted to the screen)
};

struct Settings {
    Preferences prefs; // the AppState's own, as they are
    Look look;
    WindowPlacement window;
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
inline constexpr std::size_t kMaxPacsName = 64;      // a saved PACS node's name, in bytes
// What the recent list may hold: an absolute path or a DICOMweb URL, at most kMaxRecentBytes, no control
// characters. loadSettings drops any other entry (and duplicates), addRecent never adds one.
bool isValidRecent(const std::string& entry);
// `input` (a path, made absolute, or a DICOMweb URL) first in the recent list; an empty input is ignored.
void addRecent(std::vector<std::string>& recent, const std::string& input);
// State <-> settings: what the viewer restores at start and saves at exit (the preferences as they are, and
// the look).
void applySettings(const Settings& from, AppState& to);
void captureSettings(const AppState& from, Settings& to);

} // namespace ctview::viewer
