// Fusion (issue 31): a second series on the base's voxel grid through the link between them (one frame of
// reference: their patient coordinates; else as written, said so; a shift the user gives). Exact on generated
// data: grids moved by whole voxels read the same voxels, half a voxel is the mean of two, and two DICOM
// series written in one frame of reference a known distance apart are linked to the voxel.
#include "testutil.h"

#include "base/error.h"
#include "nrrd_nifti/volume_io.h"
#include "viewer/fuse_task.h"
#include "viewer/fusion.h"
#include "viewer/load_task.h"
#include "volume/register.h"
#include "volume/resample.h"

#include <catch2/catch.hpp>
#include <glm/gtc/matrix_transform.hpp>
#include <nlohmann/json.hpp>

#include <array>
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

TEST_CASE("resampleOnto: a grid moved by whole voxels reads the same voxels, beyond the data is kOutsideHu") {
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

TEST_CASE("resampleOnto: half a voxel between two voxels is their mean, a mirrored grid reads mirrored") {
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
    // Registered back onto the coordinates as written: the move is said, none too (a shift was undone).
    CHECK(viewer::fusionLink(base->series, other->series, glm::dmat4(1.0), true) ==
          "one frame of reference, then registered: moved (0, 0, 0) mm");
    const Geometry& g = base->series.volume.geometry();
    REQUIRE(layer.onBase->geometry().dims == g.dims);
    // Base voxel (i, j, k) lies where b's voxel (i - 3, j + 2, k - 5) does.
    int inside = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const glm::ivec3 there(i - 3, j + 2, k - 5);
                const float hu = viewer::imageLayerHu(layer, g, {i, j, k});
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
    const viewer::ImageLayerView back =
        viewer::makeImageLayer(*base, other, viewer::layerMovedBy({-6, 4, -10}));
    CHECK(back.link == "one frame of reference, moved by (-6, 4, -10) mm");
    CHECK(viewer::imageLayerHu(back, g, {0, 0, 0}) == -500.0f);
    CHECK(viewer::imageLayerHu(back, g, {11, 9, 7}) == float(-500 + 700 + 90 + 11));
    CHECK(viewer::imageLayerHu(back, g, {12, 0, 0}) == kOutsideHu); // outside the base's grid

    // Another frame of reference: placed by the coordinates as written, and said to be a guess.
    SeriesSpec c = b;
    c.strings["FrameOfReferenceUID"] = "1.2.826.0.1.3680043.2.1125.78";
    writeSeries(c, dir.path / "c");
    const auto elsewhere = viewer::LoadTask::loadNow((dir.path / "c").string(), "", fastOptions(), staging);
    CHECK(viewer::linkIsAGuess(base->series, elsewhere->series));
    CHECK(viewer::fusionLink(base->series, elsewhere->series, glm::dmat4(1.0)) ==
          "patient coordinates as written (not one frame of reference: check the alignment)");
}

TEST_CASE("fusion: a finer second series keeps its detail, on the base's box at its own spacing") {
    // The base: 8 x 8 x 4 voxels of 2 x 2 x 4 mm; the prior: the same box in 1 mm voxels (16 x 16 x 16).
    auto dataset = [](const Geometry& g) {
        auto d = std::make_shared<Dataset>();
        d->series.volume = Volume(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
        for (int k = 0; k < g.dims.z; ++k)
            for (int j = 0; j < g.dims.y; ++j)
                for (int i = 0; i < g.dims.x; ++i)
                    d->series.volume.set(i, j, k, float(i + 16 * j + 256 * k));
        return d;
    };
    const auto [coarse, fine] = coarseAndFineGrids();
    const Geometry grid = viewer::layerGrid(coarse, fine, glm::dmat4(1.0));
    CHECK(grid.dims == fine.dims);
    CHECK(glm::length(grid.spacing - fine.spacing) < 1e-12);
    CHECK(glm::length(grid.origin - fine.origin) < 1e-12);
    const auto base = dataset(coarse), prior = dataset(fine);
    const viewer::ImageLayerView layer = viewer::makeImageLayer(*base, prior);
    REQUIRE(layer.onBase->geometry().dims == fine.dims);
    for (int k = 0; k < 16; ++k)
        for (int j = 0; j < 16; ++j)
            for (int i = 0; i < 16; ++i)
                REQUIRE(layer.onBase->at(i, j, k) == prior->series.volume.at(i, j, k)); // its own voxels
    // The probe at a base voxel reads the prior's voxel at that voxel's centre (within half of its own).
    for (const glm::ivec3 ijk : {glm::ivec3(0, 0, 0), glm::ivec3(3, 5, 2), glm::ivec3(7, 7, 3)}) {
        const float hu = viewer::imageLayerHu(layer, coarse, ijk);
        const glm::ivec3 q(int(hu) % 16, int(hu) / 16 % 16, int(hu) / 256);
        CHECK(glm::all(glm::lessThanEqual(glm::abs(fine.voxelToPatient(q) - coarse.voxelToPatient(ijk)),
                                          glm::dvec3(0.5 + 1e-9))));
    }
    CHECK(viewer::imageLayerHu(layer, coarse, {8, 0, 0}) == kOutsideHu);
    // Turned a quarter about the feet-head axis, its columns run along the base's rows: still finer on each.
    glm::dmat4 quarter(0.0);
    quarter[0] = {0, 1, 0, 0};
    quarter[1] = {-1, 0, 0, 0};
    quarter[2] = {0, 0, 1, 0};
    quarter[3] = {0, 0, 0, 1};
    CHECK(viewer::layerGrid(coarse, fine, quarter).dims == fine.dims);
    // A coarser second series, or one whose detail would cost more voxels than either series has (a small
    // field of view in fine voxels): the base's grid.
    CHECK(viewer::layerGrid(fine, coarse, glm::dmat4(1.0)).dims == fine.dims);
    CHECK(viewer::layerGrid(fine, coarse, glm::dmat4(1.0)).origin == fine.origin);
    Geometry small = fine;
    small.dims = {4, 4, 4};
    small.spacing = {0.25, 0.25, 0.25};
    CHECK(viewer::layerGrid(coarse, small, glm::dmat4(1.0)).dims == coarse.dims);
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
    // A new mode brings its colour map along, unless the user chose another.
    viewer::ImageLayerView layer;
    viewer::setFusionMode(layer, viewer::FusionMode::Difference);
    CHECK(layer.colormap == "grayscale");
    viewer::setFusionMode(layer, viewer::FusionMode::Checkerboard);
    CHECK(layer.colormap == "hot");
    layer.colormap = "viridis";
    viewer::setFusionMode(layer, viewer::FusionMode::Difference);
    CHECK(layer.colormap == "viridis");
}

namespace {

// A smooth CT-like phantom in LPS mm: a body (40 HU) in air, fat around it, a spine and bones placed
// asymmetrically (700 HU), edges 1.5 mm wide, so that a rotation and a shift are both told by the images.
double anatomy(const glm::dvec3& p) {
    auto inside = [](double distance) { return 1.0 / (1.0 + std::exp(distance / 0.75)); }; // 1 in, 0 out
    const glm::dvec3 body = p / glm::dvec3(70, 50, 55);
    double hu = -1000 + 1040 * inside((glm::length(body) - 1) * 50);
    const std::array<std::pair<glm::dvec3, double>, 5> bones{
        {{{0, 25, 0}, 9}, {{30, -10, 20}, 12}, {{-35, 5, -25}, 8}, {{15, 20, -30}, 10}, {{-20, -25, 30}, 7}}};
    for (const auto& [centre, radius] : bones)
        hu += 660 * inside(glm::length(p - centre) - radius);
    hu -= 140 * inside(std::abs(p.x + 45) - 6) * inside((glm::length(body) - 0.9) * 50); // a band of fat
    return hu;
}

Volume anatomyVolume(const Geometry& g, const glm::dmat4& toAnatomy) {
    Volume v(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i)
                v.set(i, j, k,
                      float(anatomy(glm::dvec3(toAnatomy * glm::dvec4(g.voxelToPatient({i, j, k}), 1)))));
    return v;
}

} // namespace

TEST_CASE("registerRigid: a series moved by a known rotation and shift is brought back within 0.5 mm and "
          "0.5 degrees") {
    Geometry fixedGrid;
    fixedGrid.dims = {96, 80, 64};
    fixedGrid.spacing = {2.0, 2.0, 2.5};
    fixedGrid.origin = -0.5 * (glm::dvec3(fixedGrid.dims) - 1.0) * fixedGrid.spacing;
    // The moving series is the same anatomy scanned on another grid, the patient turned (4, -3 and 6 degrees
    // about L, P and S through the fixed volume's centre) and moved (8, -5, 6) mm: its LPS point truth(p)
    // shows what the fixed series shows at p.
    const glm::dvec3 c = volumeCentre(fixedGrid);
    const double deg = 3.14159265358979323846 / 180;
    glm::dmat4 r = glm::rotate(glm::dmat4(1.0), 6 * deg, glm::dvec3(0, 0, 1)) *
                   glm::rotate(glm::dmat4(1.0), -3 * deg, glm::dvec3(0, 1, 0)) *
                   glm::rotate(glm::dmat4(1.0), 4 * deg, glm::dvec3(1, 0, 0));
    const glm::dmat4 truth =
        glm::translate(glm::dmat4(1.0), c + glm::dvec3(8, -5, 6)) * r * glm::translate(glm::dmat4(1.0), -c);
    Geometry movingGrid;
    movingGrid.dims = {100, 90, 60};
    movingGrid.spacing = {1.9, 1.9, 2.7};
    movingGrid.origin = glm::dvec3(-92, -80, -75);
    const Volume fixed = anatomyVolume(fixedGrid, glm::dmat4(1.0));
    const Volume moving = anatomyVolume(movingGrid, glm::inverse(truth));

    const Registration found = registerRigid(fixed, moving);
    INFO("NCC " << found.nccBefore << " -> " << found.ncc << ", " << found.steps << " steps, "
                << found.seconds << " s");
    const glm::dvec3 centreError =
        glm::dvec3(found.link * glm::dvec4(c, 1)) - glm::dvec3(truth * glm::dvec4(c, 1));
    CHECK(glm::length(centreError) < 0.5);
    CHECK(rotationDegrees(glm::inverse(truth) * found.link) < 0.5);
    // Every corner of the fixed volume's box lands within 0.5 mm of where it should.
    for (int corner = 0; corner < 8; ++corner) {
        const glm::dvec3 ijk((corner & 1) ? fixedGrid.dims.x - 1 : 0, (corner & 2) ? fixedGrid.dims.y - 1 : 0,
                             (corner & 4) ? fixedGrid.dims.z - 1 : 0);
        const glm::dvec4 p(fixedGrid.voxelToPatient(ijk), 1);
        CHECK(glm::length(glm::dvec3(found.link * p) - glm::dvec3(truth * p)) < 0.5);
    }
    CHECK(found.ncc > found.nccBefore);
    CHECK(found.ncc > 0.99);
    CHECK(found.degrees == Approx(rotationDegrees(truth)).margin(0.5));
}

TEST_CASE("ctview register: the link between two volume files as text and JSON, bad input exits non-zero") {
    TempDir dir;
    Geometry grid;
    grid.dims = {64, 56, 40};
    grid.spacing = {2.5, 2.5, 3.0};
    grid.origin = -0.5 * (glm::dvec3(grid.dims) - 1.0) * grid.spacing;
    const glm::dvec3 c = volumeCentre(grid);
    const glm::dmat4 truth = glm::translate(glm::dmat4(1.0), c + glm::dvec3(-6, 4, 5)) *
                             glm::rotate(glm::dmat4(1.0), 0.08, glm::dvec3(0, 0, 1)) *
                             glm::translate(glm::dmat4(1.0), -c);
    writeVolume(anatomyVolume(grid, glm::dmat4(1.0)), dir.path / "fixed.nrrd", false);
    writeVolume(anatomyVolume(grid, glm::inverse(truth)), dir.path / "moving.nrrd", false);
    const Run r =
        run("register " + q(dir.path / "fixed.nrrd") + " " + q(dir.path / "moving.nrrd") + " --json -q");
    INFO(r.out);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["degrees"].get<double>() == Approx(0.08 * 180 / 3.14159265358979323846).margin(0.1));
    // The moving series moved back by what was done to it: the link's shift at the centre, reversed.
    CHECK(j["moved_mm"][0].get<double>() == Approx(6).margin(0.3));
    CHECK(j["moved_mm"][1].get<double>() == Approx(-4).margin(0.3));
    CHECK(j["moved_mm"][2].get<double>() == Approx(-5).margin(0.3));
    CHECK(j["ncc"].get<double>() > j["ncc_before"].get<double>());
    CHECK(j["doubtful"] == false);
    // Images that are not alike (another patient, another body part): it still moves, and says to doubt it.
    Volume other(grid, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < grid.dims.z; ++k)
        for (int jj = 0; jj < grid.dims.y; ++jj)
            for (int i = 0; i < grid.dims.x; ++i)
                other.set(i, jj, k, float((i * 7 + jj * 13 + k * 29) % 17 * 100 - 800));
    writeVolume(other, dir.path / "other.nrrd", false);
    const Run unlike =
        run("register " + q(dir.path / "fixed.nrrd") + " " + q(dir.path / "other.nrrd") + " -q");
    CHECK(unlike.code == 0);
    CHECK(unlike.out.find("warning: the two do not look alike after registering") != std::string::npos);
    const Run unlikeJson = run("register " + q(dir.path / "fixed.nrrd") + " " + q(dir.path / "other.nrrd") +
                               " --json -q 2>/dev/null");
    CHECK(nlohmann::json::parse(unlikeJson.out)["doubtful"] == true);
    // --compare is side by side: a fusion mode with it is a contradiction, refused.
    const Run both = run("snapshot " + q(dir.path / "fixed.nrrd") + " --compare " +
                         q(dir.path / "moving.nrrd") + " --fuse-mode difference -o " + q(dir.path / "x.png"));
    CHECK(both.code == 2);
    CHECK(both.out.find("--fuse-mode difference draws it over this one: use --fuse") != std::string::npos);
    const Run text =
        run("register " + q(dir.path / "fixed.nrrd") + " " + q(dir.path / "moving.nrrd") + " -q");
    CHECK(text.code == 0);
    CHECK(text.out.find("mm and turned 4.5") != std::string::npos); // 4.58 degrees, within 0.1
    const Run missing = run("register " + q(dir.path / "fixed.nrrd") + " " + q(dir.path / "nothing.nrrd"));
    CHECK(missing.code == 1);
    CHECK(missing.out.find("nothing.nrrd") != std::string::npos);
    CHECK(run("register " + q(dir.path / "fixed.nrrd")).code == 2);
    const Run series = run("register " + q(dir.path / "fixed.nrrd") + " " + q(dir.path / "moving.nrrd") +
                           " --moving-series 3");
    CHECK(series.code == 2);
    CHECK(series.out.rfind("ctview: --moving-series 3", 0) == 0);
}

TEST_CASE(
    "FuseTask: a series loaded from its file, registered on the task's thread, lands on the base's grid") {
    TempDir dir;
    Geometry grid;
    grid.dims = {64, 56, 40};
    grid.spacing = {2.5, 2.5, 3.0};
    grid.origin = -0.5 * (glm::dvec3(grid.dims) - 1.0) * grid.spacing;
    const glm::dmat4 truth = glm::translate(glm::dmat4(1.0), glm::dvec3(5, 3, -4));
    writeVolume(anatomyVolume(grid, glm::dmat4(1.0)), dir.path / "fixed.nrrd", false);
    writeVolume(anatomyVolume(grid, glm::inverse(truth)), dir.path / "moving.nrrd", false);
    viewer::LoadTask::Staging staging;
    staging.stats3d = false;
    const auto base =
        viewer::LoadTask::loadNow((dir.path / "fixed.nrrd").string(), "", fastOptions(), staging);
    viewer::FuseRequest request;
    request.input = (dir.path / "moving.nrrd").string();
    request.registerFirst = true;
    viewer::FuseTask task(request, base, fastOptions(), nullptr);
    task.wait();
    REQUIRE(task.finished());
    std::string error;
    const std::optional<viewer::ImageLayerView> layer = task.take(error);
    INFO(error);
    REQUIRE(layer);
    REQUIRE(task.registration());
    CHECK(layer->registered);
    CHECK(glm::length(glm::dvec3(layer->toLayer[3]) - glm::dvec3(5, 3, -4)) < 0.3);
    CHECK(layer->link.find("then registered: moved (-5") != std::string::npos);
    // Registered, the layer's voxels are the base's (the same anatomy), but at the edges where the move
    // brought nothing.
    const glm::ivec3 mid = grid.dims / 2;
    CHECK(viewer::imageLayerHu(*layer, grid, mid) ==
          Approx(base->series.volume.at(mid.x, mid.y, mid.z)).margin(15));

    // The series shown, moved again (Align here): no load, no registration, the link as given.
    viewer::FuseRequest again;
    again.loaded = layer->series;
    again.toLayer = viewer::layerMovedBy({1, 2, 3});
    viewer::FuseTask moved(again, base, fastOptions(), nullptr);
    moved.wait();
    const std::optional<viewer::ImageLayerView> shifted = moved.take(error);
    REQUIRE(shifted);
    CHECK_FALSE(moved.registration());
    CHECK(shifted->series == layer->series);
    CHECK(shifted->link.find("moved by (1, 2, 3) mm") != std::string::npos);

    // A file that is not there: the error names it, no layer.
    request.input = (dir.path / "nothing.nrrd").string();
    viewer::FuseTask missing(request, base, fastOptions(), nullptr);
    missing.wait();
    CHECK_FALSE(missing.take(error));
    CHECK(error.find("nothing.nrrd") != std::string::npos);
}
