// Fusion (issue 31): a second series on the base's voxel grid through the link between them (one frame of
// reference: their patient coordinates; else as written, said so; a shift the user gives). Exact on generated
// data: grids moved by whole voxels read the same voxels, half a voxel is the mean of two, and two DICOM
// series written in one frame of reference a known distance apart are linked to the voxel.
#include "testutil.h"

#include "base/error.h"
#include "viewer/fusion.h"
#include "viewer/load_task.h"
#include "volume/resample.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace ctview;
using namespace ctview::test;

namespace {

// Every voxel of the 5 x 4 x 3 test grid different.
float valueOf(int i, int j, int k) {
    return float(100 * k + 10 * j + i);
}

Volume testVolume(const Geometry& g, ScalarType type) {
    Volume v(g, type, SharedBuffer::Sharing::Private);
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                v.set(i, j, k, valueOf(i, j, k));
    return v;
}

Geometry testGrid() {
    Geometry g;
    g.dims = {5, 4, 3};
    g.spacing = {0.5, 0.75, 2.0};
    g.origin = {-10, 20, 30};
    return g;
}

} // namespace

TEST_CASE("resampleOnto: a grid moved by whole voxels reads the same voxels; beyond the data is kOutsideHu") {
    for (ScalarType type : {ScalarType::Int16, ScalarType::Float32}) {
        const Geometry target = testGrid();
        // The moving volume's grid starts 2 voxels further along i and 1 further along k: target voxel
        // (i, j, k) is its voxel (i - 2, j, k - 1).
        Geometry moved = target;
        moved.origin = target.voxelToPatient({2, 0, 1});
        const Volume moving = testVolume(moved, type);
        const Volume out = resampleOnto(moving, target);
        REQUIRE(out.geometry().dims == target.dims);
        CHECK(out.geometry().origin == target.origin);
        CHECK(out.type() == type);
        int outside = 0;
        for (int k = 0; k < 3; ++k)
            for (int j = 0; j < 4; ++j)
                for (int i = 0; i < 5; ++i) {
                    INFO(i << "," << j << "," << k);
                    if (i < 2 || k < 1) {
                        CHECK(out.at(i, j, k) == kOutsideHu);
                        ++outside;
                    } else {
                        CHECK(out.at(i, j, k) == valueOf(i - 2, j, k - 1));
                    }
                }
        CHECK(outside == 5 * 4 * 3 - 3 * 4 * 2);
        // The same through a link: the identity grid, the moving volume's points moved back by the shift.
        const Volume same = testVolume(target, type);
        const glm::dvec3 shift = moved.origin - target.origin;
        const Volume linked = resampleOnto(same, target, shiftLink(-shift));
        CHECK(linked.at(4, 3, 2) == valueOf(2, 3, 1));
        CHECK(linked.at(1, 0, 0) == kOutsideHu);
    }
}

TEST_CASE("resampleOnto: half a voxel between two voxels is their mean; a mirrored grid reads mirrored") {
    const Geometry target = testGrid();
    Geometry half = target;
    half.origin = target.voxelToPatient({-0.5, 0, 0}); // target voxel i lies between moving i and i + 1
    const Volume moving = testVolume(half, ScalarType::Float32);
    const Volume out = resampleOnto(moving, target);
    for (int i = 0; i < 4; ++i)
        CHECK(out.at(i, 2, 1) == Approx((valueOf(i, 2, 1) + valueOf(i + 1, 2, 1)) / 2).margin(1e-4));
    // The last target voxel lies half a voxel past the moving data's last centre: the border voxel, within
    // the data's box.
    CHECK(out.at(4, 2, 1) == valueOf(4, 2, 1));

    // The same points stored the other way round along i (direction -x, origin at the far end).
    Geometry mirrored = target;
    mirrored.direction[0] = {-1, 0, 0};
    mirrored.origin = target.voxelToPatient({4, 0, 0});
    const Volume flipped = resampleOnto(testVolume(mirrored, ScalarType::Int16), target);
    for (int i = 0; i < 5; ++i)
        CHECK(flipped.at(i, 3, 2) == valueOf(4 - i, 3, 2));
}

TEST_CASE("fusion: two DICOM series in one frame of reference, (6, -4, 10) mm apart, linked to the voxel") {
    TempDir dir;
    SeriesSpec a;
    a.columns = 12, a.rows = 10, a.slices = 8;
    a.pixelSpacing = {2.0, 2.0};
    a.sliceStep = 2.0;
    a.origin = {-20, -30, 40};
    a.strings["FrameOfReferenceUID"] = "1.2.826.0.1.3680043.2.1125.77";
    a.stored = [](int i, int j, int k) { return 1000 + 100 * k + 10 * j + i; };
    SeriesSpec b = a;
    b.origin = {a.origin[0] + 6, a.origin[1] - 4, a.origin[2] + 10}; // 3, -2 and 5 voxels along i, j, k
    b.seriesNumber = 2;
    b.stored = [](int i, int j, int k) { return -500 + 100 * k + 10 * j + i; };
    writeSeries(a, dir.path / "a");
    writeSeries(b, dir.path / "b");
    viewer::LoadTask::Staging staging;
    staging.stats3d = false;
    const auto base = viewer::LoadTask::loadNow((dir.path / "a").string(), "", fastOptions(), staging);
    const auto other = viewer::LoadTask::loadNow((dir.path / "b").string(), "", fastOptions(), staging);
    REQUIRE_FALSE(viewer::linkIsAGuess(base->series, other->series));
    const viewer::ImageLayerView layer = viewer::makeImageLayer(*base, other);
    CHECK(layer.link == "one frame of reference");
    const Geometry& g = base->series.volume.geometry();
    REQUIRE(layer.onBase->geometry().dims == g.dims);
    // Base voxel (i, j, k) lies where b's voxel (i - 3, j + 2, k - 5) does.
    int inside = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const glm::ivec3 there(i - 3, j + 2, k - 5);
                const float hu = viewer::imageLayerHu(layer, {i, j, k});
                INFO(i << "," << j << "," << k);
                if (glm::all(glm::greaterThanEqual(there, glm::ivec3(0))) &&
                    glm::all(glm::lessThan(there, glm::ivec3(12, 10, 8)))) {
                    CHECK(hu == float(-500 + 100 * there.z + 10 * there.y + there.x));
                    ++inside;
                } else {
                    CHECK(hu == kOutsideHu);
                }
            }
    CHECK(inside == 9 * 8 * 3);

    // Moved back by the offset (--fuse-shift -6,4,-10), every voxel is b's own.
    const viewer::ImageLayerView back = viewer::makeImageLayer(*base, other, {-6, 4, -10});
    CHECK(back.link == "one frame of reference, shifted by (-6, 4, -10) mm");
    CHECK(viewer::imageLayerHu(back, {0, 0, 0}) == -500.0f);
    CHECK(viewer::imageLayerHu(back, {11, 9, 7}) == float(-500 + 700 + 90 + 11));
    CHECK(viewer::imageLayerHu(back, {12, 0, 0}) == kOutsideHu); // outside the base's grid

    // Another frame of reference: placed by the coordinates as written, and said to be a guess.
    SeriesSpec c = b;
    c.strings["FrameOfReferenceUID"] = "1.2.826.0.1.3680043.2.1125.78";
    writeSeries(c, dir.path / "c");
    const auto elsewhere = viewer::LoadTask::loadNow((dir.path / "c").string(), "", fastOptions(), staging);
    CHECK(viewer::linkIsAGuess(base->series, elsewhere->series));
    CHECK(viewer::fusionLink(base->series, elsewhere->series, {}) ==
          "patient coordinates as written (not one frame of reference: check the alignment)");
}

TEST_CASE("fusion: --fuse-shift and --fuse-mode are read exactly, or refused naming the option") {
    CHECK(viewer::parseShift("0,0,-12.5", "--fuse-shift") == glm::dvec3(0, 0, -12.5));
    CHECK(viewer::parseShift("1.5,-2,3e1", "--fuse-shift") == glm::dvec3(1.5, -2, 30));
    for (const char* bad : {"", "1,2", "1,2,3,4", "a,b,c", "1;2;3", "1,2,nan", "1,2,3mm"})
        CHECK_THROWS_WITH(viewer::parseShift(bad, "--fuse-shift"),
                          Catch::Contains("--fuse-shift") && Catch::Contains("use X,Y,Z in mm"));
    CHECK(viewer::parseFusionMode("checkerboard", "--fuse-mode") == viewer::FusionMode::Checkerboard);
    CHECK_THROWS_WITH(viewer::parseFusionMode("blend", "--fuse-mode"),
                      "--fuse-mode blend: use overlay, checkerboard, difference or side-by-side");
    CHECK(viewer::parseFusionMode("side-by-side", "--fuse-mode") == viewer::FusionMode::SideBySide);
}
