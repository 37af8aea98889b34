// RTSTRUCT layers (sources/layer_rtstruct.cpp, labels/contours.h): structure sets written here with GDCM over
// a generated CT, their contours drawn on half-voxel lines so that which voxel centres are inside is known
// exactly: a ring (an outer contour and a hole), a contour between slices, a coronal one, marks.
#include "testutil.h"

#include "labels/label_layer.h"
#include "sources/layers.h"
#include "sources/series.h"

#include <catch2/catch.hpp>

#include <set>

using namespace ctview;
using namespace ctview::test;

namespace {

const char* const kFor = "1.2.826.0.1.3680043.2.1125.78.1";

// 12 x 10 x 8 voxels: centre (i, j, k) at LPS (-10 + 0.6 i, 20 + 0.8 j, -30 + 2.5 k).
Series loadCt(const std::filesystem::path& folder) {
    SeriesSpec spec = smallSeries();
    spec.strings["FrameOfReferenceUID"] = kFor;
    writeSeries(spec, folder);
    const auto src = openSource(folder.string(), fastOptions());
    return src->load(src->pick("").number, fastOptions());
}

double xAt(double i) {
    return -10 + 0.6 * i;
}
double yAt(double j) {
    return 20 + 0.8 * j;
}
double zAt(double k) {
    return -30 + 2.5 * k;
}

// An axial rectangle around voxels [i0, i1] x [j0, j1] of slice k (its edges half a voxel out), at z + dz.
RtStructSpec::Contour axialBox(int i0, int i1, int j0, int j1, int k, double dz = 0) {
    const double x0 = xAt(i0 - 0.5), x1 = xAt(i1 + 0.5), y0 = yAt(j0 - 0.5), y1 = yAt(j1 + 0.5),
                 z = zAt(k) + dz;
    return {"CLOSED_PLANAR", {{x0, y0, z}, {x1, y0, z}, {x1, y1, z}, {x0, y1, z}}};
}

std::set<std::size_t> voxelsOf(const LabelLayer& layer, std::size_t segment) {
    std::set<std::size_t> out;
    for (std::size_t n = 0; n < layer.grid.voxelCount(); ++n)
        if (layer.contains(layer.segments[segment], n))
            out.insert(n);
    return out;
}

std::size_t at(int i, int j, int k) {
    return (std::size_t(k) * 10 + std::size_t(j)) * 12 + std::size_t(i);
}

} // namespace

TEST_CASE("RTSTRUCT: a ring's hole stays empty (even-odd), contours between slices and coronal ones land "
          "where they are, marks and short contours are counted") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    RtStructSpec spec;
    spec.frameOfReferenceUID = kFor;
    RtStructSpec::Roi ring{1, "Ring", {255, 128, 0}, {}};
    for (int k = 2; k <= 5; ++k) {
        ring.contours.push_back(axialBox(2, 9, 1, 8, k));
        ring.contours.push_back(axialBox(4, 7, 3, 6, k)); // inside the first: a hole
    }
    RtStructSpec::Roi between{2, "Between", {0, 255, 0}, {axialBox(0, 3, 0, 2, 6, 0.9)}};
    // Coronal: the plane y of row j = 5, around columns 8..10 and slices 1..3.
    const double y = yAt(5), x0 = xAt(7.5), x1 = xAt(10.5), z0 = zAt(0.5), z1 = zAt(3.5);
    RtStructSpec::Roi coronal{
        3, "Coronal", {0, 0, 255}, {{"CLOSED_PLANAR", {{x0, y, z0}, {x1, y, z0}, {x1, y, z1}, {x0, y, z1}}}}};
    RtStructSpec::Roi marks{4,
                            "Marks",
                            {255, 255, 0},
                            {{"POINT", {{xAt(1), yAt(1), zAt(1)}}},
                             {"CLOSED_PLANAR", {{xAt(1), yAt(1), zAt(1)}, {xAt(2), yAt(2), zAt(1)}}}}};
    RtStructSpec::Roi line{
        5,
        "Line",
        {0, 255, 255},
        {{"OPEN_PLANAR", {{xAt(2), yAt(7), zAt(3)}, {xAt(6), yAt(7), zAt(3)}, {xAt(9), yAt(8), zAt(3)}}},
         {"OPEN_PLANAR", {{xAt(2), yAt(7), zAt(3)}}}}};
    spec.rois = {ring, between, coronal, marks, line};
    writeRtStruct(spec, dir.path / "rt.dcm");

    const LabelLayer layer = openLayer(dir.path / "rt.dcm", ct, fastOptions());
    CHECK(layer.kind == "RTSTRUCT");
    REQUIRE(layer.segments.size() == 5);
    CHECK(layer.segments[0].name == "Ring");
    CHECK(layer.segments[0].color == glm::vec3(1.0f, 128 / 255.0f, 0.0f));

    std::set<std::size_t> ringVoxels, betweenVoxels, coronalVoxels;
    for (int k = 2; k <= 5; ++k)
        for (int j = 1; j <= 8; ++j)
            for (int i = 2; i <= 9; ++i)
                if (!(i >= 4 && i <= 7 && j >= 3 && j <= 6))
                    ringVoxels.insert(at(i, j, k));
    for (int j = 0; j <= 2; ++j)
        for (int i = 0; i <= 3; ++i)
            betweenVoxels.insert(at(i, j, 6)); // 0.9 mm past slice 6 of 2.5 mm steps: slice 6
    for (int k = 1; k <= 3; ++k)
        for (int i = 8; i <= 10; ++i)
            coronalVoxels.insert(at(i, 5, k));
    CHECK(voxelsOf(layer, 0) == ringVoxels);
    CHECK(voxelsOf(layer, 1) == betweenVoxels);
    CHECK(voxelsOf(layer, 2) == coronalVoxels);
    CHECK(voxelsOf(layer, 3).empty());
    CHECK(voxelsOf(layer, 4).empty());
    // The POINT and OPEN contours are the layer's marks and lines, in patient space, with their ROI.
    REQUIRE(layer.marks.size() == 2);
    CHECK(layer.marks[0].point);
    CHECK(layer.marks[0].segment == 3);
    CHECK(layer.marks[0].points == std::vector<glm::dvec3>{{xAt(1), yAt(1), zAt(1)}});
    CHECK_FALSE(layer.marks[1].point);
    CHECK(layer.marks[1].segment == 4);
    CHECK(layer.marks[1].points.size() == 3);

    const std::string notes = [&] {
        std::string all;
        for (const std::string& n : layer.notes)
            all += n + "\n";
        return all;
    }();
    INFO(notes);
    CHECK(notes.find("1 contour lies between the series' slices: put on the nearest") != std::string::npos);
    CHECK(notes.find("not shown") == std::string::npos);
    // What it could not show is a problem (the commands warn, the window lists it), not a note.
    REQUIRE(layer.problems.size() == 1);
    CHECK(layer.problems[0] ==
          "2 contours with too few points (3 for a closed one, 2 for an open one) left out");
}

TEST_CASE("RTSTRUCT: another frame of reference is named with the reason, in the CT's folder it is found") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    RtStructSpec spec;
    spec.frameOfReferenceUID = "1.2.3.4.5";
    spec.rois = {{1, "Box", {255, 0, 0}, {axialBox(2, 4, 2, 4, 3)}}};
    writeRtStruct(spec, dir.path / "other.dcm");
    Run r = run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "other.dcm"));
    CHECK(r.code == 1);
    CHECK(r.out.find("other.dcm: ROI \"Box\" is drawn in another frame of reference (1.2.3.4.5)") !=
          std::string::npos);

    spec.frameOfReferenceUID = kFor;
    writeRtStruct(spec, dir.path / "ct" / "rt.dcm");
    r = run("segments -q " + q(dir.path / "ct"));
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.out.find("rt.dcm (RTSTRUCT): 1 segment") != std::string::npos);
    CHECK(r.out.find("Box") != std::string::npos);
}
