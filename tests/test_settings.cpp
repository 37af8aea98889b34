// The viewer's settings file: defaults, what is kept and given back to the window, and broken files (ignored
// with a message, never a crash). Saving on change is the frame loop's (app/viewer.cpp).
#include "testutil.h"

#include "base/fsutil.h"
#include "dicomweb/dicomweb.h"
#include "measure/measure.h"
#include "viewer/app_state.h"
#include "viewer/settings.h"
#include "volume/transfer.h"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>

using namespace ctview;
using namespace ctview::test;

TEST_CASE("settings: defaults, round trip, broken files ignored with a message") {
    TempDir dir;
    std::string problem;
    const auto path = dir.path / "ctview" / "settings.json";
    viewer::Settings s = viewer::loadSettings(path, problem);
    CHECK(problem.empty());
    CHECK(s.look.colormap == "grayscale");
    // Issue 32.9: the views interpolate by default (thick slices show no staircase in coronal and sagittal),
    // in a first session and in one whose settings file predates the key; a saved choice is kept.
    CHECK(s.look.linear);
    CHECK(std::make_unique<viewer::AppState>()->linear);
    {
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path) << R"({"colormap": "bone"})";
        CHECK(viewer::loadSettings(path, problem).look.linear);
        std::ofstream(path) << R"({"linear": false})";
        CHECK_FALSE(viewer::loadSettings(path, problem).look.linear);
        std::filesystem::remove(path);
    }

    s.look.colormap = "viridis";
    s.look.windowName = "lung";
    s.window.x = 12;
    s.prefs.overlays.scaleBar = false;
    s.look.preset3d = "ct-angio";
    s.look.colormap3d = "inferno";
    s.look.perspective3d = true;
    viewer::addRecent(s.prefs.recent, "/data/a");
    viewer::addRecent(s.prefs.recent, "/data/b/");
    viewer::addRecent(s.prefs.recent, "/data/a");
    viewer::saveSettings(path, s);
    viewer::Settings back = viewer::loadSettings(path, problem);
    CHECK(problem.empty());
    CHECK(back.look.colormap == "viridis");
    CHECK(back.look.windowName == "lung");
    CHECK(back.window.x == 12);
    CHECK_FALSE(back.prefs.overlays.scaleBar);
    CHECK(back.prefs.recent == std::vector<std::string>{"/data/a", "/data/b"});
    CHECK(back.look.preset3d == "ct-angio");
    CHECK(back.look.colormap3d == "inferno");
    CHECK(back.look.perspective3d);

    // A custom window belongs to one series: what is remembered is the file's own.
    viewer::AppState st;
    viewer::applySettings(back, st);
    CHECK(st.colormap == "viridis");
    CHECK(st.view3d.preset == *findBuiltinPreset("ct-angio")); // the 3D view comes back as it was left
    CHECK(st.view3d.colormap == "inferno");
    CHECK(st.view3d.camera.perspective);
    st.windowName = "custom";
    viewer::captureSettings(st, back);
    CHECK(back.look.windowName == "file");

    std::ofstream(path) << "{ not json";
    s = viewer::loadSettings(path, problem);
    CHECK(problem.find("not valid JSON") != std::string::npos);
    CHECK(s.look.colormap == "grayscale");

    std::ofstream(path) << R"({"colormap": 7, "invert": true, "window_width": 5})";
    s = viewer::loadSettings(path, problem);
    CHECK(problem.find("colormap") != std::string::npos);
    CHECK(s.look.invert);          // what could be read is kept
    CHECK(s.window.width == 1400); // a useless size is replaced
}

TEST_CASE("settings: the recent list keeps only entries the viewer can use (issue 32.1)") {
    TempDir dir;
    const auto path = dir.path / "settings.json";
    std::ofstream(path) << R"({"recent": ["", "/x", "/x", 5, "rel/path", "/a\u0000b", "/y/", null,
        "http://localhost:8042/dicom-web/studies/1.2.3", "http://user:secret@host/dicom-web"], "invert": true})";
    std::string problem;
    viewer::Settings s = viewer::loadSettings(path, problem);
    CHECK(s.prefs.recent ==
          std::vector<std::string>{"/x", "/y/", "http://localhost:8042/dicom-web/studies/1.2.3"});
    CHECK(problem.find("recent (6 entries)") != std::string::npos); // the duplicate goes silently
    CHECK(s.look.invert);                                           // the rest still loads

    std::ofstream(path) << R"({"recent": "/not/a/list"})";
    s = viewer::loadSettings(path, problem);
    CHECK(s.prefs.recent.empty());
    CHECK(problem.find("recent") != std::string::npos);

    // Never more than kMaxRecent, the first ones kept.
    nlohmann::json many = {{"recent", nlohmann::json::array()}};
    for (int n = 0; n < 15; ++n)
        many["recent"].push_back("/data/" + std::to_string(n));
    std::ofstream(path, std::ios::trunc) << many.dump();
    s = viewer::loadSettings(path, problem);
    REQUIRE(s.prefs.recent.size() == viewer::kMaxRecent);
    CHECK(s.prefs.recent.front() == "/data/0");
    CHECK(problem.empty());

    // addRecent ignores an empty input (loading another series of the open folder once passed one).
    viewer::addRecent(s.prefs.recent, "");
    CHECK(s.prefs.recent.front() == "/data/0");
    CHECK(std::find(s.prefs.recent.begin(), s.prefs.recent.end(), "") == s.prefs.recent.end());
}

TEST_CASE("user folders: one XDG rule for settings, kept measurements and the DICOMweb cache") {
    // The environment as it was, put back at the end (the tests run one at a time in a process).
    struct SavedEnv {
        std::vector<std::pair<std::string, std::optional<std::string>>> saved;
        void set(const char* name, const char* value) {
            const char* old = std::getenv(name);
            saved.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
            value ? ::setenv(name, value, 1) : ::unsetenv(name);
        }
        ~SavedEnv() {
            for (auto it = saved.rbegin(); it != saved.rend(); ++it)
                it->second ? ::setenv(it->first.c_str(), it->second->c_str(), 1)
                           : ::unsetenv(it->first.c_str());
        }
    } env;
    env.set("HOME", "/home/u");
    env.set("XDG_CONFIG_HOME", "/cfg");
    env.set("XDG_DATA_HOME", "relative/data"); // not absolute: ignored, as the spec says
    env.set("XDG_CACHE_HOME", nullptr);
    CHECK(viewer::settingsPath() == "/cfg/ctview/settings.json");
    CHECK(annotationStorePath("1.2.3") == "/home/u/.local/share/ctview/annotations/1.2.3.json");
    CHECK(dicomWebCacheRoot() == "/home/u/.cache/ctview/dicomweb");
    env.set("HOME", nullptr); // no home: the temp folder, never the working folder
    env.set("XDG_CONFIG_HOME", "");
    const auto mine = std::filesystem::temp_directory_path() / ("ctview-" + std::to_string(::getuid()));
    CHECK(viewer::settingsPath() == mine / "ctview" / "settings.json");
    CHECK(userFolder(UserFolder::Data) == mine / "ctview");
}
