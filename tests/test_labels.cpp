// Segmentations as layers (labels/, sources/layers): the group packing, labelmaps in NIfTI and NRRD on the
// CT's grid or their own, label tables, `ctview segments`, and bad files. Every expected voxel is computed
// here from the shapes in patient space, not read back.
#include "testutil.h"

#include "base/error.h"
#include "labels/label_layer.h"
#include "labels/label_table.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/layers.h"
#include "sources/series.h"
#include "viewer/app_state.h"
#include "viewer/input.h"
#include "viewer/label_task.h"
#include "viewer/load_task.h"
#include "volume/colormap.h"

#include <nifti/nifti1_io.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace ctview;
using namespace ctview::test;

namespace {

// The CT: 12 x 10 x 8 voxels of 0.6 x 0.8 x 2.5 mm at LPS (-10, 20, -30), HU storedPattern - 1024.
Series loadCt(const std::filesystem::path& folder) {
    writeSeries(smallSeries(), folder);
    const auto src = openSource(folder.string(), fastOptions());
    return src->load(src->pick("").number, fastOptions());
}

// A sphere of radius 2.6 mm about an LPS point inside the CT, and a box: the two labels of the labelmaps.
constexpr glm::dvec3 kCentre{-7.0, 23.2, -25.0};
int shapeAt(glm::dvec3 lps) {
    if (glm::length(lps - kCentre) <= 2.6)
        return 1;
    if (lps.x >= -4.5 && lps.x <= -3.0 && lps.y >= 20.0 && lps.y <= 22.0 && lps.z >= -20.1 && lps.z <= -14.9)
        return 7;
    return 0;
}

// A NIfTI-1 labelmap (uint8) of grid `g` written by nifticlib, in RAS as NIfTI defines (sform: LPS flipped in
// x and y), each voxel's label shapeAt its centre (moved by `shift` mm); with `only`, a 0/1 mask of that
// label.
void writeLabelmap(const Geometry& g, const std::filesystem::path& p, glm::dvec3 shift = glm::dvec3(0),
                   int only = 0) {
    int dim[8] = {3, g.dims.x, g.dims.y, g.dims.z, 1, 1, 1, 1};
    nifti_image* nim = nifti_make_new_nim(dim, DT_UINT8, 1);
    nim->dx = nim->pixdim[1] = float(g.spacing.x);
    nim->dy = nim->pixdim[2] = float(g.spacing.y);
    nim->dz = nim->pixdim[3] = float(g.spacing.z);
    nim->xyz_units = NIFTI_UNITS_MM;
    nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
    for (int r = 0; r < 3; ++r) {
        const double flip = r < 2 ? -1.0 : 1.0; // LPS -> RAS
        for (int c = 0; c < 3; ++c)
            nim->sto_xyz.m[r][c] = float(flip * g.direction[c][r] * g.spacing[c]);
        nim->sto_xyz.m[r][3] = float(flip * g.origin[r]);
    }
    nim->sto_xyz.m[3][0] = nim->sto_xyz.m[3][1] = nim->sto_xyz.m[3][2] = 0;
    nim->sto_xyz.m[3][3] = 1;
    auto* data = static_cast<std::uint8_t*>(nim->data);
    std::size_t n = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const int label = shapeAt(g.voxelToPatient(glm::dvec3(i, j, k)) - shift);
                data[n++] = std::uint8_t(only == 0 ? label : int(label == only));
            }
    REQUIRE(nifti_set_filenames(nim, p.c_str(), 0, 1) == 0);
    nifti_image_write(nim);
    nifti_image_free(nim);
    REQUIRE(std::filesystem::exists(p));
}

struct Expected {
    std::size_t voxels = 0;
    double sum = 0;
};
// Label `label` of shapeAt sampled on `labels` and resampled nearest-voxel onto the CT, counted on the CT.
Expected expectedOnCt(const Series& ct, const Geometry& labels, int label) {
    const Geometry& g = ct.volume.geometry();
    Expected e;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const glm::dvec3 v = glm::round(labels.patientToVoxel(g.voxelToPatient(glm::dvec3(i, j, k))));
                if (glm::any(glm::lessThan(v, glm::dvec3(0))) ||
                    glm::any(glm::greaterThanEqual(v, glm::dvec3(labels.dims))))
                    continue;
                if (shapeAt(labels.voxelToPatient(v)) != label)
                    continue;
                ++e.voxels;
                e.sum += ct.volume.at(i, j, k);
            }
    return e;
}

} // namespace

TEST_CASE("label layers: overlapping segments go to different groups, the rest share one") {
    Geometry g;
    g.dims = {4, 3, 2};
    const std::size_t n = g.voxelCount();
    LabelLayerBuilder b(g);
    std::vector<std::uint8_t> a(n, 0), c(n, 0), d(n, 0);
    a[0] = a[1] = 1;
    c[1] = c[2] = 1; // overlaps a at voxel 1
    d[5] = 1;        // overlaps neither
    b.add({1, "a"}, a);
    b.add({2, "c"}, c);
    b.add({3, "d"}, d);
    const LabelLayer layer = b.take("test", "", "DICOM SEG");
    REQUIRE(layer.groups.size() == 2);
    CHECK(layer.segments[0].group == 0);
    CHECK(layer.segments[1].group == 1);
    CHECK(layer.segments[2].group == 0);
    CHECK(layer.bytes() == 2 * n);
    for (std::size_t v = 0; v < n; ++v) {
        CHECK(layer.contains(layer.segments[0], v) == bool(a[v]));
        CHECK(layer.contains(layer.segments[1], v) == bool(c[v]));
        CHECK(layer.contains(layer.segments[2], v) == bool(d[v]));
    }
}

TEST_CASE("label layers: segments that overlap every value group share bit groups, eight a byte, each exact "
          "in its voxels, statistics and edits") {
    Geometry g;
    g.dims = {12, 5, 3};
    g.spacing = {0.5, 1.0, 2.0};
    const std::size_t n = g.voxelCount();
    Volume ct(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    auto* hu = static_cast<std::int16_t*>(ct.data());
    for (std::size_t v = 0; v < n; ++v)
        hu[v] = std::int16_t(int(v * 37 % 101) - 50);
    // Twelve segments, each overlapping every one before it (column 11 is in all), then a small one.
    auto in = [&](std::size_t s, std::size_t v) {
        const std::size_t i = v % 12, j = v / 12 % 5, k = v / 60;
        return i >= s && (i == 11 || (i + j + k + s) % 3 != 0);
    };
    LabelLayerBuilder b(g);
    std::vector<std::vector<std::uint8_t>> masks(13, std::vector<std::uint8_t>(n, 0));
    for (std::size_t s = 0; s < 12; ++s)
        for (std::size_t v = 0; v < n; ++v)
            masks[s][v] = in(s, v);
    masks[12][0] = masks[12][12] = 1; // (0, 1, 0) is segment 1's, neither is segment 2's
    for (std::size_t s = 0; s < 13; ++s)
        b.add({int(s) + 1, "s" + std::to_string(s + 1)}, masks[s]);
    const LabelLayer layer = b.take("test", "", "DICOM SEG");
    // Two value groups (the first two segments), then two bit groups: eight segments and two.
    REQUIRE(layer.groups.size() == 4);
    CHECK_FALSE(layer.isBitGroup(0));
    CHECK_FALSE(layer.isBitGroup(1));
    CHECK(layer.isBitGroup(2));
    CHECK(layer.isBitGroup(3));
    CHECK(layer.segments[2].group == 2);
    CHECK(layer.segments[2].value == 1);
    CHECK(layer.segments[9].value == 128);
    CHECK(layer.segments[10].group == 3);
    CHECK(layer.segments[12].group == 1); // value groups first, where it overlaps none
    CHECK(layer.freeValue(2) == 0);
    CHECK(layer.freeValue(3) == 4);
    CHECK(layer.bytes() == 4 * n);
    for (std::size_t s = 0; s < 13; ++s)
        for (std::size_t v = 0; v < n; ++v)
            CHECK(layer.contains(layer.segments[s], v) == bool(masks[s][v]));

    // Every segment measured as its own mask would be: voxels, sums, min, max, box.
    auto expected = [&](const std::vector<std::uint8_t>& mask) {
        SegmentStats st;
        st.min = 1e9f, st.max = -1e9f;
        st.voxelMin = glm::ivec3(1000), st.voxelMax = glm::ivec3(-1);
        for (std::size_t v = 0; v < n; ++v)
            if (mask[v]) {
                const glm::ivec3 p(int(v % 12), int(v / 12 % 5), int(v / 60));
                ++st.voxels;
                st.sum += hu[v];
                st.min = std::min(st.min, float(hu[v]));
                st.max = std::max(st.max, float(hu[v]));
                st.voxelMin = glm::min(st.voxelMin, p);
                st.voxelMax = glm::max(st.voxelMax, p);
            }
        return st;
    };
    auto checkStats = [&](const std::vector<SegmentStats>& stats,
                          const std::vector<std::vector<std::uint8_t>>& m) {
        REQUIRE(stats.size() == m.size());
        for (std::size_t s = 0; s < m.size(); ++s) {
            INFO("segment " << s + 1);
            const SegmentStats want = expected(m[s]);
            CHECK(stats[s].voxels == want.voxels);
            CHECK(stats[s].sum == want.sum);
            if (want.voxels) {
                CHECK(stats[s].min == want.min);
                CHECK(stats[s].max == want.max);
                CHECK(stats[s].voxelMin == want.voxelMin);
                CHECK(stats[s].voxelMax == want.voxelMax);
            }
        }
    };
    LabelLayer edited = layer;
    edited.stats = measureSegments(layer, ct);
    checkStats(edited.stats, masks);

    // An edit of a bit group within a box (segment 4 leaves, segment 11's group gains segment 12 there):
    // the statistics brought up to date from the change equal a new measurement.
    const glm::ivec3 lo(6, 1, 0), hi(11, 3, 2);
    std::vector<std::uint8_t> before;
    for (int k = lo.z; k <= hi.z; ++k)
        for (int j = lo.y; j <= hi.y; ++j)
            for (int i = lo.x; i <= hi.x; ++i) {
                const std::size_t v = std::size_t((k * 5 + j) * 12 + i);
                before.push_back(edited.groups[2][v]);
                edited.groups[2][v] = withSegment(edited.segments[3], edited.groups[2][v], false);
                masks[3][v] = 0;
            }
    updateStats(edited, ct, 2, lo, hi, before);
    checkStats(edited.stats, masks);

    // For files whose layers are labelmaps: value groups only, every segment's voxels as they were.
    const LabelLayer values = withValueGroupsOnly(layer);
    CHECK(values.groups.size() >= 3);
    for (std::size_t s = 0; s < 13; ++s) {
        CHECK(values.segments[s].kind == GroupKind::Value);
        CHECK(values.segments[s].name == layer.segments[s].name);
        for (std::size_t v = 0; v < n; ++v)
            CHECK(values.contains(values.segments[s], v) == layer.contains(layer.segments[s], v));
    }
    // Segments that never overlap stay in one value group, however many there are.
    LabelLayerBuilder apart(g);
    for (std::size_t v = 0; v < 40; ++v)
        apart.add({int(v) + 1, ""}, std::vector<std::uint32_t>{std::uint32_t(v)});
    CHECK(apart.take("", "", "").groups.size() == 1);
}

TEST_CASE("label layers: voxel lists in any order, with repeats, are placed as their sets") {
    Geometry g;
    g.dims = {4, 3, 2};
    LabelLayerBuilder b(g);
    b.add({1, "a"}, std::vector<std::uint32_t>{5, 1, 5, 23, 1}); // two frames of a SEG on one slice repeat
    b.add({2, "b"}, std::vector<std::uint32_t>{7, 7, 2});        // apart from a: the same group
    b.add({3, "c"}, std::vector<std::uint32_t>{3, 23, 23});      // overlaps a at 23 only
    const LabelLayer layer = b.take("test", "", "DICOM SEG");
    REQUIRE(layer.groups.size() == 2);
    CHECK(layer.segments[1].group == 0);
    CHECK(layer.segments[2].group == 1);
    for (std::uint32_t v = 0; v < g.voxelCount(); ++v) {
        CHECK(layer.contains(layer.segments[0], v) == (v == 1 || v == 5 || v == 23));
        CHECK(layer.contains(layer.segments[1], v) == (v == 2 || v == 7));
        CHECK(layer.contains(layer.segments[2], v) == (v == 3 || v == 23));
    }
    LabelLayerBuilder off(g);
    CHECK_THROWS_WITH(off.add({1, "far"}, std::vector<std::uint32_t>{24, 0}),
                      Catch::Contains("a voxel off the layer's grid"));
    // A number taken (a .seg.nrrd's label value 1 in two of its layers) becomes the next free one.
    LabelLayerBuilder twice(g);
    twice.add({1, "layer 0's 1"}, std::vector<std::uint32_t>{0});
    twice.add({4, "four"}, std::vector<std::uint32_t>{1});
    twice.add({1, "layer 1's 1"}, std::vector<std::uint32_t>{0});
    const LabelLayer numbered = twice.take("", "", "labelmap");
    CHECK(numbered.segments[0].number == 1);
    CHECK(numbered.segments[1].number == 4);
    CHECK(numbered.segments[2].number == 5);
}

TEST_CASE("label layers: a labelmap of 300 labels takes two groups, each label exact") {
    Geometry g;
    g.dims = {30, 10, 2};
    std::vector<std::int16_t> values(g.voxelCount());
    for (std::size_t v = 0; v < values.size(); ++v)
        values[v] = std::int16_t(v % 301); // 0 and 1..300
    const LabelLayer layer = layerFromLabelValues(g, values.data(), {{7, "seven", true, {0, 1, 0}}});
    REQUIRE(layer.segments.size() == 300);
    CHECK(layer.groups.size() == 2);
    CHECK(layer.segments[6].name == "seven");
    CHECK(layer.segments[6].color == glm::vec3(0, 1, 0));
    CHECK(layer.segments[7].name == "Label 8");
    for (std::size_t v = 0; v < values.size(); ++v)
        for (std::size_t s : {std::size_t(0), std::size_t(254), std::size_t(255), std::size_t(299)})
            CHECK(layer.contains(layer.segments[s], v) == (values[v] == layer.segments[s].number));
}

TEST_CASE("label layers: CIELab display values to sRGB") {
    // PS3.3 C.10.7.1.1: L* 0..100 and a*, b* -128..127 scaled to 0..65535. White, black, and DICOM's encoding
    // of an sRGB red (L* 53.24, a* 80.09, b* 67.20).
    const glm::vec3 white = cielabToRgb(65535, 32896, 32896);
    CHECK(white.r == Approx(1.0).margin(0.01));
    CHECK(white.g == Approx(1.0).margin(0.01));
    CHECK(white.b == Approx(1.0).margin(0.01));
    const glm::vec3 black = cielabToRgb(0, 32896, 32896);
    CHECK(black.r == Approx(0.0).margin(0.01));
    auto scaled = [](double v, double lo, double hi) {
        return std::uint16_t(std::lround((v - lo) / (hi - lo) * 65535));
    };
    const glm::vec3 red =
        cielabToRgb(scaled(53.24, 0, 100), scaled(80.09, -128, 127), scaled(67.20, -128, 127));
    CHECK(red.r == Approx(1.0).margin(0.01));
    CHECK(red.g == Approx(0.0).margin(0.02));
    CHECK(red.b == Approx(0.0).margin(0.02));
}

TEST_CASE("label tables: ITK-SNAP, JSON both ways, nnU-Net's dataset.json, plain text, Slicer fields") {
    TempDir dir;
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir.path / name) << text;
        return dir.path / name;
    };
    auto snap =
        readLabelTable(write("snap.txt", "# ITK-SnAP Label Description File\n"
                                         "    0     0    0    0        0  0  0    \"Clear Label\"\n"
                                         "    1   255    0    0        1  1  1    \"Liver\"\n"
                                         "    2     0  128  255        1  1  1    \"Left kidney\"\n"));
    REQUIRE(snap.size() == 2);
    CHECK(snap[1].value == 2);
    CHECK(snap[1].name == "Left kidney");
    CHECK(snap[1].color.b == Approx(1.0));
    CHECK(snap[1].color.g == Approx(128 / 255.0));
    auto byValue = readLabelTable(write("a.json", R"({"1": "spleen", "2": "kidney_right"})"));
    REQUIRE(byValue.size() == 2);
    CHECK(byValue[0].name == "spleen");
    auto nnunet =
        readLabelTable(write("dataset.json", R"({"labels": {"background": 0, "liver": 1, "tumor": 2}})"));
    REQUIRE(nnunet.size() == 2);
    CHECK(nnunet[1].value == 2);
    CHECK(nnunet[1].name == "tumor");
    auto text = readLabelTable(write("t.txt", "1 urinary bladder\n2 prostate\n"));
    REQUIRE(text.size() == 2);
    CHECK(text[0].name == "urinary bladder");
    CHECK_THROWS_AS(readLabelTable(write("bad.txt", "this is not a table\n")), DataError);

    int layers = 0;
    auto slicer = slicerSegmentTable({{"Segment0_Name", "Tumor"},
                                      {"Segment0_Color", "0.5 0.25 1"},
                                      {"Segment0_LabelValue", "3"},
                                      {"Segment0_Layer", "0"},
                                      {"Segment1_Name", "Other layer"},
                                      {"Segment1_LabelValue", "1"},
                                      {"Segment1_Layer", "1"}},
                                     &layers);
    CHECK(layers == 2);
    REQUIRE(slicer.size() == 2); // each with its layer (a layered file keeps them apart)
    CHECK(slicer[0].value == 3);
    CHECK(slicer[0].name == "Tumor");
    CHECK(slicer[0].layer == 0);
    CHECK(slicer[0].color == glm::vec3(0.5f, 0.25f, 1.0f));
    CHECK(slicer[1].name == "Other layer");
    CHECK(slicer[1].layer == 1);
}

TEST_CASE("labelmaps: NIfTI in RAS on the CT's grid, every voxel exact, names from a sidecar") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    writeLabelmap(g, dir.path / "seg.nii.gz");
    std::ofstream(dir.path / "seg.json") << R"({"1": "sphere", "7": "box"})";
    const LabelLayer layer = openLayer(dir.path / "seg.nii.gz", ct, fastOptions());
    CHECK(layer.kind == "labelmap");
    CHECK(layer.name == "seg.nii.gz");
    REQUIRE(layer.segments.size() == 2);
    CHECK(layer.segments[0].name == "sphere");
    CHECK(layer.segments[1].number == 7);
    CHECK(layer.segments[1].name == "box");
    CHECK(layer.groups.size() == 1);
    std::size_t n = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i, ++n) {
                const int label = shapeAt(g.voxelToPatient(glm::dvec3(i, j, k)));
                CHECK(layer.contains(layer.segments[0], n) == (label == 1));
                CHECK(layer.contains(layer.segments[1], n) == (label == 7));
            }
    const std::vector<SegmentStats> stats = measureSegments(layer, ct.volume);
    const Expected sphere = expectedOnCt(ct, g, 1);
    REQUIRE(sphere.voxels > 10);
    CHECK(stats[0].voxels == sphere.voxels);
    CHECK(stats[0].volumeMl == Approx(double(sphere.voxels) * 0.6 * 0.8 * 2.5 / 1000));
    CHECK(stats[0].mean == Approx(sphere.sum / double(sphere.voxels)));
}

TEST_CASE("labelmaps: on a grid of their own, resampled onto the CT nearest-voxel, and said so") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    Geometry coarse;
    coarse.dims = {5, 4, 4};
    coarse.spacing = {1.5, 2.0, 5.0};
    coarse.origin = {-10.3, 19.7, -31.0};
    writeLabelmap(coarse, dir.path / "coarse.nii");
    const LabelLayer layer = openLayer(dir.path / "coarse.nii", ct, fastOptions());
    REQUIRE(!layer.notes.empty());
    CHECK(layer.notes[0].find("resampled onto the series' grid") != std::string::npos);
    const std::vector<SegmentStats> stats = measureSegments(layer, ct.volume);
    for (std::size_t s = 0; s < layer.segments.size(); ++s) {
        const Expected e = expectedOnCt(ct, coarse, layer.segments[s].number);
        CHECK(stats[s].voxels == e.voxels);
    }
}

TEST_CASE(
    "labelmaps: resampled onto a coarser grid, only the labelled voxels past the grid's edge are said to "
    "lie outside it") {
    Geometry to; // 4 x 4 x 4 voxels, 3 mm slices: its voxels' boxes span z -1.5 to 10.5 mm
    to.dims = {4, 4, 4};
    to.spacing = {1, 1, 3};
    Geometry from = to; // 1 mm slices over the same span: most are no slice's nearest, none outside
    from.dims = {4, 4, 12};
    from.spacing = {1, 1, 1};
    from.origin = {0, 0, -1};
    const std::vector<std::int16_t> ones(from.voxelCount(), 1);
    std::size_t outside = 99;
    const std::vector<std::int16_t> on = resampleLabels(from, ones.data(), to, &outside);
    CHECK(outside == 0);
    CHECK(std::count(on.begin(), on.end(), 1) == 64);
    from.origin.z = -3; // its first two slices (z -3 and -2 mm) lie below the grid's edge
    resampleLabels(from, ones.data(), to, &outside);
    CHECK(outside == 2 * 16);
}

TEST_CASE("labelmaps: 3D Slicer's .seg.nrrd in layers keeps overlapping segments, each exact, in the file's "
          "order") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    // Layer 0: the sphere (1) and one corner voxel (2); layer 1: a box (1) across the sphere. The layer axis
    // first and fastest, as Slicer writes it ("sizes: 2 12 10 8", "kinds: list domain domain domain").
    auto inBox = [](int i, int j, int k) { return i >= 3 && i <= 8 && j >= 2 && j <= 6 && k >= 1 && k <= 3; };
    std::string data;
    std::size_t sphere = 0, box = 0, both = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const bool s = shapeAt(g.voxelToPatient(glm::dvec3(i, j, k))) == 1, b = inBox(i, j, k);
                data += char(s ? 1 : (i == 0 && j == 0 && k == 0 ? 2 : 0));
                data += char(b ? 1 : 0);
                sphere += s;
                box += b;
                both += s && b;
            }
    REQUIRE(both > 0); // the test needs the overlap it claims
    std::ofstream(dir.path / "seg.seg.nrrd", std::ios::binary)
        << "NRRD0004\ntype: uint8\ndimension: 4\nspace: left-posterior-superior\nsizes: 2 12 10 8\n"
           "space directions: none (0.6,0,0) (0,0.8,0) (0,0,2.5)\nkinds: list domain domain domain\n"
           "encoding: raw\nspace origin: (-10,20,-30)\n"
           "Segment0_Name:=Sphere\nSegment0_Color:=1 0 0\nSegment0_Layer:=0\nSegment0_LabelValue:=1\n"
           "Segment1_Name:=Box\nSegment1_Color:=0 1 0\nSegment1_Layer:=1\nSegment1_LabelValue:=1\n"
           "Segment2_Name:=Corner\nSegment2_Layer:=0\nSegment2_LabelValue:=2\n\n"
        << data;
    const LabelLayer layer = openLayer(dir.path / "seg.seg.nrrd", ct, fastOptions());
    REQUIRE(layer.segments.size() == 3);
    CHECK(layer.segments[0].name == "Sphere");
    CHECK(layer.segments[1].name == "Box");
    CHECK(layer.segments[2].name == "Corner");
    CHECK(layer.segments[1].color == glm::vec3(0, 1, 0));
    CHECK(layer.groups.size() == 2); // the sphere and the box overlap
    std::size_t n = 0, gotSphere = 0, gotBox = 0, gotBoth = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i, ++n) {
                const bool s = layer.contains(layer.segments[0], n), b = layer.contains(layer.segments[1], n);
                CHECK(s == (shapeAt(g.voxelToPatient(glm::dvec3(i, j, k))) == 1));
                CHECK(b == inBox(i, j, k));
                CHECK(layer.contains(layer.segments[2], n) == (n == 0));
                gotSphere += s;
                gotBox += b;
                gotBoth += s && b;
            }
    CHECK(gotSphere == sphere);
    CHECK(gotBox == box);
    CHECK(gotBoth == both);
    // Opened as a series, it says what it is.
    CHECK_THROWS_WITH(openSource((dir.path / "seg.seg.nrrd").string(), fastOptions()),
                      Catch::Contains("a segmentation in 2 layers"));
}

TEST_CASE("ctview segments: the table and JSON, bad labelmaps named with the reason, exit 1") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    writeLabelmap(ct.volume.geometry(), dir.path / "seg.nii.gz");
    std::ofstream(dir.path / "seg.json") << R"({"1": "sphere", "7": "box"})";
    const Expected sphere = expectedOnCt(ct, ct.volume.geometry(), 1);
    const Expected box = expectedOnCt(ct, ct.volume.geometry(), 7);

    Run r = run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "seg.nii.gz") + " --json");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["segments"].size() == 2);
    CHECK(j["layers"][0]["kind"] == "labelmap");
    CHECK(j["segments"][0]["name"] == "sphere");
    CHECK(j["segments"][0]["voxels"] == sphere.voxels);
    CHECK(j["segments"][0]["hu"]["mean"].get<double>() == Approx(sphere.sum / double(sphere.voxels)));
    CHECK(j["segments"][1]["number"] == 7);
    CHECK(j["segments"][1]["voxels"] == box.voxels);
    CHECK(j["segments"][1]["volume_ml"].get<double>() == Approx(double(box.voxels) * 0.6 * 0.8 * 2.5 / 1000));
    CHECK(j["segments"][0]["color"].size() == 3);
    CHECK(j["segments"][0]["bbox_lps"].size() == 2);

    r = run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "seg.nii.gz"));
    REQUIRE(r.code == 0);
    CHECK(r.out.find("seg.nii.gz (labelmap): 2 segments") != std::string::npos);
    CHECK(r.out.find("sphere") != std::string::npos);

    SECTION("no such file") {
        r = run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "nothere.nii"));
        CHECK(r.code == 1);
        CHECK(r.out.find("nothere.nii: no such file") != std::string::npos);
    }
    SECTION("an image, not a labelmap") {
        r = run("convert -q " + q(dir.path / "ct") + " -o " + q(dir.path / "image.nii"));
        REQUIRE(r.code == 0);
        r = run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "image.nii"));
        CHECK(r.code == 1);
        CHECK(r.out.find("image.nii: not a labelmap") != std::string::npos);
    }
    SECTION("a labelmap that does not overlap the series, and one with no label at all") {
        Geometry far = ct.volume.geometry();
        far.origin += glm::dvec3(500, 0, 0);
        writeLabelmap(far, dir.path / "far.nii", {500, 0, 0}); // the same shapes, 50 cm to the left
        r = run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "far.nii"));
        CHECK(r.code == 1);
        CHECK(r.out.find("far.nii: its labels do not overlap the series") != std::string::npos);
        writeLabelmap(far, dir.path / "empty.nii"); // the shapes where they were: off this grid
        r = run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "empty.nii"));
        CHECK(r.code == 0);
        CHECK(r.out.find("no labelled voxel") != std::string::npos);
    }
    SECTION("no --labels, and none beside the series") {
        r = run("segments -q " + q(dir.path / "ct"));
        CHECK(r.code == 1);
        CHECK(r.out.find("no segmentation of this series found beside it; give one with --labels FILE") !=
              std::string::npos);
    }
}

TEST_CASE("labelmaps: a folder of masks (TotalSegmentator's segmentations/) is one layer, a segment per file "
          "named for it, an empty one listed") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    const auto masks = dir.path / "segmentations";
    std::filesystem::create_directories(masks);
    writeLabelmap(g, masks / "sphere.nii.gz", {}, 1);
    writeLabelmap(g, masks / "box.nii.gz", {}, 7);
    writeLabelmap(g, masks / "adrenal_gland.nii.gz", {}, 3); // no voxel is 3: a structure the scan lacks
    std::ofstream(masks / "README.txt") << "not a mask";
    std::ofstream(masks / "zz_broken.nii") << "not a NIfTI file";
    std::ofstream(masks / "labels.json") << R"({"1": "not the masks' name"})"; // a folder's table: not theirs
    const LabelLayer layer = openLayer(masks, ct, fastOptions());
    CHECK(layer.name == "segmentations");
    REQUIRE(layer.segments.size() == 3);
    CHECK(layer.segments[0].name == "adrenal_gland"); // in the files' order, each named for its file
    CHECK(layer.segments[1].name == "box");
    CHECK(layer.segments[2].name == "sphere");
    for (int s = 0; s < 3;
         ++s) // numbered apart (every mask's own value is 1): undo and --segment N tell them so
        CHECK(layer.segments[std::size_t(s)].number == s + 1);
    CHECK(layer.segments[1].color != layer.segments[2].color);
    REQUIRE(layer.problems.size() == 1);
    CHECK(layer.problems[0].find("zz_broken.nii") != std::string::npos);
    CHECK(layer.problems[0].find("left out") != std::string::npos);
    CHECK(layer.groups.size() == 1); // disjoint masks share a byte, not a byte each
    const std::vector<SegmentStats> stats = measureSegments(layer, ct.volume);
    CHECK(stats[0].voxels == 0);
    CHECK(stats[1].voxels == expectedOnCt(ct, g, 7).voxels);
    CHECK(stats[2].voxels == expectedOnCt(ct, g, 1).voxels);
    CHECK(std::find(layer.notes.begin(), layer.notes.end(), "adrenal_gland.nii.gz: no labelled voxel") !=
          layer.notes.end());
    std::filesystem::remove(masks / "zz_broken.nii");

    // Beside a labelmap that names its labels the same: --segment takes LAYER:NAME to pick one; the name
    // alone is a usage error that lists them so.
    writeLabelmap(g, dir.path / "seg.nii.gz");
    std::ofstream(dir.path / "seg.json") << R"({"1": "sphere", "7": "box", "9": "pancreas"})";
    const std::string both =
        q(dir.path / "ct") + " --labels " + q(dir.path / "seg.nii.gz") + " --labels " + q(masks);
    Run r = run("convert -q " + both + " --segment sphere -o " + q(dir.path / "m.nii"));
    CHECK(r.code == 2);
    CHECK(
        r.out.find("--segment sphere: names 2 segments; give one: seg.nii.gz:sphere, segmentations:sphere") !=
        std::string::npos);
    r = run("convert -q " + both + " --segment segmentations:sphere -o " + q(dir.path / "m.nii"));
    REQUIRE(r.code == 0);
    const Series mask = [&] {
        const auto src = openSource((dir.path / "m.nii").string(), fastOptions());
        return src->load(src->pick("").number, fastOptions());
    }();
    std::size_t ones = 0;
    for (std::size_t n = 0; n < g.voxelCount(); ++n)
        ones += mask.volume.int16Data()[n] == 1;
    CHECK(ones == expectedOnCt(ct, g, 1).voxels);
    // Two layers of the same file name (seg.nii.gz of two folders): each is called by its path.
    std::filesystem::create_directories(dir.path / "b");
    std::filesystem::copy_file(dir.path / "seg.nii.gz", dir.path / "b" / "seg.nii.gz");
    const std::string twins = q(dir.path / "ct") + " --labels " + q(dir.path / "seg.nii.gz") + " --labels " +
                              q(dir.path / "b" / "seg.nii.gz");
    r = run("convert -q " + twins + " --segment 7 -o " + q(dir.path / "m.nii") + " --force");
    CHECK(r.code == 2);
    INFO(r.out);
    CHECK(r.out.find("give one: " + (dir.path / "seg.nii.gz").string() + ":box, " +
                     (dir.path / "b" / "seg.nii.gz").string() + ":Label 7") != std::string::npos);
    r = run("convert -q " + twins + " --segment " + q((dir.path / "b" / "seg.nii.gz").string() + ":7") +
            " -o " + q(dir.path / "m.nii") + " --force");
    CHECK(r.code == 0);
    // The table's label that no voxel has is said; `segments --json` says the layers and any problems.
    r = run("segments -q --json " + both);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["layers"][0]["notes"][1] == "1 label of the table with no voxel here: pancreas");
    CHECK(j["layers"][1]["kind"] == "labelmap folder");
    CHECK(j["problems"].empty());
    CHECK(j["layers"][1]["problems"].empty());
    CHECK(j["segments"].size() == 5);
}

TEST_CASE("the window adds a dropped labelmap to the open series, a dropped CT volume opens as a series "
          "(issue 27.2)") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    writeLabelmap(ct.volume.geometry(), dir.path / "seg.nii.gz");
    std::ofstream(dir.path / "seg.json") << R"({"1": "sphere", "7": "box"})";
    std::ofstream(dir.path / "notes.txt") << "not a segmentation";
    // The CT itself as a NIfTI: an image (negative HU), not labels.
    writeVolume(ct.volume, dir.path / "ct.nii.gz", false);
    viewer::LoadTask task((dir.path / "ct").string(), "", fastOptions(), nullptr, nullptr);
    task.wait();
    std::string error;
    auto d = task.take(error);
    REQUIRE(d);
    viewer::AppState s;
    // No series open: whatever is dropped opens; while one loads, a segmentation waits for it.
    CHECK(viewer::droppedCommand(s, (dir.path / "seg.nii.gz").string()).kind == viewer::Command::Kind::Open);
    s.load.active = true;
    CHECK(viewer::droppedCommand(s, (dir.path / "seg.nii.gz").string()).kind ==
          viewer::Command::Kind::AddLabels);
    CHECK(viewer::droppedCommand(s, (dir.path / "ct").string()).kind == viewer::Command::Kind::Open);
    // Shift with nothing open yet: nothing to be beside, it opens.
    CHECK(viewer::droppedCommand(s, (dir.path / "ct").string(), true).kind == viewer::Command::Kind::Open);
    s.load.active = false;
    viewer::adoptDataset(s, d);
    const viewer::Command add = viewer::droppedCommand(s, (dir.path / "seg.nii.gz").string());
    CHECK(add.kind == viewer::Command::Kind::AddLabels);
    CHECK(add.series == 1); // dropped: an image rather than labels opens
    CHECK(viewer::droppedCommand(s, (dir.path / "ct").string()).kind == viewer::Command::Kind::Open);
    CHECK(viewer::droppedCommand(s, (dir.path / "notes.txt").string()).kind == viewer::Command::Kind::Open);
    // With Shift, a series dropped on the open one opens beside it (a NIfTI that might be labels too).
    for (const char* name : {"ct", "seg.nii.gz"}) {
        const viewer::Command beside = viewer::droppedCommand(s, (dir.path / name).string(), true);
        CHECK(beside.kind == viewer::Command::Kind::Compare);
        CHECK(beside.path == (dir.path / name).string());
    }

    viewer::LabelTask labels((dir.path / "seg.nii.gz").string(), s.scene.base, fastOptions(), true, nullptr);
    labels.wait();
    bool image = true;
    auto layer = labels.take(error, image);
    REQUIRE(layer);
    CHECK_FALSE(image);
    CHECK(labels.dataset() == s.scene.base.get());
    REQUIRE(layer->stats.size() == 2); // measured on its thread, for the Segments panel
    CHECK(layer->stats[0].voxels == expectedOnCt(ct, ct.volume.geometry(), 1).voxels);
    viewer::addLabelLayer(s, layer);
    REQUIRE(s.scene.labels.size() == 1);
    CHECK(s.scene.base->labels.size() == 1);
    CHECK(s.scene.labels[0].visible == std::vector<char>{1, 1});
    const glm::ivec3 centre = glm::ivec3(glm::round(ct.volume.geometry().patientToVoxel(kCentre)));
    CHECK(viewer::segmentsAt(s, centre) == std::vector<std::string>{"sphere"});

    // The CT's own NIfTI dropped: not a labelmap of the series, so it is an image to open (no error shown).
    viewer::LabelTask volume((dir.path / "ct.nii.gz").string(), s.scene.base, fastOptions(), true, nullptr);
    volume.wait();
    CHECK_FALSE(volume.take(error, image));
    CHECK(image);
    // The same chosen with "Add as labels": the user asked for labels, so why not is the answer.
    viewer::LabelTask asked((dir.path / "ct.nii.gz").string(), s.scene.base, fastOptions(), false, nullptr);
    asked.wait();
    CHECK_FALSE(asked.take(error, image));
    CHECK_FALSE(image);
    CHECK(error.find("ct.nii.gz") != std::string::npos);
    CHECK(error.find("negative") != std::string::npos);
}

TEST_CASE("the viewer's scene: --labels opened by the load task, shown, probed, gone to, a bad file reported "
          "and the CT still open") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    writeLabelmap(ct.volume.geometry(), dir.path / "seg.nii.gz");
    std::ofstream(dir.path / "seg.json") << R"({"1": "sphere", "7": "box"})";
    std::ofstream(dir.path / "broken.nii") << "not a NIfTI file at all";
    viewer::LoadTask::Staging staging;
    staging.labels = {(dir.path / "seg.nii.gz").string(), (dir.path / "broken.nii").string()};
    viewer::LoadTask task((dir.path / "ct").string(), "", fastOptions(), nullptr, nullptr, staging);
    task.wait();
    std::string error;
    auto d = task.take(error);
    REQUIRE(d);
    viewer::AppState s;
    viewer::adoptDataset(s, d);
    REQUIRE(s.hasVolume());
    REQUIRE(s.scene.labels.size() == 1);
    const LabelLayer& layer = *s.scene.labels[0].layer;
    REQUIRE(layer.stats.size() == 2); // measured by the load, for the Segments panel
    CHECK(layer.stats[0].voxels == expectedOnCt(ct, ct.volume.geometry(), 1).voxels);
    bool reported = false;
    for (const std::string& m : s.messages)
        reported |= m.find("broken.nii") != std::string::npos;
    CHECK(reported);

    // The probe names the segments under the mouse; a hidden one is not named.
    const glm::ivec3 centre = glm::ivec3(glm::round(ct.volume.geometry().patientToVoxel(kCentre)));
    CHECK(viewer::segmentsAt(s, centre) == std::vector<std::string>{"sphere"});
    CHECK(viewer::segmentsAt(s, {0, 0, 0}).empty());
    // With a second layer naming its segments the same, each name says its layer.
    auto copy = std::make_shared<LabelLayer>(layer);
    copy->name = "copy.nii.gz";
    viewer::addLabelLayer(s, copy);
    CHECK(viewer::segmentsAt(s, centre) ==
          std::vector<std::string>{"sphere (seg.nii.gz)", "sphere (copy.nii.gz)"});
    s.scene.labels[1].shown = false;
    s.scene.labels[0].visible[0] = 0;
    CHECK(viewer::segmentsAt(s, centre).empty());
    // A row clicked: the crosshair goes to the middle of the segment's box.
    viewer::goToSegment(s, 0, 0);
    const SegmentStats& sphere = layer.stats[0];
    CHECK(s.cursor == (sphere.voxelMin + sphere.voxelMax) / 2);
}

TEST_CASE(
    "ctview convert --segment: the segment's mask on the CT's grid with its geometry, unknown names listed") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    writeLabelmap(g, dir.path / "seg.nii.gz");
    std::ofstream(dir.path / "seg.json") << R"({"1": "sphere", "7": "box"})";
    Run r = run("convert -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "seg.nii.gz") +
                " --segment Box -o " + q(dir.path / "box.nrrd"));
    INFO(r.out);
    REQUIRE(r.code == 0);
    const Volume mask = readVolumeFile(dir.path / "box.nrrd");
    REQUIRE(sameGrid(mask.geometry(), g));
    std::size_t ones = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const bool inBox = shapeAt(g.voxelToPatient(glm::dvec3(i, j, k))) == 7;
                CHECK(mask.at(i, j, k) == (inBox ? 1.0f : 0.0f));
                ones += inBox;
            }
    CHECK(ones == expectedOnCt(ct, g, 7).voxels);

    r = run("convert -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "seg.nii.gz") +
            " --segment liver -o " + q(dir.path / "liver.nrrd"));
    CHECK(r.code == 2);
    CHECK(r.out.find("--segment liver: no such segment; there are: sphere, box") != std::string::npos);
    CHECK(!std::filesystem::exists(dir.path / "liver.nrrd"));
}
