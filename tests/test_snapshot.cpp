// `ctview snapshot`: the window's GL rendering, headless (Xvfb + Mesa llvmpipe in CI). Exact where the maths
// allows (the GPU slice equals the CPU export at an integer scale), golden images with a tolerance otherwise.
#include "golden.h"
#include "testutil.h"

#include "core/colormap.h"
#include "core/phantom.h"
#include "core/slice.h"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace ctview;
using namespace ctview::test;


TEST_CASE("snapshot: the GPU slice is the CPU slice, pixel for pixel, at an integer scale") {
    REQUIRE(haveDisplay()); // scripts/test runs the suite under Xvfb
    TempDir out;
    ScanResult scan;
    const LoadedSeries s = loadFolder(glPhantom(), scan);
    for (const char* map : {"grayscale", "viridis"}) {
        const auto png = out.path / (std::string(map) + ".png");
        // 64 x 64 square pixels in 128 x 128: every voxel is exactly 2 x 2 pixels, nearest interpolation.
        const Run r = run("snapshot " + q(glPhantom()) + " --view axial --slice 17 --no-overlays --size 128x128 "
                          "--window 400,40 --colormap " + map + " -o " + q(png));
        INFO(r.out);
        REQUIRE(r.code == 0);
        const Image gpu = readPng(png);
        REQUIRE(gpu.width == 128);
        const RgbImage cpu = renderSlice(extractSlice(s.volume, Axis::Axial, 17), WindowLevel{400, 40}, colormapTable(map));
        REQUIRE(cpu.width == 64);
        int mismatches = 0;
        for (int y = 0; y < 128; ++y)
            for (int x = 0; x < 128; ++x)
                for (int c = 0; c < 3; ++c)
                    mismatches += gpu.at(x, y)[c] != cpu.rgb[(std::size_t(y / 2) * 64 + std::size_t(x / 2)) * 3 + std::size_t(c)];
        CHECK(mismatches == 0);
    }
}

TEST_CASE("snapshot: golden images of the views with overlays") {
    REQUIRE(haveDisplay());
    TempDir out;
    struct Case {
        const char* name;
        const char* args;
    };
    const Case cases[] = {
        {"axial_abdomen", "--view axial --window abdomen --size 320x320"},
        {"coronal_viridis_linear", "--view coronal --slice 30 --colormap viridis --linear --window 1500,-300 --size 320x240"},
        {"sagittal_bone_inverted", "--view sagittal --window bone --invert --size 240x320"},
        {"grid", "--view grid --size 480x480"},
    };
    for (const Case& c : cases) {
        const auto png = out.path / (std::string(c.name) + ".png");
        const Run r = run("snapshot " + q(glPhantom()) + " " + c.args + " -o " + q(png));
        INFO(c.name << ": " << r.out);
        REQUIRE(r.code == 0);
        compareGolden(png, c.name);
    }
}

TEST_CASE("snapshot and viewer: bad arguments exit 2, no display exits 1 with a message") {
    TempDir out;
    const std::string in = q(glPhantom());
    CHECK(run("snapshot " + in + " --view oblique -o " + q(out.path / "a.png")).code == 2);
    CHECK(run("snapshot " + in + " --size 5x5 -o " + q(out.path / "a.png")).code == 2);
    CHECK(run("snapshot " + in + " --window wide -o " + q(out.path / "a.png")).code == 2);
    CHECK(run("snapshot " + in).code == 2); // no -o
    const Run autoWl = run("snapshot " + in + " --window auto -o " + q(out.path / "auto.png"));
    INFO(autoWl.out);
    CHECK(autoWl.code == 0);
    CHECK(std::filesystem::exists(out.path / "auto.png"));
    const Run slice = run("snapshot " + in + " --view coronal --slice 64 -o " + q(out.path / "a.png"));
    CHECK(slice.code == 2);
    CHECK(slice.out.find("0..63") != std::string::npos);
    // The viewer on a path that is not there opens its window and says why (tests/e2e_viewer.sh checks that).
    const std::string env = "env -u DISPLAY -u WAYLAND_DISPLAY ";
    const Run noDisplay = shell(env + CTVIEW_BINARY + " snapshot " + in + " -o " + q(out.path / "c.png"));
    CHECK(noDisplay.code == 1);
    CHECK(noDisplay.out.find("cannot open a window") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out.path / "c.png"));
}
