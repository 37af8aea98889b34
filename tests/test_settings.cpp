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
    CHECK_FALSE(s.window.sized); // the default size, fitted to the screen when the window opens
    CHECK(back.window.sized);    // the user's: as it was left

    // A custom window belongs to one series: what is remembered is the file's own.
    viewer::AppState st;
    viewer::applySettings(back, st);
    CHECK(st.colormap == "viridis");
    // The 3D view comes back as it was left: the preset, its points coloured from the map.
    CHECK(st.view3d.presetName == "ct-angio");
    CHECK(st.view3d.preset.mode == findBuiltinPreset("ct-angio")->mode);
    CHECK(viewer::colormap3dShown(st) == "inferno");
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
    CHECK_FALSE(s.window.sized);
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

TEST_CASE("settings: saved PACS nodes keep the names the user gave them (issue 30)") {
    TempDir dir;
    const auto path = dir.path / "settings.json";
    viewer::Settings s;
    s.prefs.pacsServers = {"dicom://ORTHANC@localhost:4242?aet=VIEWER", "http://localhost:8042/dicom-web"};
    s.prefs.pacsNames = {{"dicom://ORTHANC@localhost:4242?aet=VIEWER", "Lab Orthanc"}};
    viewer::saveSettings(path, s);
    std::string problem;
    viewer::Settings back = viewer::loadSettings(path, problem);
    CHECK(problem.empty());
    CHECK(back.prefs.pacsServers == s.prefs.pacsServers);
    CHECK(back.prefs.pacsNames == s.prefs.pacsNames);
    CHECK(back.prefs.pacsLabel("dicom://ORTHANC@localhost:4242?aet=VIEWER") ==
          "Lab Orthanc  dicom://ORTHANC@localhost:4242?aet=VIEWER");
    CHECK(back.prefs.pacsLabel("http://localhost:8042/dicom-web") == "http://localhost:8042/dicom-web");

    // A settings file from before names (pacs_servers alone) still gives its nodes; a name of a node that is
    // not saved, or one that would break the list's line, is dropped; a wrong type is named.
    std::ofstream(path, std::ios::trunc) << R"({"pacs_servers": ["http://a/dicom-web"]})";
    back = viewer::loadSettings(path, problem);
    CHECK(back.prefs.pacsServers == std::vector<std::string>{"http://a/dicom-web"});
    CHECK(back.prefs.pacsNames.empty());
    CHECK(problem.empty());
    std::ofstream(path, std::ios::trunc)
        << R"({"pacs_servers": ["http://a/dicom-web", "http://b/dicom-web"], "pacs_names":
              {"http://a/dicom-web": "A", "http://b/dicom-web": "two\nlines", "http://gone/dicom-web": "G"}})";
    back = viewer::loadSettings(path, problem);
    CHECK(back.prefs.pacsNames == std::map<std::string, std::string>{{"http://a/dicom-web", "A"}});
    std::ofstream(path, std::ios::trunc) << R"({"pacs_servers": ["http://a/dicom-web"], "pacs_names": [1]})";
    back = viewer::loadSettings(path, problem);
    CHECK(back.prefs.pacsNames.empty());
    CHECK(problem.find("pacs_names") != std::string::npos);
}

// Issue 32.7: the 3D colour map menu said "hot" after a preset had restored its own colours, and saved that
// stale name. It now shows what the transfer function's points carry, and that is what is kept.
TEST_CASE("the 3D colour map shown and kept is the one applied: a preset's own colours say so") {
    auto s = std::make_unique<viewer::AppState>();
    viewer::applyPreset(*s, *findBuiltinPreset("ct-bone"));
    CHECK(viewer::colormap3dShown(*s) == "");
    viewer::applyColormap3d(*s, "hot");
    CHECK(viewer::colormap3dShown(*s) == "hot");
    viewer::Settings kept;
    viewer::captureSettings(*s, kept);
    CHECK(kept.look.colormap3d == "hot");
    // Back in the next session: the map on the preset's points again.
    auto next = std::make_unique<viewer::AppState>();
    viewer::applySettings(kept, *next);
    CHECK(viewer::colormap3dShown(*next) == "hot");
    CHECK(next->view3d.preset.points == s->view3d.preset.points);
    // A preset chosen again brings its own colours: the menu and the settings say so, nothing stale.
    viewer::applyPreset(*s, *findBuiltinPreset("ct-bone"));
    CHECK(viewer::colormap3dShown(*s) == "");
    viewer::captureSettings(*s, kept);
    CHECK(kept.look.colormap3d == "");
    // A projection (MIP) shows through its own map: the preset's.
    viewer::applyPreset(*s, *findBuiltinPreset("mip"));
    CHECK(viewer::colormap3dShown(*s) == findBuiltinPreset("mip")->colormap);
    viewer::applyColormap3d(*s, "inferno");
    CHECK(s->view3d.preset.colormap == "inferno");
    CHECK(viewer::colormap3dShown(*s) == "inferno");
}

// The map spreads over the HU range where the function becomes visible (from its last transparent point to
// where the opacity reaches 80 % of its top), not over -1024..3071 or every opaque point: bone (300..700 HU
// in ct-bone) gets the map's range of colours, not one dull end of it.
TEST_CASE("a colour map on a transfer function spreads over its visible range") {
    std::vector<TfPoint> bone = findBuiltinPreset("ct-bone")->points; // 120 (0), 300, 700 (0.8), 3071 (0.9)
    CHECK(tfVisibleRange(bone) == glm::vec2(120, 700));
    const ColormapTable hot = colormapTable("hot");
    colorTfFromMap(bone, hot);
    auto colour = [&](int entry) {
        return glm::vec3(hot[std::size_t(entry)][0], hot[std::size_t(entry)][1], hot[std::size_t(entry)][2]) /
               255.0f;
    };
    CHECK(bone[1].color == colour(0));                                   // 120 HU: the map's start
    CHECK(bone[2].color == colour(int(std::lround(180.0 / 580 * 255)))); // 300 HU
    CHECK(bone[3].color == colour(255));                                 // 700 HU: its end
    CHECK(bone[4].color == colour(255));                                 // beyond: the end
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
