// The 3D view: transfer functions, presets, bricks and the camera without a display; the raymarcher under
// Xvfb + llvmpipe, exactly where the maths allows (a MIP along a voxel axis is the CPU maximum) and against
// golden images otherwise; `ctview render`'s command line.
#include "golden.h"
#include "testutil.h"

#include "app/actions.h"
#include "app/gl_context.h"
#include "app/headless.h"
#include "base/error.h"
#include "dicom/phantom.h"
#include "render/hu_texel.h"
#include "render/shaders.h"
#include "render/slice_renderer.h"
#include "viewer/input.h"
#include "viewer/segment_editor.h"
#include "volume/camera3d.h"
#include "volume/colormap.h"
#include "volume/transfer.h"
#include "volume/volume_stats.h"

#include <GLFW/glfw3.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <random>

using namespace ctview;
using namespace ctview::test;

namespace {
// An AppState holding `v` (no DICOM), its 3D view maximised.
viewer::AppState stateFor(Volume v) {
    auto d = std::make_shared<Dataset>();
    d->series.volume = std::move(v);
    const auto [lo, hi] = d->series.volume.range();
    d->series.minHU = lo;
    d->series.maxHU = hi;
    d->stats = std::make_shared<const VolumeStats>(computeVolumeStats(d->series.volume));
    viewer::AppState s;
    viewer::adoptDataset(s, d);
    s.maximised = 3;
    s.prefs.overlays = {false, false, false, false, false, false};
    return s;
}

// Colour channels brighter than a dark background: how much of a render shows something.
int litChannels(const RgbImage& img) {
    int lit = 0;
    for (std::uint8_t p : img.rgb)
        lit += p > 60;
    return lit;
}

} // namespace

TEST_CASE("transfer function: linear between points, clamped beyond, opacity corrected per mm") {
    std::vector<TfPoint> tf = {{0, 0.0f, {0, 0, 0}}, {100, 0.5f, {1, 0, 0}}, {200, 1.0f, {1, 1, 1}}};
    CHECK(evaluateTf(tf, -50).a == 0.0f);
    CHECK(evaluateTf(tf, 50).a == Approx(0.25f));
    CHECK(evaluateTf(tf, 50).r == Approx(0.5f));
    CHECK(evaluateTf(tf, 150).g == Approx(0.5f));
    CHECK(evaluateTf(tf, 999).a == 1.0f);
    CHECK(evaluateTf({}, 10).a == 0.0f);
    // Two points at one HU make a step.
    std::vector<TfPoint> step = {
        {0, 0.0f, {0, 0, 0}}, {100, 0.0f, {0, 0, 0}}, {100, 1.0f, {1, 1, 1}}, {200, 1.0f, {1, 1, 1}}};
    CHECK(evaluateTf(step, 99.9f).a == 0.0f);
    CHECK(evaluateTf(step, 100.1f).a == 1.0f);

    // Opacity is per mm: two half-mm steps let through what one 1 mm step does.
    const auto full = bakeTf(tf, 0, 200, 3, 1.0f), half = bakeTf(tf, 0, 200, 3, 0.5f);
    CHECK(full[1][3] == Approx(0.5f));
    CHECK((1 - half[1][3]) * (1 - half[1][3]) == Approx(1 - full[1][3]));
    CHECK(full[2][3] == 1.0f);

    shiftTf(tf, 50);
    CHECK(tf[1].hu == 150);
    colorTfFromMap(tf, colormapTable("grayscale"));
    CHECK(tf[0].color == glm::vec3(0.0f)); // transparent ends still take the map's colour at their place
    CHECK(tf[2].color == glm::vec3(1.0f));
}

TEST_CASE("presets: every bundled preset parses, JSON round trip, bad files name the problem") {
    const auto& presets = builtinPresets();
    REQUIRE(presets.size() == 9);
    for (const char* name : {"ct-bone", "ct-skin", "ct-muscle", "ct-soft-tissue", "ct-lung", "ct-angio",
                             "ct-cardiac", "mip", "xray"}) {
        const RenderPreset* p = findBuiltinPreset(name);
        REQUIRE(p);
        CHECK(!p->points.empty());
        CHECK(std::is_sorted(p->points.begin(), p->points.end(),
                             [](const TfPoint& a, const TfPoint& b) { return a.hu < b.hu; }));
        CHECK(presetFromJson(presetToJson(*p), p->name) == *p);
    }
    CHECK(findBuiltinPreset("mip")->mode == RenderMode::Mip);
    CHECK(findBuiltinPreset("xray")->mode == RenderMode::Average);

    TempDir dir;
    RenderPreset mine = *findBuiltinPreset("ct-bone");
    mine.title = "My bone";
    mine.name = presetFileStem(mine.title);
    CHECK(mine.name == "my-bone");
    mine.points[2].opacity = 0.123f;
    mine.shading.enabled = false;
    savePresetFile(mine, dir.path / "my-bone.json");
    CHECK(loadPresetFile(dir.path / "my-bone.json") == mine);
    std::ofstream(dir.path / "broken.json") << "{ \"mode\": \"dvr\", ";
    std::ofstream(dir.path / "badmode.json") << "{ \"mode\": \"holographic\" }";
    std::vector<std::string> problems;
    const auto loaded = loadPresetFolder(dir.path, problems);
    REQUIRE(loaded.size() == 1);
    CHECK(loaded[0].title == "My bone");
    REQUIRE(problems.size() == 2);
    const std::string all = problems[0] + problems[1];
    CHECK(all.find("not valid JSON") != std::string::npos);
    CHECK(all.find("unknown mode \"holographic\"") != std::string::npos);
    CHECK_THROWS_AS(loadPresetFile(dir.path / "missing.json"), DataError);
}

TEST_CASE("bricks: min and max include the one-voxel ring, classification follows the transfer function") {
    Geometry g;
    g.dims = {20, 8, 8};
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < 8; ++k)
        for (int j = 0; j < 8; ++j)
            for (int i = 0; i < 20; ++i)
                v.set(i, j, k, -1000);
    v.set(8, 3, 3, 500); // in brick 1 (i 8..15) but within the ring of brick 0 (i 0..7, ring to 8)
    const VolumeStats st = computeVolumeStats(v, 64, 8);
    REQUIRE(st.bricks.count == glm::ivec3(3, 1, 1));
    CHECK(st.minHU == -1000);
    CHECK(st.maxHU == 500);
    CHECK(st.bricks.max[0] == 500);
    CHECK(st.bricks.max[1] == 500);
    CHECK(st.bricks.max[2] == -1000); // i 16..19, ring from 15
    std::uint64_t total = 0;
    for (auto c : st.histogram)
        total += c;
    CHECK(total == g.voxelCount());
    CHECK(st.histogram.back() == 1);

    const std::vector<TfPoint> bone = {{0, 0, {1, 1, 1}}, {300, 0.8f, {1, 1, 1}}};
    const auto table = bakeTf(bone, st.minHU, st.maxHU, 1024, 1.0f);
    CHECK(classifyBricks(st.bricks, table, st.minHU, st.maxHU) == std::vector<std::uint8_t>{1, 1, 0});
    const std::vector<TfPoint> air = {{-1100, 0.5f, {1, 1, 1}}, {-900, 0.0f, {1, 1, 1}}};
    CHECK(classifyBricks(st.bricks, bakeTf(air, st.minHU, st.maxHU, 1024, 1.0f), st.minHU, st.maxHU) ==
          std::vector<std::uint8_t>{1, 1, 1});
    CHECK(bricksReaching(st.bricks, 400) == std::vector<std::uint8_t>{1, 1, 0});

    // Distances to the nearest visible brick (chessboard metric) against a brute-force count, on an
    // odd-shaped grid with a few visible bricks; none visible: the cap everywhere.
    const glm::ivec3 count(7, 5, 4);
    std::vector<std::uint8_t> visible(std::size_t(count.x * count.y * count.z), 0);
    auto at = [&](int i, int j, int k) { return std::size_t((k * count.y + j) * count.x + i); };
    visible[at(0, 0, 0)] = visible[at(5, 3, 2)] = visible[at(6, 0, 3)] = 1;
    const std::vector<std::uint8_t> dist = brickDistances(visible, count);
    int wrong = 0;
    for (int k = 0; k < count.z; ++k)
        for (int j = 0; j < count.y; ++j)
            for (int i = 0; i < count.x; ++i) {
                int best = 255;
                for (glm::ivec3 v3 : {glm::ivec3(0, 0, 0), glm::ivec3(5, 3, 2), glm::ivec3(6, 0, 3)})
                    best = std::min(best,
                                    std::max({std::abs(i - v3.x), std::abs(j - v3.y), std::abs(k - v3.z)}));
                wrong += dist[at(i, j, k)] != best;
            }
    CHECK(wrong == 0);
    CHECK(dist[at(3, 4, 0)] ==
          2); // nearest (0, 0, 0) and (5, 3, 2): max(3, 4, 0) = 4 and max(2, 1, 2) = 2 -> 2
    CHECK(brickDistances(std::vector<std::uint8_t>(visible.size(), 0), count) ==
          std::vector<std::uint8_t>(visible.size(), 255));
    // And on random grids against the same brute-force count.
    std::mt19937 seeds(11);
    for (int round = 0; round < 4; ++round) {
        const glm::ivec3 c(13 + round, 11, 9 - round);
        std::vector<std::uint8_t> vis(std::size_t(c.x * c.y * c.z), 0);
        std::vector<glm::ivec3> on;
        for (int k = 0; k < c.z; ++k)
            for (int j = 0; j < c.y; ++j)
                for (int i = 0; i < c.x; ++i)
                    if (seeds() % 40 == 0) {
                        vis[std::size_t((k * c.y + j) * c.x + i)] = 1;
                        on.emplace_back(i, j, k);
                    }
        const std::vector<std::uint8_t> got = brickDistances(vis, c);
        int mismatches = 0;
        for (int k = 0; k < c.z; ++k)
            for (int j = 0; j < c.y; ++j)
                for (int i = 0; i < c.x; ++i) {
                    int best = 255;
                    for (glm::ivec3 v3 : on)
                        best = std::min(
                            best, std::max({std::abs(i - v3.x), std::abs(j - v3.y), std::abs(k - v3.z)}));
                    mismatches += got[std::size_t((k * c.y + j) * c.x + i)] != best;
                }
        CHECK(mismatches == 0);
    }

    // Coarser bricks from finer ones are what the voxels give, on a volume whose sides are no multiple of
    // either.
    Geometry odd;
    odd.dims = {37, 29, 21};
    Volume w(odd, ScalarType::Int16, SharedBuffer::Sharing::Private);
    std::mt19937 rng(3);
    for (int k = 0; k < odd.dims.z; ++k)
        for (int j = 0; j < odd.dims.y; ++j)
            for (int i = 0; i < odd.dims.x; ++i)
                w.set(i, j, k, float(int(rng() % 4000) - 1000));
    const BrickGrid fromVoxels = computeVolumeStats(w, 64, 16).bricks;
    const BrickGrid coarse = coarsenBricks(computeVolumeStats(w, 64, 8).bricks, 2);
    CHECK(coarse.size == 16);
    CHECK(coarse.count == fromVoxels.count);
    CHECK(coarse.min == fromVoxels.min);
    CHECK(coarse.max == fromVoxels.max);

    const Volume half = downsampleVolume(v, 2);
    CHECK(half.geometry().dims == glm::ivec3(10, 4, 4));
    CHECK(half.geometry().spacing == glm::dvec3(2.0));
    CHECK(half.geometry().voxelToPatient(glm::dvec3(0.0)) == glm::dvec3(0.5));
    CHECK(half.at(4, 1, 1) == std::round((500.0f - 7000.0f) / 8.0f));

    // The int16 path (rows read in memory order) is the general one's mean, rounded, at every voxel: odd
    // sizes leave partial blocks at the ends.
    Volume wf(odd, ScalarType::Float32, SharedBuffer::Sharing::Private);
    for (int k = 0; k < odd.dims.z; ++k)
        for (int j = 0; j < odd.dims.y; ++j)
            for (int i = 0; i < odd.dims.x; ++i)
                wf.set(i, j, k, w.at(i, j, k));
    for (int factor : {2, 4}) {
        const Volume a = downsampleVolume(w, factor), b = downsampleVolume(wf, factor);
        REQUIRE(a.geometry().dims == b.geometry().dims);
        const glm::ivec3 d = a.geometry().dims;
        int differing = 0;
        for (int k = 0; k < d.z; ++k)
            for (int j = 0; j < d.y; ++j)
                for (int i = 0; i < d.x; ++i)
                    differing += a.at(i, j, k) != std::round(b.at(i, j, k));
        CHECK(differing == 0);
    }
}

TEST_CASE("bricks: the outside of the body is marked per slice, the lungs inside it are not (issue 14.6)") {
    Geometry g;
    g.dims = {48, 48, 12};
    g.spacing = {0.7, 0.7, 3.0};
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    // Air around a body (a square of 40 HU from 8 to 39) with a lung (-850) inside it, and a table (100 HU)
    // below the body, apart from it.
    for (int k = 0; k < 12; ++k)
        for (int j = 0; j < 48; ++j)
            for (int i = 0; i < 48; ++i) {
                float hu = -1000;
                if (i >= 8 && i < 40 && j >= 8 && j < 40)
                    hu = (i >= 16 && i < 32 && j >= 16 && j < 32) ? -850 : 40;
                if (j >= 44 && j < 46)
                    hu = 100;
                v.set(i, j, k, hu);
            }
    const BrickGrid b = computeVolumeStats(v, 64, 8).bricks;
    CHECK(b.count == glm::ivec3(6, 6, 2));
    REQUIRE(b.exterior.size() == b.min.size());
    CHECK(b.exterior[b.index(0, 0, 0)] == 1); // air at the corner
    CHECK(b.exterior[b.index(2, 2, 0)] == 0); // the lung (i, j 16..23), inside the body: not outside
    CHECK(b.exterior[b.index(3, 3, 1)] == 0);
    CHECK(b.exterior[b.index(1, 1, 0)] == 1); // the body's edge (8..15) touches the air through the ring
    CHECK(b.exterior[b.index(2, 5, 1)] == 1); // the table, apart from the body, is outside
}

TEST_CASE("the HU <-> texel encoding: int16 HU through R16 and back exactly, float HU unchanged") {
    const gl::HuTexel r16 = gl::HuTexel::of(ScalarType::Int16), r32 = gl::HuTexel::of(ScalarType::Float32);
    for (int hu : {-32768, -1024, -1, 0, 1, 3071, 32767}) {
        const std::uint16_t t = gl::HuTexel::encode(std::int16_t(hu));
        CHECK(int(t) == hu + 32768);
        const float texel = float(t) / 65535.0f; // what GL_R16 reads as
        CHECK(r16.hu(texel) == Approx(hu).margin(0.01));
        CHECK(r16.texel(float(hu)) == Approx(texel).margin(1e-7));
    }
    CHECK(r32.hu(-1234.5f) == -1234.5f);
    CHECK(r32.texel(-1234.5f) == -1234.5f);
}

// Issue 32.17: at zoom 1 the volume filled 55-60 % of the 3D view's height (its bounding sphere was fitted).
// Now its box fills the view's limiting side to within the 5 % margin, from the front and from every standard
// view, in the window, S's saves and turntables alike (one camera).
TEST_CASE("camera: the reset camera frames the volume's box, filling the view with a small margin") {
    Geometry g; // make-phantom's: 360 x 360 x 402.6 mm
    g.dims = {256, 256, 160};
    g.spacing = {1.40625, 1.40625, 2.516};
    g.origin = {-179.3, -179.3, -200};
    for (const Rect rect : {Rect{0, 0, 400, 400}, Rect{0, 0, 640, 400}, Rect{0, 0, 300, 500}})
        for (ViewFrom from : {ViewFrom::Anterior, ViewFrom::Left, ViewFrom::Superior})
            for (bool perspective : {false, true}) {
                Camera3D c = defaultCamera3D();
                c.rotation = viewFromRotation(from);
                c.perspective = perspective;
                const CameraMatrices m = cameraMatrices(c, g, {rect.w, rect.h});
                glm::dvec2 lo(1e9), hi(-1e9);
                for (int corner = 0; corner < 8; ++corner) {
                    glm::dvec3 ijk;
                    for (int a = 0; a < 3; ++a)
                        ijk[a] = (corner >> a & 1) ? g.dims[a] - 0.5 : -0.5;
                    glm::dvec2 p;
                    REQUIRE(projectToScreen(m, rect, g.voxelToPatient(ijk), p));
                    lo = glm::min(lo, p);
                    hi = glm::max(hi, p);
                }
                INFO("view " << rect.w << "x" << rect.h << " from " << int(from) << " perspective "
                             << perspective);
                // Inside the view, and filling its limiting side (perspective: the near face is larger).
                CHECK(lo.x >= rect.x - 0.5);
                CHECK(lo.y >= rect.y - 0.5);
                CHECK(hi.x <= rect.x + rect.w + 0.5);
                CHECK(hi.y <= rect.y + rect.h + 0.5);
                // Its largest side (S-I, 402 mm) fills the view's shorter side to the margin when it is on
                // screen and the view is not taller than wide; anything else at least 80 %.
                const double fill = std::max((hi.x - lo.x) / rect.w, (hi.y - lo.y) / rect.h);
                const bool largestShown = from != ViewFrom::Superior && rect.w >= rect.h;
                CHECK(fill >= (largestShown ? (perspective ? 0.85 : 0.9) : 0.8));
            }
}

TEST_CASE("camera: standard views, arcball there and back, projection of the centre") {
    Geometry g;
    g.dims = {100, 80, 60};
    g.spacing = {0.5, 0.5, 2.0};
    g.origin = {-20, 10, 300};
    const Rect rect{0, 0, 400, 300};
    auto screenOf = [&](const Camera3D& c, glm::dvec3 lps) {
        glm::dvec2 p;
        REQUIRE(projectToScreen(cameraMatrices(c, g, {rect.w, rect.h}), rect, lps, p));
        return p;
    };
    Camera3D c = defaultCamera3D();
    const glm::dvec3 centre = volumeCentre(g);
    CHECK(glm::length(screenOf(c, centre) - glm::dvec2(200, 150)) < 1e-6);
    // From the front: the patient's left (+x) on the right of the screen, the head (+z) up.
    CHECK(screenOf(c, centre + glm::dvec3(10, 0, 0)).x > 200);
    CHECK(screenOf(c, centre + glm::dvec3(0, 0, 10)).y < 150);
    c.rotation = viewFromRotation(ViewFrom::Inferior); // as axial slices: left on the right, anterior up
    CHECK(screenOf(c, centre + glm::dvec3(10, 0, 0)).x > 200);
    CHECK(screenOf(c, centre + glm::dvec3(0, -10, 0)).y < 150);
    c.rotation = viewFromRotation(ViewFrom::Left); // anterior on the left
    CHECK(screenOf(c, centre + glm::dvec3(0, -10, 0)).x < 200);
    CHECK(glm::length(glm::dvec4(orbitRotation(90, 0).w, orbitRotation(90, 0).x, orbitRotation(90, 0).y,
                                 orbitRotation(90, 0).z)) == Approx(1.0));
    const glm::dquat left = viewFromRotation(ViewFrom::Left), orbit = orbitRotation(90, 0);
    CHECK(std::abs(glm::dot(left, orbit)) == Approx(1.0));

    // Dragging right turns the front to the right: a point in front of the centre moves right.
    Camera3D a = defaultCamera3D();
    const glm::dvec3 front = centre + glm::dvec3(0, -30, 0);
    const double before = screenOf(a, front).x;
    arcballRotate(a, {200, 150}, {240, 150}, rect);
    CHECK(screenOf(a, front).x > before + 5);
    arcballRotate(a, {240, 150}, {200, 150}, rect);
    CHECK(std::abs(glm::dot(a.rotation, defaultCamera3D().rotation)) == Approx(1.0).epsilon(1e-9));
    // Pan by pixels moves the picture by as many pixels.
    Camera3D p = defaultCamera3D();
    panCamera(p, {30, -20}, g, rect);
    const glm::dvec2 moved = screenOf(p, centre);
    CHECK(moved.x == Approx(230));
    CHECK(moved.y == Approx(130));
}

TEST_CASE(
    "3D: a MIP (MinIP) along a voxel axis is the CPU maximum (minimum) along that axis, pixel for pixel") {
    REQUIRE(haveDisplay());
    // Each column holds noise between its trough and its peak, with the peak and the trough each on three
    // slices in a row, so that samples between slices still reach them. Through the window 256/128 the values
    // 0..255 come out as grey levels 0..255 exactly; the narrow window 100/140 clamps both ends (what the
    // renderer skips by: everything below a MIP's window shows alike, and a ray past its top is done).
    Geometry g;
    g.dims = {48, 40, 30};
    g.spacing = {0.8, 0.8, 1.5};
    g.origin = {-10, -20, 30};
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    std::mt19937 rng(7);
    std::vector<int> peaks(std::size_t(g.dims.x * g.dims.y)), troughs(peaks.size());
    for (int j = 0; j < g.dims.y; ++j)
        for (int i = 0; i < g.dims.x; ++i) {
            const int trough = int(rng() % 100), peak = trough + 20 + int(rng() % 130);
            const int at = int(rng() % std::uint32_t(g.dims.z - 9)) + 1, low = at + 4 + int(rng() % 3);
            for (int k = 0; k < g.dims.z; ++k)
                v.set(i, j, k, float(trough + 1 + int(rng() % std::uint32_t(peak - trough - 1))));
            for (int k = at; k < at + 3; ++k)
                v.set(i, j, k, float(peak));
            for (int k = low; k < low + 3; ++k)
                v.set(i, j, k, float(trough));
            peaks[std::size_t(j * g.dims.x + i)] = peak;
            troughs[std::size_t(j * g.dims.x + i)] = trough;
        }
    viewer::AppState s = stateFor(std::move(v));
    viewer::applyPreset(s, *findBuiltinPreset("mip"));
    // Looking along +k (from the feet): columns left to right are i, rows top to bottom are j. The image
    // covers the box exactly, one pixel per voxel, so that every ray runs through a column of voxel centres.
    s.view3d.camera.rotation = viewFromRotation(ViewFrom::Inferior);
    s.view3d.camera.zoom = volumeFrameHalfSize(g) / (0.5 * g.dims.y * g.spacing.y);
    for (RenderMode mode : {RenderMode::Mip, RenderMode::MinIp})
        for (WindowLevel window : {WindowLevel{256, 128}, WindowLevel{100, 140}})
            for (bool skipping : {true, false}) {
                s.view3d.preset.mode = mode;
                s.view3d.preset.window = window;
                s.view3d.skipping = skipping;
                const RgbImage img = app::renderHeadless(s, {g.dims.x, g.dims.y}, false);
                REQUIRE(img.width == g.dims.x);
                int mismatches = 0;
                for (int j = 0; j < g.dims.y; ++j)
                    for (int i = 0; i < g.dims.x; ++i) {
                        const std::size_t n = std::size_t(j * g.dims.x + i);
                        const int value = mode == RenderMode::Mip ? peaks[n] : troughs[n];
                        const int expected = int(std::floor(window.apply(value) * 255.0 + 0.5));
                        const std::uint8_t* px = &img.rgb[n * 3];
                        if (px[0] != expected || px[1] != px[0])
                            ++mismatches;
                    }
                INFO((mode == RenderMode::Mip ? "MIP" : "MinIP")
                     << ", window " << window.width << "/" << window.center << ", skipping " << skipping);
                CHECK(mismatches == 0);
            }
}

TEST_CASE("3D: gradient opacity measures the HU gradient in HU per mm") {
    REQUIRE(haveDisplay());
    // A ramp of 50 HU/mm along x (spacing 0.5 mm: 25 HU per voxel) under a constant, everywhere visible
    // transfer function. Gradient opacity opaque from 45 HU/mm shows it; transparent below 55 HU/mm hides it.
    Geometry g;
    g.dims = {40, 24, 20};
    g.spacing = {0.5, 0.8, 1.2};
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                v.set(i, j, k, float(-500 + 25 * i));
    viewer::AppState s = stateFor(std::move(v));
    viewer::applyPreset(s, *findBuiltinPreset("ct-bone"));
    s.view3d.preset.points = {{-2000, 0.3f, {1, 1, 1}}, {4000, 0.3f, {1, 1, 1}}};
    s.view3d.preset.shading.enabled = false;
    s.view3d.preset.gradientOpacityOn = true;
    s.view3d.camera.rotation = viewFromRotation(ViewFrom::Anterior);
    auto meanOf = [&](glm::vec2 ramp) {
        s.view3d.preset.gradientOpacity = ramp;
        const RgbImage img = app::renderHeadless(s, {64, 48}, false);
        double sum = 0;
        for (std::uint8_t p : img.rgb)
            sum += p;
        return sum / double(img.rgb.size());
    };
    const double shown = meanOf({30, 45}), hidden = meanOf({55, 70}), background = meanOf({5000, 6000});
    INFO("shown " << shown << ", hidden " << hidden << ", background " << background);
    CHECK(shown > background + 40);
    CHECK(std::abs(hidden - background) < 0.5);
}

TEST_CASE("3D: empty-space skipping and early termination leave the picture as it was") {
    REQUIRE(haveDisplay());
    ScanResult scan;
    DecodedStack series = loadFolder(glPhantom(), scan);
    viewer::AppState s = stateFor(std::move(series.volume));
    s.view3d.camera.rotation = orbitRotation(30, 20);
    for (RenderMode mode :
         {RenderMode::Composite, RenderMode::Mip, RenderMode::MinIp, RenderMode::Isosurface}) {
        s.view3d.preset.mode = mode;
        s.view3d.preset.window = {1200, 400};
        s.view3d.skipping = true;
        const RgbImage fast = app::renderHeadless(s, {160, 120}, false);
        s.view3d.skipping = false;
        const RgbImage slow = app::renderHeadless(s, {160, 120}, false);
        REQUIRE(fast.rgb.size() == slow.rgb.size());
        int differ = 0;
        for (std::size_t n = 0; n < fast.rgb.size(); ++n)
            differ += std::abs(int(fast.rgb[n]) - int(slow.rgb[n])) > 2;
        INFO("mode " << modeName(mode));
        CHECK(differ == 0);
        if (mode != RenderMode::MinIp)
            CHECK(litChannels(fast) > 1000); // the bones are there
    }
}

TEST_CASE("3D: the CT lung preset shows the lung vessels and the airway, not the skin or the body wall "
          "(issue 14.6)") {
    REQUIRE(haveDisplay());
    // A chest of 1 mm voxels (i to L, j to P, k to S): a body of muscle (40 HU) under 4 mm of fat (-100 HU)
    // in air, two lungs (-850 HU) that do not reach the top or bottom, a vessel (40 HU, radius 2.5 mm) down
    // the middle of each, and a trachea (air, radius 4 mm) in the mediastinum above the lungs' middle.
    Geometry g;
    g.dims = {96, 72, 48};
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    auto inEllipse = [](double x, double y, double cx, double cy, double a, double b) {
        return (x - cx) * (x - cx) / (a * a) + (y - cy) * (y - cy) / (b * b) <= 1.0;
    };
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const double x = i, y = j;
                float hu = -1000;
                if (inEllipse(x, y, 48, 36, 40, 28))
                    hu = inEllipse(x, y, 48, 36, 36, 24) ? 40.0f : -100.0f;
                const bool lungs = k >= 6 && k <= 42;
                if (lungs && (inEllipse(x, y, 30, 38, 11, 16) || inEllipse(x, y, 66, 38, 11, 16)))
                    hu = -850;
                if (lungs && (inEllipse(x, y, 30, 40, 2.5, 2.5) || inEllipse(x, y, 66, 40, 2.5, 2.5)))
                    hu = 40;
                if (k >= 20 && inEllipse(x, y, 48, 30, 4, 4))
                    hu = -1000;
                v.set(i, j, k, hu);
            }
    // A scanner's blur: boundaries a couple of voxels wide, as reconstructed CT has them (a hard edge between
    // voxels would leave each surface a sliver thinner than a ray step).
    for (int axis = 0; axis < 3; ++axis)
        for (int pass = 0; pass < 2; ++pass) {
            Volume b(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
            for (int k = 0; k < g.dims.z; ++k)
                for (int j = 0; j < g.dims.y; ++j)
                    for (int i = 0; i < g.dims.x; ++i) {
                        glm::ivec3 c(i, j, k), lo = c, hi = c;
                        lo[axis] = std::max(0, c[axis] - 1);
                        hi[axis] = std::min(g.dims[axis] - 1, c[axis] + 1);
                        b.set(i, j, k,
                              std::round(
                                  (v.at(lo.x, lo.y, lo.z) + 2 * v.at(i, j, k) + v.at(hi.x, hi.y, hi.z)) / 4));
                    }
            v = std::move(b);
        }
    viewer::AppState s = stateFor(std::move(v));
    viewer::applyPreset(s, *findBuiltinPreset("ct-lung"));
    s.view3d.camera.rotation = viewFromRotation(ViewFrom::Anterior);
    const Geometry& lungGrid = s.scene.base->series.volume.geometry();
    s.view3d.camera.zoom = 1.6 * volumeFrameHalfSize(lungGrid) / volumeRadius(lungGrid); // the chest close up
    const glm::ivec2 size(192, 144);
    const CameraMatrices cm =
        cameraMatrices(s.view3d.camera, s.scene.base->series.volume.geometry(), glm::dvec2(size));
    // The pixel the ray through patient point (x, z) seen from the front passes through; its grey level.
    auto at = [&](const RgbImage& img, double x, double z) {
        glm::dvec2 p;
        REQUIRE(projectToScreen(cm, Rect{0, 0, float(size.x), float(size.y)}, {x, 36, z}, p));
        const std::size_t n = (std::size_t(p.y) * std::size_t(img.width) + std::size_t(p.x)) * 3;
        return (int(img.rgb[n]) + int(img.rgb[n + 1]) + int(img.rgb[n + 2])) / 3;
    };
    for (bool skipping : {true, false}) {
        INFO("skipping " << skipping);
        s.view3d.skipping = skipping;
        s.view3d.preset.hideOutsideBody = true;
        const RgbImage img = app::renderHeadless(s, size, false);
        const int background = (int(img.rgb[0]) + int(img.rgb[1]) + int(img.rgb[2])) / 3;
        const int wall = at(img, 12, 24), lung = at(img, 24, 24), vessel = at(img, 30, 24),
                  airway = at(img, 48, 32);
        INFO("background " << background << ", body wall " << wall << ", lung " << lung << ", vessel "
                           << vessel << ", trachea " << airway);
        CHECK(std::abs(wall - background) <= 2); // through body wall only: nothing shows, not even the skin
        CHECK(vessel > lung + 25);               // the vessel stands out of the lung around it
        CHECK(airway > background + 25);         // the trachea's wall shows
        // Without leaving out the outside of the body, the skin's shell covers that body-wall pixel.
        s.view3d.preset.hideOutsideBody = false;
        const RgbImage skin = app::renderHeadless(s, size, false);
        CHECK(at(skin, 12, 24) > background + 10);
    }
}

TEST_CASE("3D: a volume over the GPU's limit is shown downsampled, and the view says so") {
    REQUIRE(haveDisplay());
    ScanResult scan;
    DecodedStack series = loadFolder(glPhantom(), scan);
    viewer::AppState s = stateFor(std::move(series.volume));
    app::RendererSync sync;
    sync.maxBytes3d = 64 * 64 * 40 * 2 / 4; // a quarter of the volume: a 2x downsampled copy fits
    ui::RenderFeedback feedback;
    const RgbImage img = app::renderHeadless(s, {160, 120}, false, sync, &feedback);
    CHECK(feedback.note3d.find("downsampled 2x (32x32x20)") != std::string::npos);
    CHECK(litChannels(img) > 500);

    // A software renderer's budget (issue 32.2: llvmpipe keeps textures in the process's memory, a second
    // copy of the volume): a volume over it is shown plane by plane, identically, and in 3D downsampled.
    app::RendererSync budget;
    budget.planesAbove = budget.maxBytes3d = s.scene.base->series.volume.bytes() / 4;
    for (int view = 0; view < 3; ++view) {
        s.maximised = view;
        const RgbImage whole = app::renderHeadless(s, {150, 130}, false);
        INFO("view " << view);
        CHECK(app::renderHeadless(s, {150, 130}, false, budget).rgb == whole.rgb);
    }
    s.maximised = 3;
    ui::RenderFeedback underBudget;
    CHECK(litChannels(app::renderHeadless(s, {160, 120}, false, budget, &underBudget)) > 500);
    CHECK(underBudget.note3d.find(
              "downsampled 2x (32x32x20): the volume is over the 3D view's memory budget") !=
          std::string::npos);

    // The copy made ahead by the load task (with its statistics) draws the same picture, and is dropped once
    // it is on the GPU.
    const RgbImage byRenderer = app::renderHeadless(s, {160, 120}, false, budget);
    auto copy = std::make_shared<const Volume>(downsampleVolume(s.scene.base->series.volume, 2));
    s.scene.base->stats = std::make_shared<const VolumeStats>(computeVolumeStats(*copy));
    s.scene.base->copy3d = copy;
    const std::weak_ptr<const Volume> watch = copy;
    copy.reset();
    ui::RenderFeedback ahead;
    CHECK(app::renderHeadless(s, {160, 120}, false, budget, &ahead).rgb == byRenderer.rgb);
    CHECK(ahead.note3d == underBudget.note3d);
    CHECK(watch.expired());
}

TEST_CASE("render: golden images for each mode, shading on and off, a crop, presets") {
    REQUIRE(haveDisplay());
    TempDir out;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"render_bone", "--azimuth 30 --elevation 20"},
        {"render_bone_unshaded", "--azimuth 30 --elevation 20 --no-shading"},
        {"render_mip", "--preset mip --view anterior"},
        {"render_minip_crop", "--mode minip --crop 0.2,0.8,0.2,0.8,0.3,0.7 --view left"},
        {"render_xray", "--preset xray --view left"},
        {"render_iso", "--mode iso --iso 200 --azimuth -40 --elevation 10"},
        {"render_skin_crop_perspective", "--preset ct-skin --crop 0,1,0.5,1,0,1 --perspective --azimuth 20"},
        {"render_angio_viridis", "--preset ct-angio --colormap viridis --zoom 1.5"},
    };
    for (const auto& [name, args] : cases) {
        const auto png = out.path / (name + ".png");
        const Run r = run("render " + q(glPhantom()) + " " + args + " --size 240x180 -q -o " + q(png));
        INFO(name << ": " << r.out);
        REQUIRE(r.code == 0);
        compareGolden(png, name);
    }
}

TEST_CASE("render: a preset saved to a file renders exactly as the bundled one, overlays, bad arguments") {
    REQUIRE(haveDisplay());
    TempDir out;
    savePresetFile(*findBuiltinPreset("ct-bone"), out.path / "copy.json");
    const std::string base = "render " + q(glPhantom()) + " --size 120x90 -q ";
    REQUIRE(run(base + "-o " + q(out.path / "a.png")).code == 0);
    REQUIRE(run(base + "--preset " + q(out.path / "copy.json") + " -o " + q(out.path / "b.png")).code == 0);
    CHECK(readFile(out.path / "a.png") == readFile(out.path / "b.png"));
    // Never overwrites: a second render gets a new name.
    const Run again = run(base + "-o " + q(out.path / "a.png"));
    CHECK(again.code == 0);
    CHECK(again.out.find("a-1.png") != std::string::npos);
    REQUIRE(run(base + "--overlays -o " + q(out.path / "c.png")).code == 0);
    CHECK(readFile(out.path / "a.png") != readFile(out.path / "c.png"));

    for (const char* bad : {"--mode holo", "--preset nothing", "--size 10x10", "--crop 0,1,0,1",
                            "--crop 0.5,0.2,0,1,0,1", "--elevation 100", "--colormap rainbow", "--zoom 0"}) {
        const Run r = run(base + bad + " -o " + q(out.path / "x.png"));
        INFO(bad << ": " << r.out);
        CHECK(r.code == 2);
        CHECK(r.out.find("--help") != std::string::npos);
    }
    std::ofstream(out.path / "broken.json") << "{";
    const Run broken = run(base + "--preset " + q(out.path / "broken.json") + " -o " + q(out.path / "x.png"));
    CHECK(broken.code == 1);
    CHECK(broken.out.find("broken.json") != std::string::npos);
    CHECK(!std::filesystem::exists(out.path / "x.png"));
}

TEST_CASE("render: a preset saved in the window is found by its name or its title, as the window lists it "
          "(issue 14.7)") {
    REQUIRE(haveDisplay());
    TempDir config, out;
    RenderPreset mine = *findBuiltinPreset("ct-skin");
    mine.title = "UX skin";
    mine.name = presetFileStem(mine.title);
    std::filesystem::create_directories(config.path / "ctview" / "presets");
    savePresetFile(mine, config.path / "ctview" / "presets" / (mine.name + ".json"));
    const std::string env = "XDG_CONFIG_HOME=" + q(config.path) + " ";
    const std::string base = "render " + q(glPhantom()) + " --size 120x90 -q ";
    REQUIRE(
        shell(env + CTVIEW_BINARY + " " + base + "--preset ct-skin -o " + q(out.path / "bundled.png")).code ==
        0);
    for (const std::string& name : {mine.name, std::string("'UX skin'"), std::string("ux-skin")}) {
        const Run r = shell(env + CTVIEW_BINARY + " " + base + "--preset " + name + " -o " +
                            q(out.path / "mine.png") + " --force");
        INFO(name << ": " << r.out);
        REQUIRE(r.code == 0);
        CHECK(readFile(out.path / "mine.png") == readFile(out.path / "bundled.png"));
    }
    // Not found anywhere: the usage error names the user's presets too.
    const Run none = shell(env + CTVIEW_BINARY + " " + base + "--preset nothing -o " + q(out.path / "x.png"));
    CHECK(none.code == 2);
    CHECK(none.out.find("ux-skin") != std::string::npos);
}

TEST_CASE("viewer: S over the 3D view saves the picture `ctview render` makes at that size (issue 14.3)") {
    REQUIRE(haveDisplay());
    TempDir out;
    ScanResult scan;
    DecodedStack series = loadFolder(glPhantom(), scan);
    viewer::AppState s = stateFor(std::move(series.volume));
    s.maximised = -1; // the 2x2 grid: the 3D cell is the bottom right quarter
    s.exportDir = out.path;
    viewer::layoutCells(s, Rect{0, 0, 1300, 1026});
    std::vector<std::filesystem::path> saved;
    {
        GLFWwindow* window = app::createGlWindow(64, 64, "test", false);
        {
            app::Renderers renderers;
            app::RendererSync sync;
            saved = app::saveRender(s, renderers, sync, 1.0f, 0.0);
        }
        app::destroyGlWindow(window);
    }
    REQUIRE(saved.size() == 2);
    CHECK(saved[0].extension() == ".png");
    CHECK(saved[1].extension() == ".jpg");
    CHECK(std::filesystem::exists(saved[1]));
    CHECK(s.toasts.back().text.find("3D view") != std::string::npos);
    // The cell is 649x512: saved at that size, the same pixels as the command line's render.
    const Run r = run("render -q " + q(glPhantom()) + " --size 649x512 -o " + q(out.path / "cli.png"));
    REQUIRE(r.code == 0);
    CHECK(readFile(saved[0]) == readFile(out.path / "cli.png"));
}

TEST_CASE("render modes: one table, the docs' list, the CLI and the preset files follow it (issue 13)") {
    std::ifstream in(std::filesystem::path(CTVIEW_GOLDEN_DIR).parent_path().parent_path() / "docs" / "user" /
                     "3d-view.md");
    REQUIRE(in);
    const std::string readme((std::istreambuf_iterator<char>(in)), {});
    std::string table = "  | `--mode` | in the 3D panel | uses | skips | body |\n  |---|---|---|---|---|\n";
    // The skeleton knows no mode: each mode's behaviour is in its body file, which defines march().
    const std::string skeleton = gl::shaderSource("raymarch.frag");
    CHECK(skeleton.find("MODE_") == std::string::npos);
    CHECK(skeleton.find("#include RAY_BODY") != std::string::npos);
    for (const RenderModeInfo& m : renderModes()) {
        std::vector<std::string> uses;
        if (m.transferFunction)
            uses.push_back("transfer function");
        if (m.isovalue)
            uses.push_back("threshold");
        if (m.projection)
            uses.push_back("window and colour map");
        if (m.shading)
            uses.push_back("shading");
        std::string u;
        for (const std::string& x : uses)
            u += (u.empty() ? "" : ", ") + x;
        using Skip = RenderModeInfo::Skip;
        const char* skip = m.skip == Skip::TransferFunction ? "bricks the transfer function hides"
                           : m.skip == Skip::Extremes       ? "bricks that cannot change the ray's extreme"
                           : m.skip == Skip::Threshold      ? "bricks below the threshold"
                                                            : "none";
        table += std::string("  | `") + m.name + "` | " + m.label + " | " + u + " | " + skip +
                 " | `shaders/" + m.body + "` |\n";
        CHECK(gl::shaderSource(m.body).find("vec4 march(Ray r, inout int budget)") != std::string::npos);
        // Every name parses back, and the preset files and --mode know it.
        CHECK(parseMode(m.name) == m.mode);
        CHECK(modeInfo(m.mode).name == std::string(m.name));
        RenderPreset p = defaultRenderPreset();
        p.mode = m.mode;
        CHECK(presetFromJson(presetToJson(p), "x").mode == m.mode);
        CHECK(modeNameList().find(m.name) != std::string::npos);
    }
    CHECK(readme.find(table) != std::string::npos);
    CHECK_FALSE(parseMode("holo"));
}

TEST_CASE("shaders: a raymarcher that no longer compiles keeps the last good programs and names file:line") {
    REQUIRE(haveDisplay());
    const std::filesystem::path source =
        std::filesystem::path(CTVIEW_GOLDEN_DIR).parent_path().parent_path() / "shaders";
    TempDir dir;
    for (const auto& e : std::filesystem::directory_iterator(source))
        std::filesystem::copy_file(e.path(), dir.path / e.path().filename());
    GLFWwindow* window = app::createGlWindow(64, 64, "test", false);
    {
        app::Renderers r;
        ScanResult scan;
        DecodedStack series = loadFolder(glPhantom(), scan);
        auto stats = std::make_shared<const VolumeStats>(computeVolumeStats(series.volume));
        r.slices.setVolume(series.volume);
        r.volume.setVolume(series.volume, stats, r.slices.volumeTexture(), r.slices.huTexel());
        gl::VolumeRenderSettings s;
        REQUIRE(r.volume.render(s, {64, 48}));
        const RgbImage good = r.volume.readImage();

        // Line 3 of the file on disk gets a syntax error.
        std::string text = readFile(dir.path / "raymarch.frag");
        std::size_t at = 0;
        for (int line = 1; line < 3; ++line)
            at = text.find('\n', at) + 1;
        text.insert(at, "this is not GLSL;\n");
        std::ofstream(dir.path / "raymarch.frag") << text;
        std::string slice = readFile(dir.path / "slice.frag");
        slice.replace(slice.find("void main() {"), 13, "void main() { undeclared_thing = 1;");
        std::ofstream(dir.path / "slice.frag") << slice;
        ::setenv("CTVIEW_SHADER_DIR", dir.path.c_str(), 1);
        const std::string error = r.reload();
        CHECK(error.find("raymarch.frag:3:") != std::string::npos);
        CHECK(error.find("slice.frag:") != std::string::npos); // the slice views keep theirs too
        {
            // A new renderer compiles nothing until prepare() (the viewer calls it once its first slice is
            // on screen), which reports the broken shader.
            gl::VolumeRenderer fresh;
            CHECK_THROWS_WITH(fresh.prepare(), Catch::Contains("raymarch.frag:3:"));
        }
        s.camera.zoom = 1.01; // a change, so that it renders again with the programs it kept
        REQUIRE(r.volume.render(s, {64, 48}));
        s.camera.zoom = 1.0;
        REQUIRE(r.volume.render(s, {64, 48}));
        CHECK(r.volume.readImage().rgb == good.rgb);
        // A mode not compiled before needs the file on disk: it fails with the same message, and nothing
        // breaks.
        s.preset.mode = RenderMode::MinIp;
        CHECK_THROWS_WITH(r.volume.render(s, {64, 48}), Catch::Contains("raymarch.frag:3:"));
        // An error in an included file is named there, not in the file that includes it (issue 13): the
        // shared voi.glsl (in both programs that include it) and a mode's body (taken through `#include
        // RAY_BODY`).
        std::ofstream(dir.path / "raymarch.frag") << readFile(source / "raymarch.frag");
        std::ofstream(dir.path / "slice.frag") << readFile(source / "slice.frag");
        for (const std::string file : {"voi.glsl", "raymarch_dvr.glsl"}) {
            std::string broken = readFile(source / file);
            broken.insert(broken.find('\n') + 1, "this is not GLSL either;\n");
            std::ofstream(dir.path / file) << broken;
            const std::string included = r.reload();
            CHECK(included.find(file + ":2:") != std::string::npos);
            CHECK(included.find("raymarch.frag:") == std::string::npos);
            std::ofstream(dir.path / file) << readFile(source / file);
        }
        // A uniform renamed in GLSL but still set from C++ is an error when the program is built, not a
        // silent location -1 at every frame.
        std::string renamed = readFile(source / "raymarch.frag");
        for (std::size_t j = renamed.find("uJitter"); j != std::string::npos;
             j = renamed.find("uJitter", j + 13))
            renamed.replace(j, 7, "uJitterAmount"); // renamed everywhere in GLSL: it compiles
        std::ofstream(dir.path / "raymarch.frag") << renamed;
        const std::string undeclared = r.reload();
        CHECK(undeclared.find("declare no uniform uJitter") != std::string::npos);
        ::unsetenv("CTVIEW_SHADER_DIR");
        CHECK(r.reload().empty());
        CHECK(r.slices.hasVolume());
        CHECK(r.volume.render(s, {64, 48}));
    }
    app::destroyGlWindow(window);
}

TEST_CASE("a volume over the GPU's 3D texture size: the slice views show it plane by plane, identical, 3D "
          "downsampled") {
    REQUIRE(haveDisplay());
    ScanResult scan;
    DecodedStack series = loadFolder(glPhantom(), scan); // 64 x 64 x 40
    viewer::AppState s = stateFor(std::move(series.volume));
    s.prefs.overlays = {false, false, false, false, false, false};
    for (bool linear : {false, true}) {
        s.linear = linear;
        for (int view = 0; view < 3; ++view) {
            s.maximised = view;
            viewer::setSlice(s, view, 17);
            const RgbImage whole = app::renderHeadless(s, {150, 130}, false);
            app::RendererSync planes;
            planes.max3dTexture = 32; // as if GL_MAX_3D_TEXTURE_SIZE were 32
            const RgbImage byPlane = app::renderHeadless(s, {150, 130}, false, planes);
            INFO("view " << view << " linear " << linear);
            CHECK(byPlane.rgb == whole.rgb);
        }
    }
    app::RendererSync planes;
    planes.max3dTexture = 32;
    s.maximised = 3;
    ui::RenderFeedback feedback;
    const RgbImage img = app::renderHeadless(s, {160, 120}, false, planes, &feedback);
    CHECK(feedback.note3d.find("downsampled 2x (32x32x20)") != std::string::npos);
    CHECK(litChannels(img) > 500);
}

// Issue 32.2: a load's preview is the loader's own buffer, not a copy; the slices not decoded yet are being
// written, so the views must not read them: they show air there, exactly as a volume whose slices are air.
TEST_CASE("a load's preview: the views read only the slices that have arrived, the rest is air") {
    REQUIRE(haveDisplay());
    ScanResult scan;
    DecodedStack series = loadFolder(glPhantom(), scan); // 64 x 64 x 40, int16
    const Geometry g = series.volume.geometry();
    Volume air(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    std::memcpy(air.data(), series.volume.data(), series.volume.bytes());
    for (int k = 0; k < 20; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                air.set(i, j, k, -1024);
    viewer::AppState want = stateFor(std::move(air));
    viewer::AppState preview = stateFor(std::move(series.volume)); // slices 0..19 hold voxels, not "arrived"
    preview.scene.base->preview = true;
    preview.scene.base->arrived.assign(std::size_t(g.dims.z), 0);
    for (int k = 20; k < g.dims.z; ++k)
        preview.scene.base->arrived[std::size_t(k)] = 1;
    for (viewer::AppState* s : {&want, &preview}) {
        s->window = {400, 40};
        s->cursor = {30, 33, 25};
    }
    for (int view = 0; view < 3; ++view) {
        want.maximised = preview.maximised = view;
        INFO("view " << view);
        const RgbImage a = app::renderHeadless(want, {150, 130}, false);
        CHECK(app::renderHeadless(preview, {150, 130}, false).rgb == a.rgb);
    }
}

TEST_CASE("a progressive upload: plane by plane at once, then the whole 3D texture, texel for texel") {
    REQUIRE(haveDisplay());
    GLFWwindow* window = app::createGlWindow(64, 64, "test", false);
    {
        ScanResult scan;
        DecodedStack series = loadFolder(glPhantom(), scan); // 64 x 64 x 40, int16
        const Volume& v = series.volume;
        gl::SliceRenderer r;
        r.setVolume(v, 0, gl::SliceRenderer::Upload::Progressive);
        CHECK(r.uploading());
        CHECK(r.planeMode()); // the views can draw at once
        CHECK(r.hasVolume());
        CHECK(r.volumeTexture() == 0);                                        // the 3D view must wait
        for (int calls = 0; r.continueUpload(0.0) && calls < 1000; ++calls) { // a slab (16 MiB) per call
        }
        CHECK_FALSE(r.uploading());
        CHECK_FALSE(r.planeMode());
        REQUIRE(r.volumeTexture() != 0);
        std::vector<std::uint16_t> texels(v.geometry().voxelCount());
        glBindTexture(GL_TEXTURE_3D, r.volumeTexture());
        glPixelStorei(GL_PACK_ALIGNMENT, 1);
        glGetTexImage(GL_TEXTURE_3D, 0, GL_RED, GL_UNSIGNED_SHORT, texels.data());
        std::size_t wrong = 0;
        for (std::size_t n = 0; n < texels.size(); ++n)
            wrong += texels[n] != gl::HuTexel::encode(v.int16Data()[n]);
        CHECK(wrong == 0);
    }
    app::destroyGlWindow(window);
}

TEST_CASE("3D: after mode and transfer-function changes the picture is what a fresh renderer makes") {
    REQUIRE(haveDisplay());
    GLFWwindow* window = app::createGlWindow(64, 64, "test", false);
    {
        ScanResult scan;
        DecodedStack series = loadFolder(glPhantom(), scan);
        auto stats = std::make_shared<const VolumeStats>(computeVolumeStats(series.volume));
        app::Renderers used, fresh;
        for (app::Renderers* r : {&used, &fresh}) {
            r->slices.setVolume(series.volume);
            r->volume.setVolume(series.volume, stats, r->slices.volumeTexture(), r->slices.huTexel());
        }
        gl::VolumeRenderSettings s;
        s.camera.rotation = orbitRotation(30, 20);
        s.preset = *findBuiltinPreset("ct-bone");
        REQUIRE(used.volume.render(s, {96, 72})); // bricks classified for bone
        s.preset = *findBuiltinPreset("xray");    // the average: no bricks
        REQUIRE(used.volume.render(s, {96, 72}));
        s.preset.mode = RenderMode::Composite; // composite again, with the X-ray preset's function
        REQUIRE(used.volume.render(s, {96, 72}));
        REQUIRE(fresh.volume.render(s, {96, 72}));
        CHECK(used.volume.readImage().rgb == fresh.volume.readImage().rgb);
    }
    app::destroyGlWindow(window);
}

TEST_CASE(
    "3D: the cut at the crosshair's slices follows turned views, unturned, it is the box's cut (issue 12)") {
    REQUIRE(haveDisplay());
    Geometry g;
    g.dims = {40, 36, 30};
    g.spacing = {1.0, 1.2, 1.5};
    g.origin = {-19.5, -21, -21.75}; // the box's centre at the origin of LPS
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                v.set(i, j, k, 1000);
    viewer::AppState s = stateFor(std::move(v));
    viewer::applyPreset(s, *findBuiltinPreset("mip"));
    s.view3d.preset.window = {2000, 0}; // 1000 HU white
    const glm::ivec2 size(160, 120);
    const Geometry& vg = s.scene.base->series.volume.geometry();
    s.cursor = {17, 20, 12};
    s.mpr.centre = vg.voxelToPatient(glm::dvec3(s.cursor));

    SECTION("unturned planes cut where the box does, each axis, each side") {
        s.view3d.camera.rotation = glm::angleAxis(glm::radians(35.0), glm::dvec3(0, 0, 1)) *
                                   glm::angleAxis(glm::radians(-25.0), glm::dvec3(1, 0, 0)) *
                                   viewFromRotation(ViewFrom::Anterior);
        for (int a = 0; a < 3; ++a)
            for (int mode : {1, 2}) {
                s.view3d.cutAtSlices = glm::ivec3(0);
                s.view3d.cutAtSlices[a] = mode;
                s.mpr.oblique = false;
                const RgbImage box = app::renderHeadless(s, size, false);
                s.mpr.oblique = true; // turned by nothing: the planes are the acquired ones
                REQUIRE(viewer::cutPlanes(s).size() == 1);
                const RgbImage planes = app::renderHeadless(s, size, false);
                s.mpr.oblique = false;
                s.view3d.cutAtSlices = glm::ivec3(0);
                const RgbImage whole = app::renderHeadless(s, size, false);
                INFO("axis " << a << " mode " << mode);
                int differ = 0, cut = 0;
                for (std::size_t n = 0; n < box.rgb.size(); n += 3) {
                    differ += (box.rgb[n] > 128) != (planes.rgb[n] > 128);
                    cut += (whole.rgb[n] > 128) != (box.rgb[n] > 128);
                }
                CHECK(cut > 500);    // the cut takes a visible part away
                CHECK(differ <= 20); // float rounding at the cut's edge
            }
    }
    SECTION("an axial cut turned 30 degrees about the A-P axis, seen from the front") {
        s.view3d.camera.rotation = viewFromRotation(ViewFrom::Anterior);
        // The coronal view's normal is A-P: turning about it tilts the axial (and sagittal) planes.
        REQUIRE(viewer::viewOf(s, Axis::Coronal) < 3);
        viewer::turnViews(s, viewer::viewOf(s, Axis::Coronal), glm::radians(30.0));
        REQUIRE(s.mpr.oblique);
        glm::dvec3 n = viewer::planeOf(s, viewer::viewOf(s, Axis::Axial)).normal;
        if (n.z < 0)
            n = -n; // towards +k (S): "keep after" keeps the head side
        REQUIRE(std::abs(n.y) < 1e-9);
        REQUIRE(std::abs(n.z) == Approx(std::cos(glm::radians(30.0))));
        for (int mode : {1, 2}) {
            s.view3d.cutAtSlices = {0, 0, mode};
            const RgbImage img = app::renderHeadless(s, size, false);
            // Each pixel's ray runs along A-P: it shows the box where its (x, z) lies on the kept side.
            const CameraMatrices cm = cameraMatrices(s.view3d.camera, vg, glm::dvec2(size));
            const glm::dmat4 toLps = glm::inverse(cm.projection * cm.view);
            const glm::dvec3 lo = vg.voxelToPatient(glm::dvec3(-0.5)),
                             hi = vg.voxelToPatient(glm::dvec3(vg.dims) - 0.5);
            int checked = 0, wrong = 0;
            for (int y = 0; y < size.y; ++y)
                for (int x = 0; x < size.x; ++x) {
                    const glm::dvec4 ndc((x + 0.5) / size.x * 2 - 1, 1 - (y + 0.5) / size.y * 2, -1, 1);
                    const glm::dvec4 h = toLps * ndc;
                    const glm::dvec3 p = glm::dvec3(h) / h.w;
                    const double side = glm::dot(n, p - s.mpr.centre) * (mode == 1 ? 1 : -1);
                    const double edge =
                        std::min({std::abs(p.x - lo.x), std::abs(p.x - hi.x), std::abs(p.z - lo.z),
                                  std::abs(p.z - hi.z), std::abs(side)});
                    if (edge < 2.5)
                        continue; // within a voxel or two of an edge: either way
                    const bool inside = p.x > lo.x && p.x < hi.x && p.z > lo.z && p.z < hi.z;
                    const bool lit = img.rgb[std::size_t(y * size.x + x) * 3] > 128;
                    ++checked;
                    wrong += lit != (inside && side > 0);
                }
            INFO("mode " << mode);
            CHECK(checked > 5000);
            CHECK(wrong == 0);
        }
    }
}

TEST_CASE(
    "3D quality: dragging is coarse, on release a slow full frame is preceded by every pixel at twice the "
    "step, then the full frame (issue 14.16)") {
    using ui::Quality3d;
    // The rule.
    CHECK(app::nextQuality3d(true, Quality3d::Full, 0) == Quality3d::Interactive);
    CHECK(app::nextQuality3d(true, Quality3d::Release, 1.0) == Quality3d::Interactive);
    CHECK(app::nextQuality3d(false, Quality3d::Interactive, 1.0) == Quality3d::Release);
    CHECK(app::nextQuality3d(false, Quality3d::Interactive, app::kReleaseBudgetSeconds) == Quality3d::Full);
    CHECK(app::nextQuality3d(false, Quality3d::Interactive, 0) == Quality3d::Full); // not measured yet
    CHECK(app::nextQuality3d(false, Quality3d::Release, 1.0) == Quality3d::Full);
    CHECK(app::nextQuality3d(false, Quality3d::Full, 1.0) == Quality3d::Full);

    // The frames the viewer draws, in a real GL context.
    REQUIRE(haveDisplay());
    ScanResult scan;
    DecodedStack series = loadFolder(glPhantom(), scan);
    viewer::AppState s = stateFor(std::move(series.volume));
    viewer::layoutCells(s, Rect{0, 0, 200, 300}); // the 3D view maximised: its cell is the whole area
    const Rect cell = s.cells[3];
    REQUIRE(cell.w > 0);
    const glm::ivec2 fb(200, 300);
    GLFWwindow* window = app::createGlWindow(64, 64, "test", false);
    {
        app::Renderers r, reference;
        app::RendererSync sync, referenceSync;
        app::syncRenderer(s, r, sync);
        app::syncRenderer(s, reference, referenceSync);
        auto render = [&](bool coarseStep, glm::ivec2 size) {
            REQUIRE(reference.volume.render(app::volumeSettingsOf(s, coarseStep), size, true));
            return reference.volume.readImage().rgb;
        };
        const glm::ivec2 full(int(cell.w), int(cell.h));
        // The first frame is full quality, and its time is measured.
        app::SceneStats f = app::drawScene(s, r, fb, 1.0f, 1.0, true);
        CHECK(f.rendered3d);
        CHECK(f.quality == Quality3d::Full);
        CHECK(r.feedback.fullSecondsPerPixel > 0);
        for (const bool slow : {true, false}) {
            CAPTURE(slow);
            // A full frame predicted at 1 s, or at 10 ms.
            r.feedback.fullSecondsPerPixel = (slow ? 1.0 : 0.01) / (double(full.x) * double(full.y));
            // Dragging: a fraction of the pixels at twice the step.
            s.view3d.camera.rotation = orbitRotation(slow ? 20 : 40, 10);
            s.view3d.interactUntil = 2.5;
            r.feedback.interactiveScale = 0.5f;
            f = app::drawScene(s, r, fb, 1.0f, 2.0, false);
            CHECK(f.rendered3d);
            CHECK(f.quality == Quality3d::Interactive);
            CHECK(r.volume.imageSize() == full / 2);
            CHECK(r.volume.readImage().rgb == render(true, full / 2));
            // Released.
            f = app::drawScene(s, r, fb, 1.0f, 3.0, false);
            CHECK(f.rendered3d);
            CHECK(r.volume.imageSize() == full);
            if (slow) {
                // Every pixel at twice the step.
                CHECK(f.quality == Quality3d::Release);
                const std::vector<std::uint8_t> release = render(true, full), sharp = render(false, full);
                CHECK(r.volume.readImage().rgb == release);
                // Then the full frame over it in passes, one a frame: 1 s predicted, passes of 60 ms, at most
                // one per band of rows (10 here). Pass i draws the bands (counted from the bottom) whose
                // number modulo 10 is i.
                const int band = gl::VolumeRenderer::kPassBandRows;
                const std::size_t rowBytes = std::size_t(full.x) * 3;
                const int passes = (full.y + band - 1) / band;
                REQUIRE(passes == 10);
                int frames = 0;
                double seconds = 0;
                do {
                    f = app::drawScene(s, r, fb, 1.0f, 3.1 + 0.01 * frames, true);
                    ++frames;
                    seconds += f.seconds3d;
                    CHECK(f.rendered3d);
                    CHECK(f.quality == Quality3d::Full);
                    CHECK(f.complete == (frames == passes));
                    // The bands done are the full frame's, the others still the release frame's.
                    const std::vector<std::uint8_t> now = r.volume.readImage().rgb;
                    int wrong = 0;
                    for (int row = 0; row < full.y; ++row) {
                        const int number = (full.y - 1 - row) / band;
                        const auto at = std::ptrdiff_t(std::size_t(row) * rowBytes);
                        const std::vector<std::uint8_t>& want = number % passes < frames ? sharp : release;
                        wrong += !std::equal(now.begin() + at, now.begin() + at + std::ptrdiff_t(rowBytes),
                                             want.begin() + at);
                    }
                    CHECK(wrong == 0);
                } while (!f.complete && frames < 100);
                CHECK(frames == passes);
                // The passes' time is the full frame's, for the next prediction.
                CHECK(r.feedback.fullSecondsPerPixel == Approx(seconds / (double(full.x) * double(full.y))));
            }
            CHECK(f.quality == Quality3d::Full);
            CHECK(f.complete);
            const std::vector<std::uint8_t> sharp = r.volume.readImage().rgb;
            CHECK(sharp == render(false, full));
            CHECK(sharp != render(true, full)); // the step shows: the two qualities are told apart
            // Then nothing until something changes.
            f = app::drawScene(s, r, fb, 1.0f, 3.2, false);
            CHECK(!f.rendered3d);
            CHECK(f.quality == Quality3d::Full);
        }
        // A drag with slow full frames, then another series: its first 3D frame is a full one, measured
        // afresh.
        r.feedback.fullSecondsPerPixel = 1.0;
        s.view3d.interactUntil = 4.5;
        f = app::drawScene(s, r, fb, 1.0f, 4.0, false);
        CHECK(f.quality == Quality3d::Interactive);
        viewer::AppState other = stateFor(loadFolder(glPhantom(), scan).volume); // a new Dataset
        viewer::layoutCells(other, Rect{0, 0, 200, 300});
        app::syncRenderer(other, r, sync);
        CHECK(r.feedback.fullSecondsPerPixel == 0);
        f = app::drawScene(other, r, fb, 1.0f, 5.0, true);
        CHECK(f.quality == Quality3d::Full);
        CHECK(r.feedback.fullSecondsPerPixel > 0);
    }
    app::destroyGlWindow(window);
}

namespace {
// Pixels whose colour is mostly `channel` (0 red, 1 green, 2 blue): where a segment of that pure colour
// shows.
std::vector<char> pixelsOf(const RgbImage& img, int channel) {
    std::vector<char> mask(std::size_t(img.width) * std::size_t(img.height), 0);
    for (std::size_t p = 0; p < mask.size(); ++p) {
        const int c = img.rgb[p * 3 + std::size_t(channel)];
        const int o1 = img.rgb[p * 3 + std::size_t((channel + 1) % 3)],
                  o2 = img.rgb[p * 3 + std::size_t((channel + 2) % 3)];
        mask[p] = c > 60 && c > 2 * o1 && c > 2 * o2;
    }
    return mask;
}
int countOf(const std::vector<char>& m) {
    return int(std::count(m.begin(), m.end(), char(1)));
}
// How a pixel's x in the image compares with the volume's middle, seen from the front (anterior).
int pixelsLeftOf(const std::vector<char>& m, int width, int x) {
    int n = 0;
    for (std::size_t p = 0; p < m.size(); ++p)
        n += m[p] && int(p % std::size_t(width)) < x;
    return n;
}
} // namespace

TEST_CASE("3D: a segment's surface mesh is drawn where its voxels are, hidden behind what lies in front, "
          "cropped like the volume") {
    REQUIRE(haveDisplay());
    // 48^3 voxels of 1 mm, air; a cube of 500 HU at the middle (16..31), a shield of 1500 HU in front of it
    // (anterior: low j) covering the patient's right half (i < 24), and a wall of 1500 HU behind it, both of
    // which the isosurface at 1000 HU shows.
    Geometry g;
    g.dims = {48, 48, 48};
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < 48; ++k)
        for (int j = 0; j < 48; ++j)
            for (int i = 0; i < 48; ++i) {
                const bool cube = i >= 16 && i < 32 && j >= 16 && j < 32 && k >= 16 && k < 32;
                const bool shield = j >= 4 && j < 8 && i < 24 && k >= 8 && k < 40;
                const bool wall = j >= 40 && j < 44;
                v.set(i, j, k, cube ? 500.f : shield || wall ? 1500.f : -1000.f);
            }
    viewer::AppState s = stateFor(std::move(v));
    s.view3d.preset.mode = RenderMode::Isosurface;
    s.view3d.preset.isoValue = 1000;
    s.view3d.camera = defaultCamera3D(); // from the front: the patient's right (i = 0) on the image's left
    REQUIRE(viewer::newSegment(s));
    s.editor.lo = 300;
    s.editor.hi = 800;
    REQUIRE(viewer::applyThreshold(s));
    REQUIRE(viewer::setSegmentLook(s, "Cube", {0, 1, 0}));
    const glm::ivec2 size{160, 160};

    // The segment's voxels, in green, over the wall; the shield hides the half of it behind.
    const RgbImage voxels = app::renderHeadless(s, size, false);
    const std::vector<char> green = pixelsOf(voxels, 1);
    REQUIRE(countOf(green) > 1000);
    CHECK(pixelsLeftOf(green, size.x, size.x / 2) < countOf(green) / 20);

    // Its surface: the mesh alone (drawn red here to tell it apart), where the voxels were, over the wall.
    s.editor.surfaceIn3d = true;
    REQUIRE(viewer::syncSegmentSurface(s));
    CHECK_FALSE(viewer::syncSegmentSurface(s)); // made once for the layer as it is
    REQUIRE(s.scene.surfaces.size() == 1);
    s.scene.surfaces[0].colour = {1, 0, 0};
    for (bool perspective : {false, true}) {
        INFO("perspective " << perspective);
        s.view3d.camera.perspective = perspective;
        const RgbImage meshImage = app::renderHeadless(s, size, false);
        const std::vector<char> red = pixelsOf(meshImage, 0);
        CHECK(countOf(pixelsOf(meshImage, 1)) == 0); // its voxels are not drawn in 3D while the mesh is
        CHECK(countOf(red) > 1000);
        CHECK(pixelsLeftOf(red, size.x, size.x / 2) < countOf(red) / 20); // behind the shield: hidden
        if (!perspective) {
            // The smoothed cube covers nearly what the voxels did (its corners rounded).
            int both = 0, either = 0;
            for (std::size_t p = 0; p < red.size(); ++p) {
                both += red[p] && green[p];
                either += red[p] || green[p];
            }
            CHECK(double(both) / double(either) > 0.85);
        }
    }
    s.view3d.camera.perspective = false;
    // Cropped away with the volume: the box's right part (i >= 0.75) leaves the cube out.
    s.view3d.cropMin = {0.75, 0.0, 0.0};
    CHECK(countOf(pixelsOf(app::renderHeadless(s, size, false), 0)) == 0);
    s.view3d.cropMin = {0.0, 0.0, 0.0};
    // Hidden with its segment, or with its layer's "3D" box: the mesh goes with the voxels.
    s.scene.labels[0].visible[0] = 0;
    CHECK(countOf(pixelsOf(app::renderHeadless(s, size, false), 0)) == 0);
    s.scene.labels[0].visible[0] = 1;
    s.scene.labels[0].in3d = false;
    CHECK(countOf(pixelsOf(app::renderHeadless(s, size, false), 0)) == 0);
    s.scene.labels[0].in3d = true;
    CHECK(countOf(pixelsOf(app::renderHeadless(s, size, false), 0)) > 1000);
    // Off again: the voxels are back.
    s.editor.surfaceIn3d = false;
    viewer::syncSegmentSurface(s);
    CHECK(s.scene.surfaces.empty());
    CHECK(countOf(pixelsOf(app::renderHeadless(s, size, false), 1)) == countOf(green));
}

TEST_CASE("4D in the window: a phase stepped from keeps its 3D texture, stepping back uploads nothing and "
          "draws every view as before") {
    REQUIRE(haveDisplay());
    ScanResult scan;
    const DecodedStack series = loadFolder(glPhantom(), scan);
    const Volume& v = series.volume;
    const glm::ivec3 n = v.geometry().dims;
    // Phase p of one 4D series: the phantom 300 HU brighter a phase.
    auto phase = [&](int p) {
        auto d = std::make_shared<Dataset>();
        d->series.volume = Volume(v.geometry(), v.type(), SharedBuffer::Sharing::Private);
        for (int k = 0; k < n.z; ++k)
            for (int j = 0; j < n.y; ++j)
                for (int i = 0; i < n.x; ++i)
                    d->series.volume.set(i, j, k, v.at(i, j, k) + float(300 * (p - 1)));
        std::tie(d->series.minHU, d->series.maxHU) = d->series.volume.range();
        d->stats = std::make_shared<const VolumeStats>(computeVolumeStats(d->series.volume));
        d->series.about.location = "4d";
        d->series.about.listing.uid = "1.2.826.0.1.3680043.99.4";
        d->series.about.listing.phases = 3;
        d->series.about.phase = p;
        return d;
    };
    std::shared_ptr<Dataset> one = phase(1), two = phase(2);
    viewer::AppState s;
    viewer::adoptDataset(s, one);
    s.prefs.overlays = {false, false, false, false, false, false};
    const glm::ivec2 size(240, 200); // the four views: three slice views and the 3D view
    viewer::adoptDataset(s, two);
    const RgbImage secondAlone =
        app::renderHeadless(s, size, false); // as drawn on its own, before the session
    viewer::adoptDataset(s, one);
    app::RendererSync sync;
    sync.phaseTextureBytes = std::uint64_t(1) << 30;
    std::optional<app::HeadlessSession> session(std::in_place, sync);
    const RgbImage first = session->draw(s, size, false);
    const GLuint firstTexture = session->renderers().slices.volumeTexture();
    REQUIRE(firstTexture != 0);

    viewer::adoptDataset(s, two);
    const RgbImage second = session->draw(s, size, false);
    CHECK(second.rgb != first.rgb);
    CHECK(second.rgb == secondAlone.rgb);
    REQUIRE(session->renderers().keptPhases.size() == 1);
    CHECK(session->renderers().keptPhases[0].texture.id() == firstTexture);

    // Back to phase 1: its texture as it was, and phase 2's kept in turn.
    viewer::adoptDataset(s, one);
    CHECK(session->draw(s, size, false).rgb == first.rgb);
    CHECK(session->renderers().slices.volumeTexture() == firstTexture);
    REQUIRE(session->renderers().keptPhases.size() == 1);
    CHECK(session->renderers().keptPhases[0].of.lock() == two);

    // A phase the viewer no longer keeps in memory: its texture goes at the next step.
    two.reset();
    viewer::adoptDataset(s, phase(3));
    session->draw(s, size, false);
    REQUIRE(session->renderers().keptPhases.size() == 1);
    CHECK(session->renderers().keptPhases[0].of.lock() == one);

    // Another series: nothing of the 4D one stays on the GPU.
    std::shared_ptr<Dataset> other = phase(1);
    other->series.about.listing.uid = "1.2.826.0.1.3680043.99.5";
    viewer::adoptDataset(s, other);
    session->draw(s, size, false);
    CHECK(session->renderers().keptPhases.empty());

    // Without room for them (a budget under one phase's bytes), no texture is kept.
    session.reset(); // one GL window at a time
    app::RendererSync tight;
    tight.phaseTextureBytes = v.bytes() - 1;
    app::HeadlessSession small(tight);
    viewer::adoptDataset(s, one);
    small.draw(s, size, false);
    viewer::adoptDataset(s, phase(2));
    small.draw(s, size, false);
    CHECK(small.renderers().keptPhases.empty());
}
