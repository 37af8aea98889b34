// The viewer's settings file: defaults, what is kept and given back to the window, and broken files (ignored
// with a message, never a crash). Saving on change is the frame loop's (app/viewer.cpp).
#include "testutil.h"

#include "app/settings.h"
#include "core/transfer.h"

#include <catch2/catch.hpp>

#include <fstream>

using namespace ctview;
using namespace ctview::test;

TEST_CASE("settings: defaults, round trip, broken files ignored with a message") {
    TempDir dir;
    std::string problem;
    const auto path = dir.path / "ctview" / "settings.json";
    app::Settings s = app::loadSettings(path, problem);
    CHECK(problem.empty());
    CHECK(s.colormap == "grayscale");

    s.colormap = "viridis";
    s.windowName = "lung";
    s.windowX = 12;
    s.overlays.scaleBar = false;
    s.preset3d = "ct-angio";
    s.colormap3d = "inferno";
    s.perspective3d = true;
    app::addRecent(s, "/data/a");
    app::addRecent(s, "/data/b/");
    app::addRecent(s, "/data/a");
    app::saveSettings(path, s);
    app::Settings back = app::loadSettings(path, problem);
    CHECK(problem.empty());
    CHECK(back.colormap == "viridis");
    CHECK(back.windowName == "lung");
    CHECK(back.windowX == 12);
    CHECK_FALSE(back.overlays.scaleBar);
    CHECK(back.recent == std::vector<std::string>{"/data/a", "/data/b"});
    CHECK(back.preset3d == "ct-angio");
    CHECK(back.colormap3d == "inferno");
    CHECK(back.perspective3d);

    // A custom window belongs to one series: what is remembered is the file's own.
    ui::AppState st;
    app::applySettings(back, st);
    CHECK(st.colormap == "viridis");
    CHECK(st.view3d.preset == *findBuiltinPreset("ct-angio")); // the 3D view comes back as it was left
    CHECK(st.view3d.colormap == "inferno");
    CHECK(st.view3d.camera.perspective);
    st.windowName = "custom";
    app::captureSettings(st, back);
    CHECK(back.windowName == "file");

    std::ofstream(path) << "{ not json";
    s = app::loadSettings(path, problem);
    CHECK(problem.find("not valid JSON") != std::string::npos);
    CHECK(s.colormap == "grayscale");

    std::ofstream(path) << R"({"colormap": 7, "invert": true, "window_width": 5})";
    s = app::loadSettings(path, problem);
    CHECK(problem.find("colormap") != std::string::npos);
    CHECK(s.invert);              // what could be read is kept
    CHECK(s.windowWidth == 1400); // a useless size is replaced
}
