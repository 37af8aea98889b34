// `ctview snapshot`: the window's GL rendering, headless (Xvfb + Mesa llvmpipe in CI). Exact where the maths
// allows (the GPU slice equals the CPU export at an integer scale), golden images with a tolerance otherwise.
#include "golden.h"
#include "testutil.h"

#include "app/actions.h"
#include "app/gl_context.h"
#include "app/headless.h"
#include "dicom/dicom_write.h"
#include "dicom/phantom.h"
#include "labels/label_layer.h"
#include "nrrd_nifti/volume_io.h"
#include "render/label_renderer.h"
#include "sources/layers.h"
#include "volume/colormap.h"
#include "volume/resample.h"
#include "volume/slice.h"

#include <catch2/catch.hpp>
#include <imgui.h>
#include <imgui_impl_opengl3.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>

using namespace ctview;
using namespace ctview::test;

TEST_CASE("snapshot: the GPU slice is the CPU slice, pixel for pixel, at an integer scale") {
    REQUIRE(haveDisplay()); // scripts/test runs the suite under Xvfb
    TempDir out;
    ScanResult scan;
    const DecodedStack s = loadFolder(glPhantom(), scan);
    for (const char* map : {"grayscale", "viridis"}) {
        const auto png = out.path / (std::string(map) + ".png");
        // 64 x 64 square pixels in 128 x 128: every voxel is exactly 2 x 2 pixels, nearest interpolation.
        const Run r = run("snapshot " + q(glPhantom()) +
                          " --view axial --slice 17 --no-overlays --size 128x128 --nearest "
                          "--window 400,40 --colormap " +
                          map + " -o " + q(png));
        INFO(r.out);
        REQUIRE(r.code == 0);
        const Image gpu = readPng(png);
        REQUIRE(gpu.width == 128);
        // --slice takes the number the overlay shows, counted from 1 at the head (issues 14.5, 32.5): not
        // voxel index 17.
        const int k = sliceIndex(sliceFrame(s.volume.geometry(), Axis::Axial), 17);
        REQUIRE(k == s.volume.geometry().dims.z - 17);
        const RgbImage cpu =
            renderSlice(extractSlice(s.volume, Axis::Axial, k), WindowLevel{400, 40}, colormapTable(map));
        REQUIRE(cpu.width == 64);
        int mismatches = 0;
        for (int y = 0; y < 128; ++y)
            for (int x = 0; x < 128; ++x)
                for (int c = 0; c < 3; ++c)
                    mismatches +=
                        gpu.at(x, y)[c] !=
                        cpu.rgb[(std::size_t(y / 2) * 64 + std::size_t(x / 2)) * 3 + std::size_t(c)];
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
        {"axial_abdomen", "--view axial --window abdomen --nearest --size 320x320"},
        {"coronal_viridis_linear",
         "--view coronal --slice 31 --colormap viridis --linear --window 1500,-300 --size 320x240"},
        {"sagittal_bone_inverted", "--view sagittal --window bone --invert --nearest --size 240x320"},
        {"grid", "--view grid --nearest --size 480x480"},
    };
    for (const Case& c : cases) {
        const auto png = out.path / (std::string(c.name) + ".png");
        const Run r = run("snapshot " + q(glPhantom()) + " " + c.args + " -o " + q(png));
        INFO(c.name << ": " << r.out);
        REQUIRE(r.code == 0);
        compareGolden(png, c.name);
    }
}

TEST_CASE("snapshot: linear between voxels by default, as the window starts, --nearest as L (issue 32.9)") {
    REQUIRE(haveDisplay());
    TempDir out;
    auto shot = [&](const std::string& flag, const char* name) {
        const auto png = out.path / name;
        const Run r = run("snapshot " + q(glPhantom()) + " --view coronal --no-overlays --size 320x240 " +
                          flag + " -o " + q(png));
        INFO(r.out);
        REQUIRE(r.code == 0);
        return readPng(png);
    };
    const Image plain = shot("", "default.png"), linear = shot("--linear", "linear.png"),
                nearest = shot("--nearest", "nearest.png");
    CHECK(plain.rgb == linear.rgb);
    CHECK(plain.rgb != nearest.rgb);
    // The window's own default is the same.
    CHECK(viewer::AppState().linear);
}

TEST_CASE("snapshot: overlay text is outlined on every side, legible on a white slice as on a black one "
          "(issue 14.11)") {
    REQUIRE(haveDisplay());
    TempDir out;
    auto shot = [&](const char* window, const char* name) {
        const auto png = out.path / name;
        const Run r = run("snapshot " + q(glPhantom()) + " --view axial --size 320x320 --window " + window +
                          " -o " + q(png));
        INFO(r.out);
        REQUIRE(r.code == 0);
        return readPng(png);
    };
    // A 1 HU window far above or below every value: the slice is all black or all white.
    const Image dark = shot("1,20000", "dark.png"), light = shot("1,-20000", "light.png");
    REQUIRE((dark.width == 320 && light.width == 320));
    REQUIRE(light.at(160, 60)[0] == 255);
    // The slice line at the top left (the same text in both), clear of the crosshair through the centre and
    // of the orientation letter at the top centre. Its glyph pixels are the bright ones on the black slice;
    // on the white slice each glyph pixel's neighbours that are not glyph must be dark, on all four sides (a
    // drop shadow darkens only two).
    auto bright = [&](int x, int y) {
        const unsigned char* p = dark.at(x, y);
        return std::max({p[0], p[1], p[2]}) > 150;
    };
    int glyph = 0, ring = 0, darkRing = 0;
    for (int y = 1; y < 40; ++y)
        for (int x = 1; x < 120; ++x) {
            if (!bright(x, y))
                continue;
            ++glyph;
            const int nb[4][2] = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
            for (const auto& n : nb) {
                if (bright(n[0], n[1]))
                    continue;
                ++ring;
                const unsigned char* p = light.at(n[0], n[1]);
                darkRing += std::max({p[0], p[1], p[2]}) < 100;
            }
        }
    INFO("glyph pixels " << glyph << ", their neighbours " << ring << ", dark on white " << darkRing);
    REQUIRE(glyph > 150);
    CHECK(darkRing >= ring * 9 / 10);
}

TEST_CASE("snapshot --annotations: a measurement shows on the slice it lies on, and only there (issue 12)") {
    REQUIRE(haveDisplay());
    TempDir out;
    ScanResult scan;
    const DecodedStack series = loadFolder(glPhantom(), scan);
    const Geometry& g = series.volume.geometry();
    const int k = sliceIndex(sliceFrame(g, Axis::Axial), 17); // the slice `--slice 17` shows
    auto file = [&](int slice, const char* name) {
        const glm::dvec3 a = g.voxelToPatient({10, 32, slice}), b = g.voxelToPatient({54, 32, slice});
        const auto path = out.path / name;
        std::ofstream(path) << "{\"annotations\": [{\"type\": \"line\", \"label\": \"ruler\", \"points\": [["
                            << a.x << "," << a.y << "," << a.z << "], [" << b.x << "," << b.y << "," << b.z
                            << "]]}]}";
        return path;
    };
    auto shot = [&](const std::string& extra, const char* name) {
        const auto png = out.path / name;
        const Run r = run("snapshot " + q(glPhantom()) +
                          " --view axial --slice 17 --no-overlays --size 256x256 " + extra + " -o " + q(png));
        INFO(r.out);
        REQUIRE(r.code == 0);
        return readPng(png);
    };
    auto yellow = [](const Image& img) {
        int n = 0;
        for (int y = 0; y < img.height; ++y)
            for (int x = 0; x < img.width; ++x) {
                const unsigned char* p = img.at(x, y);
                n += p[0] > 200 && p[1] > 170 && p[2] < 90;
            }
        return n;
    };
    const Image plain = shot("", "plain.png");
    const Image here = shot("--annotations " + q(file(k, "here.json")), "here.png");
    const Image elsewhere = shot("--annotations " + q(file(k + 3, "elsewhere.json")), "elsewhere.png");
    CHECK(yellow(plain) == 0);
    CHECK(yellow(here) > 150); // a 44-voxel line across the slice, 4 pixels a voxel, and its label
    CHECK(elsewhere.rgb == plain.rgb);
    CHECK(run("snapshot " + q(glPhantom()) + " --annotations " + q(out.path / "missing.json") + " -o " +
              q(out.path / "x.png"))
              .code == 1);
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
    const Run slice = run("snapshot " + in + " --view coronal --slice 65 -o " + q(out.path / "a.png"));
    CHECK(slice.code == 2);
    CHECK(slice.out.find("1..64") != std::string::npos); // numbers count from 1 (issue 32.5)
    const Run zero = run("snapshot " + in + " --view coronal --slice 0 -o " + q(out.path / "a.png"));
    CHECK(zero.code == 2);
    CHECK(run("snapshot " + in + " --view coronal --slice 1 -o " + q(out.path / "a.png")).code == 0);
    // The viewer on a path that is not there opens its window and says why (tests/e2e/viewer.sh checks that).
    const std::string env = "env -u DISPLAY -u WAYLAND_DISPLAY ";
    const Run noDisplay = shell(env + CTVIEW_BINARY + " snapshot " + in + " -o " + q(out.path / "c.png"));
    CHECK(noDisplay.code == 1);
    CHECK(noDisplay.out.find("cannot open a window") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out.path / "c.png"));
}

TEST_CASE(
    "viewer: S with 'burn in measurements' draws them over the export's pixels, and only there (issue 12)") {
    REQUIRE(haveDisplay());
    app::CommonOptions common;
    common.input = glPhantom().string();
    common.quiet = true;
    viewer::AppState s;
    viewer::adoptDataset(s, app::loadDatasetHeadless(common)); // 64 x 64 x 40, square axial pixels
    const Volume& vol = s.scene.base->series.volume;
    const int k = viewer::sliceOf(s, 0);
    const SliceFrame f = viewer::frameOf(s, 0);
    // A ruler across the slice at row j = 10, and a point below it.
    auto lps = [&](double i, double j) { return vol.geometry().voxelToPatient({i, j, double(k)}); };
    s.annotations = {{AnnotationType::Line, {lps(8, 10), lps(56, 10)}, "ruler"},
                     {AnnotationType::Point, {lps(32, 14)}, ""}};
    s.window = {400, 40};
    s.activeView = 0;
    TempDir out;
    s.exportDir = out.path;
    const RgbImage plain =
        renderSlice(extractSlice(vol, Axis::Axial, k), s.window, viewer::displayColormap(s));

    // The viewer's GL and ImGui contexts, after a frame.
    GLFWwindow* window = app::createGlWindow(64, 64, "test", false);
    app::initImGui(window, false);
    ImGui::GetIO().DisplaySize = ImVec2(64, 64);
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    ImGui::Render();
    s.prefs.burnIn = true;
    const auto burned = app::saveSlice(s, 0);
    s.prefs.burnIn = false;
    const auto clean = app::saveSlice(s, 0);
    app::shutdownImGui(false);
    app::destroyGlWindow(window);

    REQUIRE(burned.size() == 2);
    REQUIRE(clean.size() == 2);
    const Image img = readPng(burned[0]);
    REQUIRE(img.width == plain.width);
    REQUIRE(img.height == plain.height);
    // The ruler's row on the image (display order), and what the overlay draws around it: the outline, the
    // point's cross 4 rows below, and the value's label under the ruler's end.
    const int row = f.vFlip ? f.height - 1 - 10 : 10, pointRow = f.vFlip ? f.height - 1 - 14 : 14;
    int changed = 0, changedOnRuler = 0, changedAway = 0;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x) {
            const std::size_t at = (std::size_t(y) * std::size_t(img.width) + std::size_t(x)) * 3;
            const bool differs = !std::equal(img.at(x, y), img.at(x, y) + 3, plain.rgb.begin() + long(at));
            changed += differs;
            changedOnRuler += differs && y == row;
            // The two labels stack under the ruler's end, clear of each other (issue 32.11).
            const bool near = std::abs(y - row) <= 48 || std::abs(y - pointRow) <= 8;
            changedAway += differs && !near;
        }
    CHECK(changedOnRuler >= 40); // the ruler is drawn along its 48 voxels
    CHECK(changed > changedOnRuler);
    CHECK(changedAway == 0); // everywhere else: the export's pixels
    auto sidecar = [](const std::filesystem::path& png) {
        std::ifstream in(std::filesystem::path(png).replace_extension(".json"));
        return nlohmann::json::parse(in);
    };
    CHECK(sidecar(burned[0])["measurements_burned_in"] == true);
    CHECK(sidecar(burned[0])["annotations"].size() == 2);
    // Off (the default): the pixels `ctview export` writes, the measurements in the sidecar only.
    const Image off = readPng(clean[0]);
    CHECK(off.rgb == plain.rgb);
    CHECK(sidecar(clean[0])["measurements_burned_in"] == false);
}

namespace {
// A labelmap (.seg.nrrd, uint8) on grid `g`: value 1 ("Block", pure red) in voxels i, j of [20, 30) on every
// slice, written as 3D Slicer writes one (space directions, origin, Segment fields).
void writeBlockLabels(const Geometry& g, const std::filesystem::path& p) {
    std::ofstream out(p, std::ios::binary);
    auto axis = [&](int c) {
        const glm::dvec3 d = g.direction[c] * g.spacing[c];
        return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")";
    };
    out << "NRRD0004\ntype: uchar\ndimension: 3\nspace: left-posterior-superior\nsizes: " << g.dims.x << " "
        << g.dims.y << " " << g.dims.z << "\nspace directions: " << axis(0) << " " << axis(1) << " "
        << axis(2) << "\nkinds: domain domain domain\nencoding: raw\nspace origin: ("
        << std::to_string(g.origin.x) << "," << std::to_string(g.origin.y) << ","
        << std::to_string(g.origin.z)
        << ")\nSegment0_Name:=Block\nSegment0_Color:=1 0 0\nSegment0_LabelValue:=1\nSegment0_Layer:=0\n\n";
    std::vector<char> voxels(g.voxelCount(), 0);
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 20; j < 30; ++j)
            for (int i = 20; i < 30; ++i)
                voxels[(std::size_t(k) * std::size_t(g.dims.y) + std::size_t(j)) * std::size_t(g.dims.x) +
                       std::size_t(i)] = 1;
    out.write(voxels.data(), std::streamsize(voxels.size()));
}
} // namespace

TEST_CASE("RTSTRUCT marks and open contours are drawn on the slices they lie on, in their ROI's colour "
          "(issue 27.2)") {
    REQUIRE(haveDisplay());
    TempDir dir;
    writeSeries(smallSeries(),
                dir.path / "ct"); // 12 x 10 x 8, voxel (i, j, k) at (-10 + 0.6 i, 20 + 0.8 j, -30 + 2.5 k)
    const auto src = openSource((dir.path / "ct").string(), fastOptions());
    auto d = std::make_shared<Dataset>();
    d->series = src->load(src->pick("").number, fastOptions());
    const Geometry g = d->series.volume.geometry();
    RtStructSpec spec;
    const glm::dvec3 point = g.voxelToPatient({3, 2, 1}), from = g.voxelToPatient({2, 7, 4}),
                     to = g.voxelToPatient({10, 7, 4});
    spec.rois = {
        {1, "Seed", {255, 255, 0}, {{"POINT", {{point.x, point.y, point.z}}}}},
        {2, "Cut", {0, 255, 255}, {{"OPEN_PLANAR", {{from.x, from.y, from.z}, {to.x, to.y, to.z}}}}}};
    writeRtStruct(spec, dir.path / "rt.dcm");
    viewer::AppState s;
    viewer::adoptDataset(s, d);
    viewer::addLabelLayer(
        s, std::make_shared<const LabelLayer>(openLayer(dir.path / "rt.dcm", d->series, fastOptions())));
    s.maximised = 0;
    s.prefs.overlays = {false, false, false, false, false, false};
    s.window = {1, 20000}; // the slice black: only what is drawn over it shows
    const glm::ivec2 size(240, 200);
    viewer::layoutCells(s, Rect{0, 0, float(size.x), float(size.y)});
    auto pixel = [&](const RgbImage& img, glm::dvec3 lps) {
        const glm::dvec2 p = viewer::mappingOf(s, 0).voxelToScreen(g.patientToVoxel(lps));
        const std::size_t n = (std::size_t(p.y) * std::size_t(size.x) + std::size_t(p.x)) * 3;
        return glm::ivec3(img.rgb[n], img.rgb[n + 1], img.rgb[n + 2]);
    };
    s.cursor.z = 1; // the point's slice
    const RgbImage onPoint = app::renderHeadless(s, size, true);
    const glm::ivec3 seed = pixel(onPoint, point); // the middle of the mark's X, anti-aliased
    INFO(seed.x << " " << seed.y << " " << seed.z);
    CHECK((seed.x > 200 && seed.y > 200 && seed.z < 60));
    s.cursor.z = 4; // the line's slice: cyan along it, the point gone
    const RgbImage onLine = app::renderHeadless(s, size, true);
    CHECK(pixel(onLine, (from + to) * 0.5) == glm::ivec3(0, 255, 255));
    CHECK(pixel(onLine, point) == glm::ivec3(0, 0, 0));
    // A hidden ROI is not drawn.
    s.scene.labels[0].visible = {1, 0};
    CHECK(pixel(app::renderHeadless(s, size, true), (from + to) * 0.5) == glm::ivec3(0, 0, 0));
}

TEST_CASE("labels: a value group's texels say which neighbours hold another value, for the outline") {
    Geometry g;
    g.dims = {4, 3, 2};
    // Value 5 in a 2 x 2 x 2 block at x 1..2, y 0..1, z 0..1, and value 7 at (3, 1, 0) beside it.
    std::vector<std::uint8_t> voxels(g.voxelCount(), 0);
    const auto at = [&](int x, int y, int z) { return std::size_t((z * 3 + y) * 4 + x); };
    for (int z = 0; z < 2; ++z)
        for (int y = 0; y < 2; ++y)
            for (int x = 1; x < 3; ++x)
                voxels[at(x, y, z)] = 5;
    voxels[at(3, 1, 0)] = 7;
    const std::vector<std::uint8_t> all = gl::valueTexels(g, voxels, {0, 0, 0}, {3, 2, 1});
    REQUIRE(all.size() == 2 * voxels.size());
    const auto texel = [&](int x, int y, int z) {
        return std::pair<int, int>(all[2 * at(x, y, z)], all[2 * at(x, y, z) + 1]);
    };
    // Bits: 1 -x, 2 +x, 4 -y, 8 +y, 16 -z, 32 +z; off the grid is 0, so the block's y = 0 and z faces are
    // edges, its inside sides are not.
    CHECK(texel(1, 0, 0) == std::pair(5, 1 | 4 | 16));
    CHECK(texel(2, 1, 0) == std::pair(5, 2 | 8 | 16)); // +x: the 7
    CHECK(texel(2, 1, 1) == std::pair(5, 2 | 8 | 32));
    CHECK(texel(3, 1, 0) == std::pair(7, 1 | 2 | 4 | 8 | 16 | 32));
    CHECK(texel(0, 0, 0) == std::pair(0, 0)); // nothing: no bits
    // A box of them is the same texels, x fastest.
    const std::vector<std::uint8_t> box = gl::valueTexels(g, voxels, {2, 1, 0}, {3, 1, 1});
    CHECK(box == std::vector<std::uint8_t>{5, 2 | 8 | 16, 7, 63, 5, 2 | 8 | 32, 0, 0});
}

TEST_CASE("labels: a view along the texture axes, zoomed in to a voxel a line or more, outlines value groups "
          "from their texels' bits") {
    const glm::ivec3 dims(100, 50, 20);
    glm::mat4 axial(1.0f); // pixel (x, y) at texture (x / 200, y / 100, 0.5): two pixels a voxel
    axial[0] = {0.005f, 0, 0, 0};
    axial[1] = {0, 0.01f, 0, 0};
    axial[3] = {0, 0, 0.5f, 1};
    const std::optional<gl::EdgeAxes> e = gl::edgeAxes(axial, dims, 1.0f);
    REQUIRE(e);
    CHECK(e->axisX == glm::vec3(1, 0, 0));
    CHECK(e->axisY == glm::vec3(0, 1, 0));
    CHECK(e->step.x == Approx(0.5));
    CHECK(e->step.y == Approx(0.5));
    CHECK(e->bits == glm::uvec4(2, 1, 8, 4));
    // Sagittal with its y flipped (texture z falls as the pixel's y grows): z's bits.
    glm::mat4 sagittal(1.0f);
    sagittal[0] = {0, 0.01f, 0, 0};
    sagittal[1] = {0, 0, -0.02f, 0};
    sagittal[3] = {0.5f, 0, 1, 1};
    const std::optional<gl::EdgeAxes> s = gl::edgeAxes(sagittal, dims, 1.0f);
    REQUIRE(s);
    CHECK(s->axisY == glm::vec3(0, 0, 1));
    CHECK(s->step.y == Approx(0.4));
    CHECK(s->bits == glm::uvec4(8, 4, 32, 16));
    // A line's width past a voxel (zoomed out, or three pixels wide (HiDPI) at this zoom), and a
    // turned view: the neighbours are sampled instead.
    CHECK_FALSE(gl::edgeAxes(axial, dims, 3.0f));
    glm::mat4 turned = axial;
    turned[0] = {0.005f * 0.70710678f, 0, 0.005f * 0.70710678f, 0};
    CHECK_FALSE(gl::edgeAxes(turned, dims, 1.0f));
}

TEST_CASE("labels: a group's pass covers the pixels where the view's plane crosses its shown voxels") {
    // An axial-like view: pixel (x, y) at texture (x / 100, y / 100, z).
    glm::mat4 axial(1.0f);
    axial[0] = {0.01f, 0, 0, 0};
    axial[1] = {0, 0.01f, 0, 0};
    axial[3] = {0, 0, 0.5f, 1};
    const std::optional<Rect> in = gl::planeBoxRect(axial, {0.2f, 0.3f, 0.4f}, {0.6f, 0.7f, 0.6f});
    REQUIRE(in);
    CHECK(in->x == Approx(20));
    CHECK(in->y == Approx(30));
    CHECK(in->w == Approx(40));
    CHECK(in->h == Approx(40));
    CHECK_FALSE(gl::planeBoxRect(axial, {0.2f, 0.3f, 0.6f}, {0.6f, 0.7f, 0.9f})); // the slice misses it
    // A coronal-like one: (x / 100, 0.5, y / 100); and the same plane turned 45 degrees about the y axis.
    glm::mat4 coronal(1.0f);
    coronal[0] = {0.01f, 0, 0, 0};
    coronal[1] = {0, 0, 0.01f, 0};
    coronal[3] = {0, 0.5f, 0, 1};
    const std::optional<Rect> band = gl::planeBoxRect(coronal, {0.2f, 0.3f, 0.4f}, {0.6f, 0.7f, 0.6f});
    REQUIRE(band);
    CHECK(band->x == Approx(20));
    CHECK(band->y == Approx(40));
    CHECK(band->w == Approx(40));
    CHECK(band->h == Approx(20));
    glm::mat4 turned = coronal;
    turned[0] = {0.01f * 0.70710678f, 0, 0.01f * 0.70710678f, 0}; // along x and z
    turned[1] = {-0.01f * 0.70710678f, 0, 0.01f * 0.70710678f, 0};
    const std::optional<Rect> tilted = gl::planeBoxRect(turned, {0.0f, 0.0f, 0.0f}, {0.2f, 1.0f, 0.2f});
    REQUIRE(tilted);
    // The square [0, 0.2]^2 of x and z in the turned axes: x' = (x + z) / sqrt 2, y' = (z - x) / sqrt 2.
    CHECK(tilted->x == Approx(0).margin(1e-3));
    CHECK(tilted->w == Approx(20 * std::sqrt(2.0)).margin(1e-3));
    CHECK(tilted->y == Approx(-10 * std::sqrt(2.0)).margin(1e-3));
    CHECK(tilted->h == Approx(20 * std::sqrt(2.0)).margin(1e-3));
}

TEST_CASE("labels: a FRACTIONAL segment is filled at its fraction of the opacity (a soft edge) and outlined "
          "where it crosses 0.5") {
    REQUIRE(haveDisplay());
    Geometry g;
    g.dims = {16, 16, 4};
    auto d = std::make_shared<Dataset>();
    d->series.volume = Volume(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    viewer::AppState s;
    viewer::adoptDataset(s, d);
    s.maximised = 0;
    s.prefs.overlays = {false, false, false, false, false, false};
    s.window = {1, 20000}; // the slice black: only the segment shows
    // A square of voxels whose fraction grows along i: 15, 45, ..., 225 of 255 (in from i = 8: 135).
    std::vector<std::uint32_t> voxels;
    std::vector<std::uint8_t> fractions;
    for (int k = 0; k < 4; ++k)
        for (int j = 4; j < 12; ++j)
            for (int i = 4; i < 12; ++i) {
                voxels.push_back(std::uint32_t((k * 16 + j) * 16 + i));
                fractions.push_back(std::uint8_t(30 * (i - 4) + 15));
            }
    LabelLayerBuilder b(g);
    b.addFraction({1, "Probability", {0, 1, 0}}, voxels, fractions);
    LabelLayer layer = b.take("p.dcm", "", "DICOM SEG");
    // Measured as a load measures it: what is in at 0.5 (from i = 8), not the fainter voxels drawn too.
    layer.stats = measureSegments(layer, d->series.volume);
    REQUIRE(layer.stats[0].voxelMin.x == 8);
    viewer::addLabelLayer(s, std::make_shared<const LabelLayer>(std::move(layer)));
    const glm::ivec2 size(128, 128);
    viewer::layoutCells(s, Rect{0, 0, float(size.x), float(size.y)});
    s.cursor.z = 1;
    const RgbImage img = app::renderHeadless(s, size, true);
    auto at = [&](glm::ivec2 p) {
        const std::size_t n = (std::size_t(p.y) * std::size_t(size.x) + std::size_t(p.x)) * 3;
        return glm::ivec3(img.rgb[n], img.rgb[n + 1], img.rgb[n + 2]);
    };
    // Each voxel's middle: green at 0.4 x its fraction over black.
    for (int i = 4; i < 12; ++i) {
        const glm::dvec2 p = viewer::mappingOf(s, 0).voxelToScreen(glm::dvec3(i, 7, 1));
        INFO("voxel " << i);
        const int green = at(glm::ivec2(p)).y;
        CHECK(std::abs(green - int(std::lround(0.4 * (30 * (i - 4) + 15)))) <= 1);
    }
    // Along voxel row 7: opaque green only at the edge of what is in (from voxel 8 to 11), a pixel wide at
    // each end.
    const int y = int(viewer::mappingOf(s, 0).voxelToScreen(glm::dvec3(8, 7, 1)).y);
    int opaque = 0;
    for (int x = 0; x < size.x; ++x)
        opaque += at({x, y}) == glm::ivec3(0, 255, 0);
    CHECK(opaque == 2);
}

TEST_CASE("labels: a layer the GPU cannot take keeps its place, the next one is drawn with its own look") {
    REQUIRE(haveDisplay());
    Geometry g;
    g.dims = {16, 16, 4};
    auto d = std::make_shared<Dataset>();
    d->series.volume = Volume(g, ScalarType::Int16, SharedBuffer::Sharing::Private); // 0 HU everywhere
    viewer::AppState s;
    viewer::adoptDataset(s, d);
    s.maximised = 0;
    s.prefs.overlays = {false, false, false, false, false, false};
    s.window = {400, 40};
    // Layer 0: wider than any GPU's 3D textures (llvmpipe's end at 2048), and hidden by the user.
    LabelLayer tooWide;
    tooWide.name = "too wide";
    tooWide.grid = g;
    tooWide.grid.dims = {20000, 1, 1};
    tooWide.groups = {std::vector<std::uint8_t>(20000, 1)};
    tooWide.segments = {{1, "wide", {1, 0, 0}, 0, 1}};
    // Layer 1: every voxel, green, shown.
    LabelLayerBuilder all(g);
    all.add({1, "all", {0, 1, 0}}, std::vector<std::uint8_t>(g.voxelCount(), 1));
    viewer::addLabelLayer(s, std::make_shared<const LabelLayer>(std::move(tooWide)));
    viewer::addLabelLayer(s, std::make_shared<const LabelLayer>(all.take("all", "", "labelmap")));
    s.scene.labels[0].visible = {0};
    ui::RenderFeedback feedback;
    const RgbImage img = app::renderHeadless(s, {64, 64}, false, {}, &feedback);
    REQUIRE(feedback.labelProblems.size() == 1);
    CHECK(feedback.labelProblems[0].find("too wide: not shown in the slice views") != std::string::npos);
    // The centre is the grey of 0 HU (W 400 L 40: 102) under green at 40 %: layer 1 drawn with its own look,
    // not with layer 0's (hidden).
    const std::size_t c = (32 * 64 + 32) * 3;
    CHECK(int(img.rgb[c + 1]) > int(img.rgb[c]) + 50);
}

TEST_CASE("snapshot --labels: a segment's voxels filled at 40 % over the slice, its edge opaque, the rest as "
          "it was") {
    REQUIRE(haveDisplay());
    TempDir out;
    ScanResult scan;
    const DecodedStack s = loadFolder(glPhantom(), scan);
    writeBlockLabels(s.volume.geometry(), out.path / "block.seg.nrrd");
    const auto png = out.path / "labels.png";
    // As the exact slice test above: every voxel is 2 x 2 pixels.
    const Run r =
        run("snapshot " + q(glPhantom()) + " --labels " + q(out.path / "block.seg.nrrd") +
            " --view axial --slice 17 --no-overlays --size 128x128 --nearest --window 400,40 -o " + q(png));
    INFO(r.out);
    REQUIRE(r.code == 0);
    const Image gpu = readPng(png);
    REQUIRE(gpu.width == 128);
    const int k = sliceIndex(sliceFrame(s.volume.geometry(), Axis::Axial), 17);
    const RgbImage cpu =
        renderSlice(extractSlice(s.volume, Axis::Axial, k), WindowLevel{400, 40}, colormapTable("grayscale"));
    int wrong = 0, edges = 0, fills = 0;
    for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x) {
            const int gray = cpu.rgb[(std::size_t(y / 2) * 64 + std::size_t(x / 2)) * 3];
            const bool inside = x >= 40 && x < 60 && y >= 40 && y < 60;
            const bool edge = inside && (x == 40 || x == 59 || y == 40 || y == 59);
            int expected[3] = {gray, gray, gray};
            if (edge) {
                expected[0] = 255, expected[1] = expected[2] = 0;
                ++edges;
            } else if (inside) {
                // Premultiplied red at 0.4 over the slice: 0.4 + 0.6 gray in red, 0.6 gray in green and blue.
                expected[0] = int(std::lround(0.4 * 255 + 0.6 * gray));
                expected[1] = expected[2] = int(std::lround(0.6 * gray));
                ++fills;
            }
            for (int c = 0; c < 3; ++c)
                wrong += std::abs(int(gpu.at(x, y)[c]) - expected[c]) > 1;
        }
    CHECK(edges == 76);
    CHECK(fills == 324);
    CHECK(wrong == 0);

    // --segments: only those drawn; a name that is not there is a usage error naming the ones that are.
    const Run none = run("snapshot " + q(glPhantom()) + " --labels " + q(out.path / "block.seg.nrrd") +
                         " --segments Tumour --view axial --size 64x64 -o " + q(out.path / "none.png"));
    CHECK(none.code == 2);
    CHECK(none.out.find("--segments Tumour: no such segment; there are: Block") != std::string::npos);
}

TEST_CASE(
    "snapshot --labels: six overlapping segments (two value groups, then four in a bit group) blend in the "
    "layer's order") {
    REQUIRE(haveDisplay());
    TempDir out;
    ScanResult scan;
    const DecodedStack s = loadFolder(glPhantom(), scan);
    const Geometry& g = s.volume.geometry();
    // The same block six times, one segment a layer of the file, red, green, blue, yellow, cyan, magenta: the
    // first two in value groups of their own (a pass each), the last four sharing a bit group (one pass, its
    // palette composited as four passes would be).
    std::vector<std::uint8_t> block(g.voxelCount(), 0);
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 20; j < 30; ++j)
            for (int i = 20; i < 30; ++i)
                block[(std::size_t(k) * std::size_t(g.dims.y) + std::size_t(j)) * std::size_t(g.dims.x) +
                      std::size_t(i)] = 1;
    const std::array<glm::vec3, 6> colours{glm::vec3(1, 0, 0), glm::vec3(0, 1, 0), glm::vec3(0, 0, 1),
                                           glm::vec3(1, 1, 0), glm::vec3(0, 1, 1), glm::vec3(1, 0, 1)};
    std::vector<const std::vector<std::uint8_t>*> groups(6, &block);
    std::vector<SegNrrdSegment> segments;
    for (int n = 0; n < 6; ++n)
        segments.push_back({"Block " + std::to_string(n + 1), colours[std::size_t(n)], 1, n});
    writeSegNrrd(groups, g, segments, out.path / "six.seg.nrrd", false);
    const auto png = out.path / "six.png";
    const Run r =
        run("snapshot " + q(glPhantom()) + " --labels " + q(out.path / "six.seg.nrrd") +
            " --view axial --slice 17 --no-overlays --size 128x128 --nearest --window 400,40 -o " + q(png));
    INFO(r.out);
    REQUIRE(r.code == 0);
    const Image gpu = readPng(png);
    const int k = sliceIndex(sliceFrame(g, Axis::Axial), 17);
    const RgbImage cpu =
        renderSlice(extractSlice(s.volume, Axis::Axial, k), WindowLevel{400, 40}, colormapTable("grayscale"));
    int wrong = 0;
    for (int y = 40; y < 60; ++y)
        for (int x = 40; x < 60; ++x) {
            const double gray = cpu.rgb[(std::size_t(y / 2) * 64 + std::size_t(x / 2)) * 3];
            const bool edge = x == 40 || x == 59 || y == 40 || y == 59;
            glm::dvec3 expected(gray);
            for (const glm::vec3& c : colours) // each at 40 %, or its opaque edge, over what is there
                expected = edge ? glm::dvec3(c) * 255.0 : expected * 0.6 + glm::dvec3(c) * 255.0 * 0.4;
            for (int c = 0; c < 3; ++c)
                wrong += std::abs(double(gpu.at(x, y)[c]) - expected[c]) > 2.0;
        }
    CHECK(wrong == 0);
}

TEST_CASE("snapshot --labels: segments sharing a bit group are filled one over another and outlined each in "
          "its colour, and a hidden one draws no edge") {
    REQUIRE(haveDisplay());
    TempDir out;
    ScanResult scan;
    const DecodedStack s = loadFolder(glPhantom(), scan);
    const Geometry& g = s.volume.geometry();
    // Four squares down every slice, a layer of the file each: A and B (the same) take the two value groups,
    // then C (large, blue) and D (small, yellow), which overlap both, share a bit group.
    auto square = [&](int from, int to) {
        std::vector<std::uint8_t> m(g.voxelCount(), 0);
        for (int k = 0; k < g.dims.z; ++k)
            for (int j = from; j < to; ++j)
                for (int i = from; i < to; ++i)
                    m[(std::size_t(k) * std::size_t(g.dims.y) + std::size_t(j)) * std::size_t(g.dims.x) +
                      std::size_t(i)] = 1;
        return m;
    };
    const std::vector<std::uint8_t> ab = square(20, 30), c = square(10, 40), d = square(24, 26);
    writeSegNrrd(
        {&ab, &ab, &c, &d}, g,
        {{"A", {1, 0, 0}, 1, 0}, {"B", {0, 1, 0}, 1, 1}, {"C", {0, 0, 1}, 1, 2}, {"D", {1, 1, 0}, 1, 3}},
        out.path / "four.seg.nrrd", false);
    const int k = sliceIndex(sliceFrame(g, Axis::Axial), 17);
    const RgbImage cpu =
        renderSlice(extractSlice(s.volume, Axis::Axial, k), WindowLevel{400, 40}, colormapTable("grayscale"));
    auto wrongPixels = [&](const std::string& segments, bool dShown) {
        const auto png = out.path / (segments + ".png");
        const Run r = run("snapshot " + q(glPhantom()) + " --labels " + q(out.path / "four.seg.nrrd") +
                          " --segments " + segments +
                          " --view axial --slice 17 --no-overlays --size 128x128 --nearest --window 400,40 "
                          "--force -o " +
                          q(png));
        INFO(r.out);
        REQUIRE(r.code == 0);
        const Image gpu = readPng(png);
        // Every voxel is 2 x 2 pixels: C's voxels [10, 40) are pixels [20, 80), D's [24, 26) pixels [48, 52).
        const glm::dvec3 blue(0, 0, 255), yellow(255, 255, 0);
        int wrong = 0;
        for (int y = 0; y < 128; ++y)
            for (int x = 0; x < 128; ++x) {
                const double gray = cpu.rgb[(std::size_t(y / 2) * 64 + std::size_t(x / 2)) * 3];
                const bool inC = x >= 20 && x < 80 && y >= 20 && y < 80;
                const bool inD = dShown && x >= 48 && x < 52 && y >= 48 && y < 52;
                glm::dvec3 expected(gray);
                if (inD && (x == 48 || x == 51 || y == 48 || y == 51))
                    expected = yellow; // D's edge over C's fill: the last segment's edge, opaque
                else if (inC && (x == 20 || x == 79 || y == 20 || y == 79))
                    expected = blue;
                else if (inC)
                    expected = expected * 0.6 + blue * 0.4;
                if (inD && expected != yellow)
                    expected = expected * 0.6 + yellow * 0.4;
                for (int ch = 0; ch < 3; ++ch)
                    wrong += std::abs(double(gpu.at(x, y)[ch]) - expected[ch]) > 2.0;
            }
        return wrong;
    };
    CHECK(wrongPixels("C,D", true) == 0);
    CHECK(wrongPixels("C", false) == 0); // D hidden: no edge where it is, only C's fill
    const Run info =
        run("segments -q " + q(glPhantom()) + " --labels " + q(out.path / "four.seg.nrrd") + " --json");
    REQUIRE(info.code == 0);
    const nlohmann::json layer = nlohmann::json::parse(info.out)["layers"][0];
    CHECK(layer["groups"] == 3);
    CHECK(layer["bit_groups"] == 1); // the test needs the bit group
}

TEST_CASE("render --labels: a segment is an opaque surface in the 3D view, hidden with --segments") {
    REQUIRE(haveDisplay());
    TempDir out;
    ScanResult scan;
    const DecodedStack s = loadFolder(glPhantom(), scan);
    writeBlockLabels(s.volume.geometry(), out.path / "block.seg.nrrd");
    auto redPixels = [&](const std::string& extra) {
        const auto png = out.path / "render.png";
        const Run r = run("render " + q(glPhantom()) + " --size 160x160 --force -o " + q(png) + " " + extra);
        INFO(r.out);
        REQUIRE(r.code == 0);
        const Image img = readPng(png);
        int red = 0;
        for (int y = 0; y < img.height; ++y)
            for (int x = 0; x < img.width; ++x)
                red += img.at(x, y)[0] > 150 && img.at(x, y)[1] < 90 && img.at(x, y)[2] < 90;
        return red;
    };
    const std::string labels = "--labels " + q(out.path / "block.seg.nrrd");
    const int without = redPixels(""), with = redPixels(labels);
    INFO(without << " red pixels without the labels, " << with << " with them");
    CHECK(without < 10); // ct-bone's colours are bone and flesh, hardly ever pure red
    // The block runs head to feet through the body: a band of its red (shaded) wherever no bone is in front.
    CHECK(with > 300);
    const Run hidden =
        run("render " + q(glPhantom()) + " " + labels + " --segments 2 -o " + q(out.path / "x.png"));
    CHECK(hidden.code == 2); // there is no segment 2
}

TEST_CASE("render --labels: segments in more groups than the 3D view samples are said to be left out, and "
          "hiding some draws the rest") {
    REQUIRE(haveDisplay());
    TempDir out;
    ScanResult scan;
    const DecodedStack s = loadFolder(glPhantom(), scan);
    const Geometry& g = s.volume.geometry();
    // Fifty boxes one inside another: two value groups and six bit groups of eight.
    std::vector<std::vector<std::uint8_t>> boxes(50, std::vector<std::uint8_t>(g.voxelCount(), 0));
    std::vector<const std::vector<std::uint8_t>*> layers;
    std::vector<SegNrrdSegment> segments;
    std::string firstTen;
    for (int n = 0; n < 50; ++n) {
        std::size_t v = 0;
        for (int k = 0; k < g.dims.z; ++k)
            for (int j = 0; j < g.dims.y; ++j)
                for (int i = 0; i < g.dims.x; ++i, ++v)
                    boxes[std::size_t(n)][v] = i >= 10 && i < 54 - n / 2 && j >= 10 && j < 54 - n / 2;
        layers.push_back(&boxes[std::size_t(n)]);
        segments.push_back({"Box " + std::to_string(n + 1), labelColor(n + 1), 1, n});
        if (n < 10)
            firstTen += (n ? "," : "") + segments.back().name;
    }
    writeSegNrrd(layers, g, segments, out.path / "boxes.seg.nrrd", false);
    const std::string labels = " --labels " + q(out.path / "boxes.seg.nrrd");
    const Run all =
        run("render " + q(glPhantom()) + labels + " --size 96x96 --force -o " + q(out.path / "a.png"));
    INFO(all.out);
    REQUIRE(all.code == 0);
    // Groups 6 to 8 hold 24 segments.
    CHECK(all.out.find("warning: 24 segments not drawn in 3D: it draws 5 groups of segments") !=
          std::string::npos);
    const Run some = run("render " + q(glPhantom()) + labels + " --segments " + q(firstTen) +
                         " --size 96x96 --force -o " + q(out.path / "b.png"));
    INFO(some.out);
    REQUIRE(some.code == 0);
    CHECK(some.out.find("not drawn in 3D") == std::string::npos);
}

TEST_CASE("snapshot --fuse: a second series over the slice in each mode, pixel for pixel (issue 31)") {
    REQUIRE(haveDisplay());
    TempDir out;
    ScanResult scan;
    const DecodedStack s = loadFolder(glPhantom(), scan);
    const Geometry& g = s.volume.geometry();
    // The fused series: the phantom's grid moved 3 voxels along i, its HU telling its voxels apart.
    Geometry moved = g;
    moved.origin = g.voxelToPatient({3, 0, 0});
    Volume fused(moved, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                fused.set(i, j, k, float(8 * j + 2 * i));
    writeVolume(fused, out.path / "fused.nrrd", false);
    REQUIRE(g.direction == glm::dmat3(1.0)); // pixel column x / 2 is voxel i, row y / 2 is voxel j
    const int k = sliceIndex(sliceFrame(g, Axis::Axial), 17);
    // The CPU's pictures of the slice: the phantom's, and the fused series' on the phantom's grid (its
    // resampling is tested exactly in test_fusion.cpp): each voxel is 2 x 2 pixels at 128 x 128.
    const SliceImage base = extractSlice(s.volume, Axis::Axial, k);
    const SliceImage layer = extractSlice(resampleOnto(fused, g), Axis::Axial, k);
    REQUIRE(base.width == 64);
    REQUIRE(layer.width == 64);
    const ColormapTable grey = colormapTable("grayscale"), viridis = colormapTable("viridis");
    auto colour = [](const ColormapTable& map, const WindowLevel& wl, float hu) {
        const int index = std::clamp(int(std::floor(wl.apply(hu) * 255.0 + 0.5)), 0, 255);
        return glm::ivec3(map[std::size_t(index)][0], map[std::size_t(index)][1], map[std::size_t(index)][2]);
    };
    const WindowLevel baseWindow{400, 40}, fusedWindow{600, 300};
    for (const std::string mode : {"overlay", "checkerboard", "difference"}) {
        INFO(mode);
        const auto png = out.path / (mode + ".png");
        const Run r = run(
            "snapshot " + q(glPhantom()) + " --fuse " + q(out.path / "fused.nrrd") + " --fuse-mode " + mode +
            " --fuse-colormap viridis --fuse-window 600,300 --opacity 0.25 --checker 16"
            " --view axial --slice 17 --no-overlays --size 128x128 --nearest --window 400,40 -o " +
            q(png));
        INFO(r.out);
        REQUIRE(r.code == 0);
        // NRRD carries no frame of reference: the placement is said to be a guess.
        CHECK(r.out.find("not in the frame of reference of") != std::string::npos);
        const Image gpu = readPng(png);
        REQUIRE(gpu.width == 128);
        int wrong = 0, layerPixels = 0, basePixels = 0;
        for (int y = 0; y < 128; ++y)
            for (int x = 0; x < 128; ++x) {
                const std::size_t n = std::size_t(y / 2) * 64 + std::size_t(x / 2);
                const glm::ivec3 under = colour(grey, baseWindow, base.hu[n]);
                glm::ivec3 expected = under;
                if (layer.hu[n] > kOutsideHu) {
                    if (mode == "overlay") {
                        const glm::dvec3 over(colour(viridis, fusedWindow, layer.hu[n]));
                        expected = glm::ivec3(glm::round(over * 0.25 + glm::dvec3(under) * 0.75));
                    } else if (mode == "difference") {
                        // Layer minus base through the fused series' window and colour map.
                        expected = colour(viridis, fusedWindow, layer.hu[n] - base.hu[n]);
                    } else {
                        // 16 mm squares over the phantom's grid from its first voxel's corner, at the
                        // pixel's centre (a voxel is 2 pixels; the slice at its voxels' centres).
                        const glm::dvec3 mm = glm::dvec3((x + 0.5) / 2, (y + 0.5) / 2, k + 0.5) * g.spacing;
                        const glm::ivec3 square(glm::floor(mm / 16.0));
                        if ((square.x + square.y + square.z) % 2 == 1)
                            expected = colour(viridis, fusedWindow, layer.hu[n]);
                    }
                }
                (expected == under ? basePixels : layerPixels)++;
                const unsigned char* p = gpu.at(x, y);
                wrong += std::abs(p[0] - expected.x) > 1 || std::abs(p[1] - expected.y) > 1 ||
                         std::abs(p[2] - expected.z) > 1;
            }
        CHECK(wrong == 0);
        CHECK(layerPixels > 128 * 128 / 3);
        CHECK(basePixels >= 128 * 6); // the 3 voxel columns without fused data, at least
    }

    // --compare: the phantom alone in the left half (128 pixels of 258), the fused series alone in the same
    // view 130 pixels to the right (past the 2-pixel gap), black where it has no data.
    const auto png = out.path / "compare.png";
    const Run r = run("snapshot " + q(glPhantom()) + " --compare " + q(out.path / "fused.nrrd") +
                      " --fuse-colormap viridis --fuse-window 600,300 --view axial --slice 17 --no-overlays "
                      "--size 258x128 --nearest --window 400,40 -o " +
                      q(png));
    INFO(r.out);
    REQUIRE(r.code == 0);
    const Image gpu = readPng(png);
    REQUIRE(gpu.width == 258);
    int wrong = 0, black = 0;
    for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x) {
            const std::size_t n = std::size_t(y / 2) * 64 + std::size_t(x / 2);
            const glm::ivec3 left = colour(grey, baseWindow, base.hu[n]);
            const glm::ivec3 right =
                layer.hu[n] > kOutsideHu ? colour(viridis, fusedWindow, layer.hu[n]) : glm::ivec3(0);
            black += right == glm::ivec3(0);
            for (int c = 0; c < 3; ++c)
                wrong +=
                    std::abs(gpu.at(x, y)[c] - left[c]) > 1 || std::abs(gpu.at(130 + x, y)[c] - right[c]) > 1;
        }
    CHECK(wrong == 0);
    CHECK(black >= 128 * 6);

    // The 3D cells too: the second series' own 3D view, through the same camera and preset. Of the phantom's
    // own voxels it is the left one pixel for pixel; of the fused series, another picture.
    REQUIRE(run("convert " + q(glPhantom()) + " -o " + q(out.path / "self.nrrd")).code == 0);
    auto grid = [&](const std::filesystem::path& second) {
        const auto file = out.path / (second.stem().string() + "-grid.png");
        const Run snap = run("snapshot " + q(glPhantom()) + " --compare " + q(second) +
                             " --view grid --no-overlays --size 258x128 -o " + q(file));
        INFO(snap.out);
        REQUIRE(snap.code == 0);
        return readPng(file);
    };
    // The 2x2 grid of each half: the 3D cell is the bottom right 64 x 64 pixels.
    auto differing3d = [](const Image& img) {
        int differing = 0, lit = 0;
        for (int y = 64; y < 128; ++y)
            for (int x = 64; x < 128; ++x)
                for (int c = 0; c < 3; ++c) {
                    differing += std::abs(img.at(x, y)[c] - img.at(130 + x, y)[c]) > 1;
                    lit += img.at(130 + x, y)[c] > 60;
                }
        return std::make_pair(differing, lit);
    };
    const auto [selfDiffering, selfLit] = differing3d(grid(out.path / "self.nrrd"));
    CHECK(selfDiffering == 0);
    CHECK(selfLit > 300);
    const auto [fusedDiffering, fusedLit] = differing3d(grid(out.path / "fused.nrrd"));
    CHECK(fusedDiffering > 300);
    CHECK(fusedLit > 300);
}

TEST_CASE("snapshot --compare: a finer prior is drawn with its own detail, not the open series' voxels") {
    // The open series: 8 x 8 x 4 voxels of 2 x 2 x 4 mm, all 0 HU. The prior: the same box in 1 mm voxels, a
    // checkerboard of 0 and 1000 HU, one voxel a square: on the open series' grid it would average to grey.
    TempDir out;
    const auto [coarse, fine] = coarseAndFineGrids();
    Volume open(coarse, ScalarType::Int16, SharedBuffer::Sharing::Private),
        prior(fine, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < 16; ++k)
        for (int j = 0; j < 16; ++j)
            for (int i = 0; i < 16; ++i)
                prior.set(i, j, k, float((i + j + k) % 2 * 1000));
    writeVolume(open, out.path / "open.nrrd", false);
    writeVolume(prior, out.path / "prior.nrrd", false);
    const auto png = out.path / "compare.png";
    const Run r = run(
        "snapshot " + q(out.path / "open.nrrd") + " --compare " + q(out.path / "prior.nrrd") +
        " --view axial --slice 2 --no-overlays --size 130x64 --nearest --fuse-window 2000,500 -o " + q(png));
    INFO(r.out);
    REQUIRE(r.code == 0);
    const Image img = readPng(png);
    REQUIRE(img.width == 130);
    // The right half (from x = 66): 8 pixels a voxel of the open series, 4 a voxel of the prior, whose
    // squares alternate: every pixel differs from the one 4 to its right, and two grey levels far apart.
    int alternating = 0, pairs = 0;
    for (int y = 2; y < 62; y += 4)
        for (int x = 66 + 2; x + 4 < 130; x += 4) {
            ++pairs;
            alternating += std::abs(img.at(x, y)[0] - img.at(x + 4, y)[0]) > 100;
        }
    CHECK(alternating == pairs);
}
