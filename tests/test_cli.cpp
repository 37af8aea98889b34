// The ctview binary: output, JSON, exit codes, and files written.
#include "testutil.h"
#include "volume/colormap.h"
#include "volume/transfer.h"
#include "volume/window.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace ctview;
using namespace ctview::test;

TEST_CASE("ctview info: text, JSON, tags, and exit codes") {
    TempDir dir;
    SeriesSpec spec = smallSeries(12, 10, 8);
    spec.strings["WindowCenter"] = "40\\-600";
    spec.strings["WindowWidth"] = "400\\1500";
    spec.strings["WindowCenterWidthExplanation"] = "ABDOMEN\\LUNG";
    writeSeries(spec, dir.path);

    Run text = run("info " + q(dir.path));
    REQUIRE(text.code == 0);
    CHECK_THAT(text.out, Catch::Contains("8 files: 8 slices of series 1"));
    CHECK_THAT(text.out, Catch::Contains("12 x 10 x 8"));
    CHECK_THAT(text.out, Catch::Contains("TEST^SERIES"));
    CHECK_THAT(text.out, Catch::Contains("ABDOMEN 400/40, LUNG 1500/-600"));

    CHECK_THAT(text.out,
               Catch::Contains("patient") && Catch::Contains("TEST^SERIES    "));  // the series table
    CHECK_THAT(text.out, Catch::Contains("Study                (no study date)")); // said, not left out

    Run json = run("info --json " + q(dir.path));
    REQUIRE(json.code == 0);
    const auto j = nlohmann::json::parse(json.out);
    CHECK(j["image"]["slices"] == 8);
    CHECK(j["image"]["measured_step_mm"].get<double>() == Approx(2.5));
    CHECK(j["image"]["slice_thickness_mm"].get<double>() == Approx(3.0));
    CHECK(j["image"]["orientation"] == "axial");
    CHECK(j["image"]["hu_range"][0].get<double>() == Approx(-1224));
    CHECK(j["patient"]["name"] == "TEST^SERIES");
    CHECK(j["window_presets"][1]["name"] == "LUNG");
    CHECK(j["series_list"].size() == 1);

    Run tags = run("info --tags " + q(dir.path / "IM0003.dcm"));
    REQUIRE(tags.code == 0);
    CHECK_THAT(tags.out, Catch::Contains("(0020,0013)  IS Instance Number"));
    CHECK_THAT(tags.out, Catch::Contains("IM0003.dcm"));

    CHECK(run("info " + q(dir.path / "missing")).code == 1);
    CHECK(run("info").code == 2);
    CHECK(run("info --series 9 " + q(dir.path)).code == 2);
    CHECK(run("info --frobnicate " + q(dir.path)).code == 2);
    // The viewer with a path that does not exist opens its window and says why (tests/e2e/viewer.sh); without
    // a display it can only say that there is none.
    const Run missing = shell("DISPLAY= WAYLAND_DISPLAY= " + std::string(CTVIEW_BINARY) + " frobnicate");
    CHECK(missing.code == 1);
    CHECK(run("--version").out.find("ctview ") == 0);
}

TEST_CASE("ctview export and convert write new files and never overwrite") {
    TempDir dir, out;
    writeSeries(smallSeries(12, 10, 8), dir.path);
    Run e = run("export " + q(dir.path) + " --axis axial --slice 2 --window lung --format png,jpg -o " +
                q(out.path));
    REQUIRE(e.code == 0);
    CHECK(std::filesystem::exists(out.path / "1_axial_0002.png"));
    CHECK(std::filesystem::exists(out.path / "1_axial_0002.jpg"));
    Run again = run("export " + q(dir.path) + " --axis axial --slice 2 --window lung -o " + q(out.path));
    REQUIRE(again.code == 0);
    CHECK(std::filesystem::exists(out.path / "1_axial_0002-1.png"));
    CHECK(run("export " + q(dir.path) + " --slice 99 -o " + q(out.path)).code == 2);
    CHECK(run("export " + q(dir.path) + " --window nonsense -o " + q(out.path)).code == 2);
    CHECK(run("export " + q(dir.path) + " --colormap rainbow -o " + q(out.path)).code == 2);

    Run c = run("convert " + q(dir.path) + " -o " + q(out.path / "v.nii.gz"));
    REQUIRE(c.code == 0);
    CHECK(std::filesystem::file_size(out.path / "v.nii.gz") > 352);
    CHECK(run("convert " + q(dir.path) + " -o " + q(out.path / "v.xyz")).code == 2);
}

// Issue 32.10: a volume written by convert opens in the window the series opened in. The series' own window
// (WindowWidth/WindowCenter) goes into NIfTI's cal_min/cal_max and a NRRD key; a file with none opens in the
// automatic window (as a DICOM series without one does), not the full value range.
TEST_CASE("convert keeps the series' window, a volume without one opens in the automatic window") {
    TempDir dir, bare, out;
    SeriesSpec spec = smallSeries(12, 10, 8);
    spec.strings["WindowWidth"] = "350";
    spec.strings["WindowCenter"] = "50";
    writeSeries(spec, dir.path);
    auto presets = [](const std::string& input) {
        const Run r = run("info --json " + q(input));
        REQUIRE(r.code == 0);
        return nlohmann::json::parse(r.out.substr(r.out.find('{')))["window_presets"];
    };
    for (const char* name : {"v.nii", "v.nii.gz", "v.nrrd"}) {
        INFO(name);
        REQUIRE(run("convert -q " + q(dir.path) + " -o " + q(out.path / name)).code == 0);
        const nlohmann::json w = presets((out.path / name).string());
        REQUIRE(w.size() == 1);
        CHECK(w[0]["width"].get<double>() == Approx(350));
        CHECK(w[0]["center"].get<double>() == Approx(50));
    }
    // No window in the series: none in the file, and `export --window file` (the viewer's first window) is
    // the automatic one, named so.
    writeSeries(smallSeries(12, 10, 8), bare.path);
    REQUIRE(run("convert -q " + q(bare.path) + " -o " + q(out.path / "bare.nii")).code == 0);
    CHECK(presets((out.path / "bare.nii").string()).empty());
    const Run info = run("info " + q(out.path / "bare.nii"));
    CHECK(info.out.find("none in the file (opens in the automatic window") != std::string::npos);
}

// Issue 32.2: make-phantom of 1024x1024x800 ran for a minute with no sign of life; its writer reports each
// slice (shown on a terminal, as the loading commands' progress is).
TEST_CASE("writing a series reports its progress slice by slice") {
    TempDir dir;
    SeriesSpec spec = smallSeries(8, 8, 5);
    std::vector<int> seen;
    spec.progress = [&](int done, int total) {
        seen.push_back(done);
        CHECK(total == 5);
    };
    writeSeries(spec, dir.path);
    CHECK(seen == std::vector<int>{1, 2, 3, 4, 5});
}

// Issue 32.4: a value read on a slice the resampling interpolated says so, in `measure`'s text and JSON.
TEST_CASE("measure says when a value lies on an interpolated slice") {
    TempDir dir, notes;
    SeriesSpec spec = smallSeries(6, 5, 8); // origin z -30, 2.5 mm apart: slice k at z = -30 + 2.5 k
    spec.fileName = [](int k) { return "s" + std::to_string(k) + ".dcm"; };
    writeSeries(spec, dir.path);
    std::filesystem::remove(dir.path / "s4.dcm"); // k = 4 (z = -20) is interpolated
    std::ofstream(notes.path / "a.json") << R"({"annotations": [
        {"type": "point", "points": [[-9, 21, -20]], "label": "gap"},
        {"type": "point", "points": [[-9, 21, -25]], "label": "acquired"}]})";
    const Run r = run("measure -q " + q(dir.path) + " --annotations " + q(notes.path / "a.json"));
    INFO(r.out);
    REQUIRE(r.code == 0);
    std::istringstream lines(r.out);
    std::string gap, acquired;
    std::getline(lines, gap);
    std::getline(lines, acquired);
    CHECK(gap.find("\"gap\"") != std::string::npos);
    CHECK(gap.find("(on an interpolated slice: no acquired image there)") != std::string::npos);
    CHECK(acquired.find("interpolated") == std::string::npos);
    const Run j = run("measure -q --json " + q(dir.path) + " --annotations " + q(notes.path / "a.json"));
    REQUIRE(j.code == 0);
    const auto values = nlohmann::json::parse(j.out);
    CHECK(values[0]["interpolated_slice"] == true);
    CHECK(values[1]["interpolated_slice"] == false);
}

TEST_CASE("make-phantom writes a loadable CT series with lungs, bone and contrast") {
    TempDir dir;
    REQUIRE(run("make-phantom " + q(dir.path / "p") + " --size 64x64x40").code == 0);
    Run j = run("info --json " + q(dir.path / "p"));
    REQUIRE(j.code == 0);
    const auto info = nlohmann::json::parse(j.out);
    CHECK(info["image"]["slices"] == 40);
    CHECK(info["series"]["modality"] == "CT");
    CHECK(info["image"]["hu_range"][0].get<double>() < -950);
    CHECK(info["image"]["hu_range"][1].get<double>() > 1000);
    CHECK(run("make-phantom " + q(dir.path / "p")).code == 1); // exists, not empty: never overwritten
    CHECK(run("make-phantom " + q(dir.path / "q") + " --size 10x10").code == 2);
}

TEST_CASE("bad command lines: every command exits 2 with the reason and its usage line") {
    TempDir dir;
    writeSeries(smallSeries(), dir.path / "s");
    const std::string in = q(dir.path / "s"), out = q(dir.path / "out.png");
    const std::vector<std::pair<std::string, std::string>> cases = {
        // missing arguments
        {"info", "info"},
        {"export", "export"},
        {"convert", "convert"},
        {"convert", "convert " + in},
        {"snapshot", "snapshot " + in},
        {"render", "render " + in},
        {"make-phantom", "make-phantom"},
        // unknown ones
        {"", "--frobnicate"},
        {"info", "info " + in + " --frobnicate"},
        {"export", "export " + in + " --nope 1"},
        {"render", "render " + in + " --turbo -o " + out},
        {"", "teleport " + in},
        // malformed values
        {"export", "export " + in + " --axis oblique"},
        {"export", "export " + in + " --window wide"},
        {"export", "export " + in + " --colormap rainbow"},
        {"export", "export " + in + " --slice 99999"},
        {"export", "export " + in + " --format bmp"},
        {"info", "info " + in + " --workers -3"},
        {"info", "info " + in + " --series 7"},
        {"snapshot", "snapshot " + in + " --size big -o " + out},
        {"snapshot", "snapshot " + in + " --view 3d -o " + out},
        {"render", "render " + in + " --zoom x -o " + out},
        {"render", "render " + in + " --crop 1,0 -o " + out},
        {"make-phantom", "make-phantom " + q(dir.path / "p") + " --size 0x0x0"},
    };
    for (const auto& [cmd, args] : cases) {
        const Run r = run(args);
        INFO("ctview " << args << "\n" << r.out);
        CHECK(r.code == 2);
        CHECK(r.out.find("ctview: ") != std::string::npos);
        CHECK(r.out.find(cmd.empty() ? "Usage: ctview" : "Usage: ctview " + cmd) != std::string::npos);
        CHECK(r.out.find("--help") != std::string::npos);
    }
    CHECK(!std::filesystem::exists(dir.path / "out.png"));
    CHECK(!std::filesystem::exists(dir.path / "p"));
}

TEST_CASE(
    "help and usage lists come from the tables: every subcommand, window preset, colour map, 3D preset") {
    const Run top = run("--frobnicate");
    for (const char* cmd :
         {"info", "export", "convert", "measure", "snapshot", "render", "cache", "make-phantom"})
        CHECK_THAT(top.out, Catch::Contains(cmd));
    const Run exportHelp = run("export --help"), renderHelp = run("render --help");
    for (const WindowPreset& p : windowPresets())
        CHECK_THAT(exportHelp.out, Catch::Contains(p.name));
    for (const std::string& map : colormapNames()) {
        CHECK_THAT(exportHelp.out, Catch::Contains(map));
        CHECK_THAT(renderHelp.out, Catch::Contains(map));
    }
    for (const RenderPreset& p : builtinPresets())
        CHECK_THAT(renderHelp.out, Catch::Contains(p.name));
}
