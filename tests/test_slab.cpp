// Thick slabs (issue 12): MIP, MinIP and average over the slices within half the thickness of a view's slice,
// checked against a brute-force computation here, on the GPU (3D texture and plane by plane) against the CPU
// export, and through `ctview export` / `ctview snapshot`.
#include "golden.h"
#include "testutil.h"

#include "app/headless.h"
#include "media/export.h"
#include "viewer/input.h"
#include "volume/colormap.h"
#include "volume/slice.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace ctview;
using namespace ctview::test;

namespace {
// 6 x 5 x 9 voxels, 2.5 mm apart along k: HU = (i + 1) * ((7 k + 3 j) % 11 - 5), so that the slices' order
// matters to every mode.
Volume slabVolume(ScalarType type) {
    Geometry g;
    g.dims = {6, 5, 9};
    g.spacing = {1, 1, 2.5};
    Volume v(g, type, SharedBuffer::Sharing::Private);
    for (int k = 0; k < 9; ++k)
        for (int j = 0; j < 5; ++j)
            for (int i = 0; i < 6; ++i)
                v.set(i, j, k, float((i + 1) * ((7 * k + 3 * j) % 11 - 5)));
    return v;
}
// The slab's value by its definition: the slices along `axis` (voxel axis) whose centres lie within
// thickness / 2 of voxel `ijk`'s, inside the volume.
double bruteForce(const Volume& v, glm::ivec3 ijk, int axis, double thickness, SlabMode mode) {
    const Geometry& g = v.geometry();
    double best = mode == SlabMode::Mip ? -1e30 : 1e30, sum = 0;
    int count = 0;
    for (int n = 0; n < g.dims[axis]; ++n) {
        if (std::abs(n - ijk[axis]) * g.spacing[axis] > thickness / 2 + 1e-9)
            continue;
        glm::ivec3 p = ijk;
        p[axis] = n;
        const double x = v.at(p.x, p.y, p.z);
        best = mode == SlabMode::Mip ? std::max(best, x) : std::min(best, x);
        sum += x;
        ++count;
    }
    return mode == SlabMode::Average ? sum / count : best;
}
viewer::AppState viewing(Volume v) {
    auto d = std::make_shared<Dataset>();
    d->series.volume = std::move(v);
    viewer::AppState s;
    viewer::adoptDataset(s, d);
    s.prefs.overlays = {false, false, false, false, false, false};
    s.linear = false; // compared with the CPU's slab, voxel for voxel
    return s;
}
} // namespace

TEST_CASE("slab: the slices within half the thickness, by MIP, MinIP or mean, cut at the volume's ends") {
    // How many slices each side: a slice whose centre lies on the slab's face is in it.
    CHECK(slabHalfCount({0, SlabMode::Mip}, 2.5) == 0);
    CHECK(slabHalfCount({-3, SlabMode::Mip}, 2.5) == 0);
    CHECK(slabHalfCount({4.9, SlabMode::Mip}, 2.5) == 0);
    CHECK(slabHalfCount({5, SlabMode::Mip}, 2.5) == 1);
    CHECK(slabHalfCount({10, SlabMode::Mip}, 2.5) == 2);
    CHECK(slabHalfCount({20, SlabMode::Mip}, 1.0) == 10);   // RadiAnt's 20 mm at 1 mm: 21 slices
    CHECK(slabHalfCount({2.5, SlabMode::Mip}, 0.625) == 2); // 0.625 mm is not exact in binary
    CHECK(slabLabel({10, SlabMode::Mip}, 2.5) == "MIP 10 mm (5 slices)");
    CHECK(slabLabel({4, SlabMode::Average}, 2.5) == ""); // thinner than a slice: the slice
    CHECK(slabLabel({7.5, SlabMode::MinIp}, 2.5) == "MinIP 7.5 mm (3 slices)");
    for (const char* name : {"mip", "minip", "average"}) {
        SlabMode m;
        REQUIRE(parseSlabMode(name, m));
        CHECK(std::string(slabModeName(m)) == name);
    }
    SlabMode m;
    CHECK_FALSE(parseSlabMode("median", m));

    for (ScalarType type : {ScalarType::Int16, ScalarType::Float32}) {
        const Volume v = slabVolume(type);
        for (SlabMode mode : {SlabMode::Mip, SlabMode::MinIp, SlabMode::Average})
            for (double thickness : {0.0, 5.0, 10.0, 100.0}) {
                const Slab slab{thickness, mode};
                // Axial (the normal along k, 2.5 mm) and coronal (along j, 1 mm): every voxel of every slice.
                for (Axis axis : {Axis::Axial, Axis::Coronal}) {
                    const SliceFrame f = sliceFrame(v.geometry(), axis);
                    for (int k = 0; k < f.count; ++k) {
                        const glm::ivec2 range = slabRange(slab, f, k);
                        CHECK(range.x <= 0);
                        CHECK(k + range.x >= 0);
                        CHECK(k + range.y <= f.count - 1);
                        const SliceImage img = extractSlice(v, axis, k, slab);
                        REQUIRE(img.width == f.width); // 1 mm x 1 mm axial, 1 x 2.5 coronal resampled
                        for (int h = 0; h < f.width; ++h)
                            for (int vv = 0; vv < f.height; ++vv) {
                                glm::ivec3 ijk;
                                ijk[f.nAxis] = k;
                                ijk[f.hAxis] = f.hFlip ? f.width - 1 - h : h;
                                ijk[f.vAxis] = f.vFlip ? f.height - 1 - vv : vv;
                                const double expected = bruteForce(v, ijk, f.nAxis, thickness, mode);
                                INFO(slabModeName(mode)
                                     << " " << thickness << " mm, " << axisName(axis) << " " << k
                                     << ", voxel " << ijk.x << "," << ijk.y << "," << ijk.z);
                                REQUIRE(slabValue(v, f, ijk, slab) == Approx(expected).margin(1e-4));
                                if (axis == Axis::Axial) // square pixels: the image is the voxels
                                    REQUIRE(img.hu[std::size_t(vv * img.width + h)] ==
                                            Approx(expected).margin(1e-4));
                            }
                    }
                }
            }
    }
    // The file names say what the image is, so that a slab never takes a thin slice's name.
    CHECK(sliceFileName(3, Axis::Axial, 12, ImageFormat::Png, {10, SlabMode::Mip}, 2.5) ==
          "3_axial_0012_mip10mm.png");
    CHECK(sliceFileName(3, Axis::Axial, 12, ImageFormat::Jpeg, {2, SlabMode::Mip}, 2.5) ==
          "3_axial_0012.jpg");
    CHECK(sliceFileName(2, Axis::Coronal, 7, ImageFormat::Png, {10, SlabMode::Average}, 2.5, true) ==
          "2_coronal-oblique_0007_average10mm.png");
}

TEST_CASE("slab: the GPU draws the CPU's slab, pixel for pixel, from the 3D texture and plane by plane") {
    REQUIRE(haveDisplay());
    ScanResult scan;
    viewer::AppState s = viewing(loadFolder(glPhantom(), scan).volume); // 64 x 64 x 40, int16
    const Volume& vol = s.scene.base->series.volume;
    s.maximised = 0; // the axial view alone: 64 x 64 voxels as 2 x 2 pixels each at 128 x 128
    s.window = {400, 40};
    const SliceFrame f = viewer::frameOf(s, 0);
    const ColormapTable map = colormapTable("grayscale");
    for (SlabMode mode : {SlabMode::Mip, SlabMode::MinIp, SlabMode::Average})
        for (int k : {1, 20, 38}) {                     // near both ends (cut) and in the middle
            s.views[0].slab = {4.5 * f.nSpacing, mode}; // 2 slices each side
            viewer::setSlice(s, 0, k);
            const RgbImage cpu =
                renderSlice(extractSlice(vol, Axis::Axial, k, s.views[0].slab), s.window, map);
            REQUIRE(cpu.width == 64);
            const RgbImage whole = app::renderHeadless(s, {128, 128}, false);
            app::RendererSync planes;
            planes.max3dTexture = 32; // as if GL_MAX_3D_TEXTURE_SIZE were 32: combined on the CPU
            const RgbImage byPlane = app::renderHeadless(s, {128, 128}, false, planes);
            // Exact for the maximum and the minimum; the mean is summed in float on the GPU, in double here,
            // so a value on a colour step's edge may fall one step apart.
            int wrong = 0, offByOne = 0, planeWrong = 0;
            for (int y = 0; y < 128; ++y)
                for (int x = 0; x < 128; ++x)
                    for (int c = 0; c < 3; ++c) {
                        const std::size_t at = (std::size_t(y) * 128 + std::size_t(x)) * 3 + std::size_t(c);
                        const int want =
                            cpu.rgb[(std::size_t(y / 2) * 64 + std::size_t(x / 2)) * 3 + std::size_t(c)];
                        const int d = std::abs(int(whole.rgb[at]) - want);
                        wrong += d > 1;
                        offByOne += d == 1;
                        planeWrong +=
                            std::abs(int(byPlane.rgb[at]) - want) > (mode == SlabMode::Average ? 1 : 0);
                    }
            INFO(slabModeName(mode) << " slice " << k);
            CHECK(wrong == 0);
            CHECK(offByOne <= (mode == SlabMode::Average ? 3 * 128 : 0));
            CHECK(planeWrong == 0);
            // The slab shows something the thin slice does not.
            CHECK(cpu.rgb != renderSlice(extractSlice(vol, Axis::Axial, k), s.window, map).rgb);
        }
}

TEST_CASE("slab: `export --slab` writes the slab under its own name, `snapshot --slab` says so, bad values") {
    REQUIRE(haveDisplay());
    TempDir out;
    ScanResult scan;
    const DecodedStack series = loadFolder(glPhantom(), scan);
    const SliceFrame f = sliceFrame(series.volume.geometry(), Axis::Coronal);
    const Run r = run("export " + q(glPhantom()) + " --axis coronal --slice 30 --slab 12 --slab-mode minip " +
                      "--window 400,40 -o " + q(out.path));
    INFO(r.out);
    REQUIRE(r.code == 0);
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(out.path))
        files.push_back(e.path());
    REQUIRE(files.size() == 1);
    const std::string name = files[0].filename().string(); // "<SeriesNumber>_coronal_0030_minip12mm.png"
    CHECK(name.substr(name.find('_')) == "_coronal_0030_minip12mm.png");
    CHECK(r.out.find(name) != std::string::npos);
    const Image png = readPng(files[0]);
    const RgbImage cpu =
        renderSlice(extractSlice(series.volume, Axis::Coronal, sliceIndex(f, 30), {12, SlabMode::MinIp}),
                    WindowLevel{400, 40}, colormapTable("grayscale"));
    REQUIRE(png.width == cpu.width);
    CHECK(png.rgb == cpu.rgb);

    // `snapshot --slab` draws through the window's code: the axial MIP slab at 2 x 2 pixels a voxel, each
    // the voxel's own value (--nearest; the window's default is linear between voxels).
    const Run snap =
        run("snapshot " + q(glPhantom()) + " --view axial --slice 17 --slab 25 --nearest --no-overlays " +
            "--size 128x128 --window 400,40 -o " + q(out.path / "slab.png"));
    INFO(snap.out);
    REQUIRE(snap.code == 0);
    const Image gpu = readPng(out.path / "slab.png");
    const SliceFrame axial = sliceFrame(series.volume.geometry(), Axis::Axial);
    REQUIRE(isThick({25, SlabMode::Mip}, axial.nSpacing));
    const RgbImage slab =
        renderSlice(extractSlice(series.volume, Axis::Axial, sliceIndex(axial, 17), {25, SlabMode::Mip}),
                    WindowLevel{400, 40}, colormapTable("grayscale"));
    REQUIRE(gpu.width == 128);
    int mismatches = 0;
    for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x)
            for (int c = 0; c < 3; ++c)
                mismatches += gpu.at(x, y)[c] !=
                              slab.rgb[(std::size_t(y / 2) * 64 + std::size_t(x / 2)) * 3 + std::size_t(c)];
    CHECK(mismatches == 0);

    for (const std::string& bad : {std::string("--slab -1"), std::string("--slab 10 --slab-mode median")}) {
        const Run e = run("export " + q(glPhantom()) + " " + bad + " -o " + q(out.path / "bad"));
        INFO(bad << ": " << e.out);
        CHECK(e.code == 2);
        CHECK((e.out.find("--slab") != std::string::npos));
        CHECK_FALSE(std::filesystem::exists(out.path / "bad"));
        const Run sn = run("snapshot " + q(glPhantom()) + " " + bad + " -o " + q(out.path / "bad.png"));
        CHECK(sn.code == 2);
    }
}
