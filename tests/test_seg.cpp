// DICOM SEG layers (sources/layer_seg.cpp): SEGs written here with GDCM (dicom_write's writeSegmentation)
// over a generated CT, checked voxel for voxel against the shapes they were drawn from.
#include "testutil.h"

#include "base/error.h"
#include "dicom/dicom_scan.h"
#include "dicom/phantom.h"
#include "dicom/seg_read.h"
#include "labels/label_layer.h"
#include "labels/label_table.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/layer_write.h"
#include "sources/layers.h"
#include "sources/series.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

using namespace ctview;
using namespace ctview::test;

namespace {

const char* const kFor = "1.2.826.0.1.3680043.2.1125.77.1";
const char* const kSeries = "1.2.826.0.1.3680043.2.1125.77.2";

// The CT: 12 (or `columns`) x 10 x 8 voxels of 0.6 x 0.8 x 2.5 mm at LPS (-10, 20, -30), with a frame of
// reference.
Series loadCt(const std::filesystem::path& folder, int columns = 12) {
    SeriesSpec spec = smallSeries(columns);
    spec.seriesUID = kSeries;
    spec.strings["FrameOfReferenceUID"] = kFor;
    writeSeries(spec, folder);
    const auto src = openSource(folder.string(), fastOptions());
    return src->load(src->pick("").number, fastOptions());
}

// Two shapes that overlap: a ball and a slab across it.
bool inBall(glm::dvec3 p) {
    return glm::length(p - glm::dvec3(-7.0, 23.5, -23.0)) <= 3.0;
}
bool inSlab(glm::dvec3 p) {
    return p.x >= -7.5 && p.x <= -4.0 && p.z >= -25.5 && p.z <= -18.0;
}

// A SEG of both shapes on the CT's grid: one frame per slice where the shape is present, in shuffled order.
// `zShift` moves every frame along the slices (mm) to put them between the CT's slices.
SegSpec twoShapes(const Geometry& g, double zShift = 0) {
    SegSpec spec;
    spec.rows = g.dims.y;
    spec.columns = g.dims.x;
    spec.pixelSpacing = {g.spacing.y, g.spacing.x};
    spec.frameOfReferenceUID = kFor;
    spec.referencedSeriesUID = kSeries;
    spec.segments = {{1, "Ball", std::array<int, 3>{34891, 53479, 50166}}, {2, "Slab", std::nullopt}};
    for (int s = 1; s <= 2; ++s)
        for (int k = 0; k < g.dims.z; ++k) {
            SegSpec::Frame f;
            f.segment = s;
            const glm::dvec3 p = g.voxelToPatient(glm::dvec3(0, 0, k)) + glm::dvec3(0, 0, zShift);
            f.position = {p.x, p.y, p.z};
            bool any = false;
            for (int j = 0; j < g.dims.y; ++j)
                for (int i = 0; i < g.dims.x; ++i) {
                    const glm::dvec3 q = g.voxelToPatient(glm::dvec3(i, j, k));
                    const bool in = s == 1 ? inBall(q) : inSlab(q);
                    f.pixels.push_back(in ? 1 : 0);
                    any |= in;
                }
            if (any)
                spec.frames.push_back(f);
        }
    std::shuffle(spec.frames.begin(), spec.frames.end(), std::mt19937(7));
    return spec;
}

void checkShapes(const LabelLayer& layer, const Geometry& g) {
    REQUIRE(layer.segments.size() == 2);
    std::size_t n = 0, ball = 0, both = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i, ++n) {
                const glm::dvec3 q = g.voxelToPatient(glm::dvec3(i, j, k));
                CHECK(layer.contains(layer.segments[0], n) == inBall(q));
                CHECK(layer.contains(layer.segments[1], n) == inSlab(q));
                ball += inBall(q);
                both += inBall(q) && inSlab(q);
            }
    REQUIRE(ball > 20);
    REQUIRE(both > 5); // the test needs the overlap it claims
}

} // namespace

TEST_CASE("DICOM SEG: overlapping segments in shuffled frames, every voxel exact, names and CIELab colours") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    writeSegmentation(twoShapes(g), dir.path / "seg.dcm");
    const LabelLayer layer = openLayer(dir.path / "seg.dcm", ct, fastOptions());
    CHECK(layer.kind == "DICOM SEG");
    CHECK(layer.notes.empty());
    checkShapes(layer, g);
    CHECK(layer.groups.size() == 2); // they overlap: two groups, not one
    CHECK(layer.segments[0].name == "Ball");
    CHECK(layer.segments[1].name == "Slab");
    // CIELab (34891, 53479, 50166) is sRGB red: DICOM's scaling of L* 53.24, a* 80.09, b* 67.20.
    CHECK(layer.segments[0].color.r == Approx(1.0).margin(0.01));
    CHECK(layer.segments[0].color.g == Approx(0.0).margin(0.02));
    CHECK(layer.segments[0].color.b == Approx(0.0).margin(0.02));
}

TEST_CASE("DICOM SEG: rows of 77 pixels, mostly empty (runs of zero bits skipped at any bit offset), every "
          "voxel exact") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct", 77);
    const Geometry& g = ct.volume.geometry();
    writeSegmentation(twoShapes(g), dir.path / "seg.dcm");
    checkShapes(openLayer(dir.path / "seg.dcm", ct, fastOptions()), g);
}

TEST_CASE("DICOM SEG: without ReferencedSeriesSequence it is placed by its positions, frames between slices "
          "go to the nearest and are reported, fractional at 0.5") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    SECTION("no reference to the series") {
        SegSpec spec = twoShapes(g);
        spec.referencedSeriesUID.clear();
        spec.perFrameOrientation = true;
        writeSegmentation(spec, dir.path / "noref.dcm");
        const LabelLayer layer = openLayer(dir.path / "noref.dcm", ct, fastOptions());
        CHECK(layer.notes.empty());
        checkShapes(layer, g);
    }
    SECTION("frames 0.8 mm off the slices (a third of a step)") {
        writeSegmentation(twoShapes(g, 0.8), dir.path / "off.dcm");
        const LabelLayer layer = openLayer(dir.path / "off.dcm", ct, fastOptions());
        REQUIRE(layer.notes.size() == 1);
        CHECK(layer.notes[0].find("frames are not on the series' slices: resampled, nearest voxel") !=
              std::string::npos);
        checkShapes(layer, g);
    }
    SECTION("fractional: 128 of 255 and more is in") {
        SegSpec spec = twoShapes(g);
        spec.fractional = true;
        for (SegSpec::Frame& f : spec.frames)
            for (std::uint8_t& p : f.pixels)
                p = p ? 200 : 127;
        writeSegmentation(spec, dir.path / "fractional.dcm");
        const LabelLayer layer = openLayer(dir.path / "fractional.dcm", ct, fastOptions());
        checkShapes(layer, g);
    }
    SECTION("fractional: half of MaximumFractionalValue is in, each fraction kept (scaled to 0..255) for the "
            "soft edge") {
        SegSpec spec = twoShapes(g);
        spec.fractional = true;
        spec.maxFractional = 100;
        std::vector<char> ballSlice(std::size_t(g.dims.z), 0); // the slices with a frame of the ball
        for (SegSpec::Frame& f : spec.frames) {
            if (f.segment == 1)
                ballSlice[std::size_t(
                    std::lround(g.patientToVoxel({f.position[0], f.position[1], f.position[2]}).z))] = 1;
            for (std::uint8_t& p : f.pixels)
                p = p ? 50 : 49; // 0.5: in; 0.49: out, shown faintly
        }
        writeSegmentation(spec, dir.path / "fractional100.dcm");
        const LabelLayer layer = openLayer(dir.path / "fractional100.dcm", ct, fastOptions());
        checkShapes(layer, g);
        const Segment& ball = layer.segments[0];
        REQUIRE(ball.kind == GroupKind::Fraction);
        CHECK(layer.groupKind(ball.group) == GroupKind::Fraction);
        CHECK(layer.groups.size() == 2); // a group each
        std::size_t n = 0, wrong = 0;
        for (int k = 0; k < g.dims.z; ++k)
            for (int j = 0; j < g.dims.y; ++j)
                for (int i = 0; i < g.dims.x; ++i, ++n) {
                    // 50 of 100 is 127.5 of 255: 128; 49 is 124.95: 125; no frame: 0.
                    const int want = inBall(g.voxelToPatient(glm::dvec3(i, j, k))) ? 128
                                     : ballSlice[std::size_t(k)]                   ? 125
                                                                                   : 0;
                    wrong += layer.groups[std::size_t(ball.group)][n] != want;
                }
        CHECK(wrong == 0);
        // Measured at 0.5: the ball's voxels, not the faint rest.
        const std::vector<SegmentStats> stats = measureSegments(layer, ct.volume);
        std::size_t inside = 0;
        n = 0;
        for (int k = 0; k < g.dims.z; ++k)
            for (int j = 0; j < g.dims.y; ++j)
                for (int i = 0; i < g.dims.x; ++i, ++n)
                    inside += inBall(g.voxelToPatient(glm::dvec3(i, j, k)));
        CHECK(stats[0].voxels == inside);
    }
    SECTION("fractional: ten segments, the first eight soft, the rest at 0.5, and the load says so") {
        SegSpec spec = twoShapes(g);
        spec.fractional = true;
        std::vector<SegSpec::Frame> balls;
        for (const SegSpec::Frame& f : spec.frames)
            if (f.segment == 1)
                balls.push_back(f);
        spec.segments.clear();
        spec.frames.clear();
        for (int s = 1; s <= 10; ++s) {
            spec.segments.push_back({s, "Ball " + std::to_string(s), std::nullopt});
            for (SegSpec::Frame f : balls) {
                f.segment = s;
                for (std::uint8_t& p : f.pixels)
                    p = p ? 255 : 0;
                spec.frames.push_back(f);
            }
        }
        writeSegmentation(spec, dir.path / "ten.dcm");
        const LabelLayer layer = openLayer(dir.path / "ten.dcm", ct, fastOptions());
        REQUIRE(layer.segments.size() == 10);
        CHECK(layer.segments[7].kind == GroupKind::Fraction);
        CHECK(layer.segments[8].kind != GroupKind::Fraction);
        REQUIRE(layer.notes.size() == 1);
        CHECK(layer.notes[0] ==
              "2 FRACTIONAL segments past the first 8 are shown without soft edges (at 0.5)");
        for (const Segment& s : layer.segments)
            for (std::size_t n = 0; n < g.voxelCount(); ++n)
                CHECK(layer.contains(s, n) == layer.contains(layer.segments[0], n));
    }
}

TEST_CASE("DICOM SEG: another frame of reference, cut-short frames and a missing file are named with the "
          "reason, `segments` measures a SEG") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    SegSpec other = twoShapes(g);
    other.frameOfReferenceUID = "1.2.3.4";
    writeSegmentation(other, dir.path / "other.dcm");
    Run r = run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "other.dcm"));
    CHECK(r.code == 1);
    CHECK(r.out.find("other.dcm: drawn in another frame of reference (1.2.3.4)") != std::string::npos);

    writeSegmentation(twoShapes(g), dir.path / "seg.dcm");
    const std::string whole = readFile(dir.path / "seg.dcm");
    std::ofstream(dir.path / "short.dcm", std::ios::binary) << whole.substr(0, whole.size() - 40);
    r = run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "short.dcm"));
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK(r.out.find("short.dcm") != std::string::npos);

    r = run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "seg.dcm") + " --json");
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["segments"].size() == 2);
    CHECK(j["layers"][0]["kind"] == "DICOM SEG");
    // What the layer costs: the ball and the slab overlap, two groups of a byte a voxel.
    CHECK(j["layers"][0]["groups"] == 2);
    CHECK(j["layers"][0]["bytes"] == 2 * g.voxelCount());
    CHECK(j["segments"][0]["name"] == "Ball");
    std::size_t ball = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int jj = 0; jj < g.dims.y; ++jj)
            for (int i = 0; i < g.dims.x; ++i)
                ball += inBall(g.voxelToPatient(glm::dvec3(i, jj, k)));
    CHECK(j["segments"][0]["voxels"] == ball);
}

TEST_CASE("DICOM SEG in the CT's folder: found and shown as the series' layer, one of another series is left "
          "out, and said so") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    writeSegmentation(twoShapes(g), dir.path / "ct" / "seg.dcm");
    SegSpec other = twoShapes(g);
    other.referencedSeriesUID = "1.2.826.0.1.3680043.2.1125.77.99";
    writeSegmentation(other, dir.path / "ct" / "other.dcm");
    const Run r = run("segments " + q(dir.path / "ct") + " --json 2>/dev/null");
    INFO(r.out);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["layers"].size() == 1);
    CHECK(j["layers"][0]["name"] == "seg.dcm");
    const Run warned = run("segments " + q(dir.path / "ct") + " 2>&1 >/dev/null");
    CHECK(warned.out.find("other.dcm: a segmentation of another series (1.2.826.0.1.3680043.2.1125.77.99)") !=
          std::string::npos);
    // `info` lists both: the series' own with its segments, the other one with the reason it is not shown.
    const Run info = run("info " + q(dir.path / "ct"));
    CHECK(info.out.find("  seg.dcm (DICOM SEG): 2 segments: Ball, Slab\n") != std::string::npos);
    CHECK(info.out.find("other.dcm: a segmentation of another series") != std::string::npos);
    // With that series in the folder too, the note says how to open it.
    SeriesSpec second = smallSeries(12, 10, 4);
    second.seriesUID = other.referencedSeriesUID;
    second.seriesNumber = 7;
    second.strings["SeriesDescription"] = "second";
    writeSeries(second, dir.path / "ct" / "second");
    const Run named = run("segments " + q(dir.path / "ct") + " --series 1 2>&1 >/dev/null");
    INFO(named.out);
    CHECK(named.out.find("other.dcm: a segmentation of another series (--series 2: 7 second)") !=
          std::string::npos);
}

TEST_CASE(
    "make-phantom --segmentation: a SEG of the organs beside the slices, shown as the series' layer, each "
    "organ's voxels and HU as the phantom draws them") {
    TempDir dir;
    const Run made = run("make-phantom " + q(dir.path / "p") + " --size 64x64x40 --segmentation");
    INFO(made.out);
    REQUIRE(made.code == 0);
    // The folder's summary counts the SEG as what it is, not as a skipped file (issue 27: it is a layer).
    const Run info = run("info -q " + q(dir.path / "p"));
    CHECK(info.out.substr(0, info.out.find('\n')) == "41 files: 40 slices of series 2, 1 segmentation");
    // ... and lists it with its segments, as the viewer shows them.
    CHECK(
        info.out.find("\nSegmentations\n  segmentation.dcm (DICOM SEG): 7 segments: Liver, Spleen, Kidneys, "
                      "Heart, Lungs, Aorta, Bone\n") != std::string::npos);
    const auto infoJson = nlohmann::json::parse(run("info -q --json " + q(dir.path / "p")).out);
    CHECK(infoJson["segmentations"]["layers"][0]["kind"] == "DICOM SEG");
    CHECK(infoJson["segmentations"]["layers"][0]["segments"].size() == 7);
    const Run r = run("segments -q " + q(dir.path / "p") + " --json");
    INFO(r.out);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["segments"].size() == phantomOrganNames().size());
    // The organs counted on the phantom's own grid, independently of the SEG.
    const SeriesSpec spec = phantomSpec(64, 64, 40);
    std::vector<std::size_t> expected(phantomOrganNames().size() + 1, 0);
    for (int k = 0; k < 40; ++k)
        for (int jj = 0; jj < 64; ++jj)
            for (int i = 0; i < 64; ++i)
                ++expected[std::size_t(phantomOrgan(spec.origin[0] + i * spec.pixelSpacing[1],
                                                    spec.origin[1] + jj * spec.pixelSpacing[0],
                                                    spec.origin[2] + k * spec.sliceStep))];
    for (std::size_t n = 0; n < phantomOrganNames().size(); ++n) {
        CHECK(j["segments"][n]["name"] == phantomOrganNames()[n]);
        CHECK(j["segments"][n]["voxels"] == expected[n + 1]);
    }
    // The liver is 60 HU and the aorta's contrast 300 HU, with noise of about 12 HU.
    CHECK(j["segments"][0]["hu"]["mean"].get<double>() == Approx(60).margin(3));
    CHECK(j["segments"][5]["hu"]["mean"].get<double>() == Approx(300).margin(5));

    // `convert --segment` takes the SEG found beside the slices, as `segments` does: the liver's mask.
    const Run mask =
        run("convert -q " + q(dir.path / "p") + " --segment Liver -o " + q(dir.path / "liver.nrrd"));
    INFO(mask.out);
    REQUIRE(mask.code == 0);
    const Volume liver = readVolumeFile(dir.path / "liver.nrrd");
    std::size_t ones = 0;
    for (int k = 0; k < 40; ++k)
        for (int jj = 0; jj < 64; ++jj)
            for (int i = 0; i < 64; ++i)
                ones += liver.at(i, jj, k) == 1;
    CHECK(ones == expected[1]);
    // Without any segmentation, the usage error says where one could come from.
    REQUIRE(run("make-phantom " + q(dir.path / "plain") + " --size 16x16x4").code == 0);
    const Run none = run("convert -q " + q(dir.path / "plain") + " --segment Liver -o " +
                         q(dir.path / "x.nrrd") + " 2>&1");
    CHECK(none.code == 2);
    CHECK(none.out.find("no segmentation given with --labels or found beside the series") !=
          std::string::npos);
}

namespace {

// The ball, the slab (overlapping it) and an empty segment, as the editor would hold them.
LabelLayer editedShapes(const Geometry& g) {
    std::vector<std::uint8_t> ball(g.voxelCount(), 0), slab(g.voxelCount(), 0), none(g.voxelCount(), 0);
    std::size_t n = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i, ++n) {
                const glm::dvec3 q = g.voxelToPatient(glm::dvec3(i, j, k));
                ball[n] = inBall(q);
                slab[n] = inSlab(q);
            }
    LabelLayerBuilder b(g);
    b.add(Segment{.number = 1, .name = "Ball", .color = {0.9f, 0.3f, 0.2f}}, ball);
    b.add(Segment{.number = 2, .name = "Slab", .color = {0.2f, 0.5f, 0.9f}}, slab);
    b.add(Segment{.number = 3, .name = "Empty", .color = {0.5f, 0.5f, 0.5f}}, none);
    return b.take("edits", "", "segment editor");
}

} // namespace

TEST_CASE("a layer saved as DICOM SEG: no error for dciodvfy, read back voxel for voxel with the overlap, "
          "names and colours, each frame tied to its CT image") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    const LabelLayer made = editedShapes(g);

    // A folder that is not there: said, naming the file, and nothing is left behind.
    CHECK_THROWS_WITH(writeSegmentationFile(made, ct, dir.path / "missing" / "seg.dcm", false),
                      Catch::Contains((dir.path / "missing" / "seg.dcm").string() + ": cannot be written"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "missing"));

    const std::filesystem::path file = writeSegmentationFile(made, ct, dir.path / "seg.dcm", false);
    CHECK(file == dir.path / "seg.dcm");
    // Never over an existing file unless forced: a free name beside it.
    CHECK(writeSegmentationFile(made, ct, dir.path / "seg.dcm", false) == dir.path / "seg-1.dcm");

    // David Clunie's validator checks every module the SEG IOD requires.
    const Run valid = shell("dciodvfy " + q(file));
    INFO(valid.out);
    CHECK(valid.out.find("Error") == std::string::npos);
    CHECK(valid.out.find("Segmentation") != std::string::npos); // it did recognise the IOD

    const LabelLayer back = openLayer(file, ct, fastOptions());
    REQUIRE(back.segments.size() == 3);
    std::size_t n = 0, both = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i, ++n) {
                const glm::dvec3 q = g.voxelToPatient(glm::dvec3(i, j, k));
                CHECK(back.contains(back.segments[0], n) == inBall(q));
                CHECK(back.contains(back.segments[1], n) == inSlab(q));
                CHECK_FALSE(back.contains(back.segments[2], n));
                both += inBall(q) && inSlab(q);
            }
    REQUIRE(both > 5);
    for (std::size_t s = 0; s < 3; ++s) {
        CHECK(back.segments[s].name == made.segments[s].name);
        for (int c = 0; c < 3; ++c) // sRGB -> CIELab in 16 bits -> sRGB
            CHECK(back.segments[s].color[c] == Approx(made.segments[s].color[c]).margin(1.0 / 255));
    }
    CHECK(back.references == std::vector<std::string>{kSeries});

    // Frames only where a segment is: one per slice the ball or the slab touches, none for the empty one;
    // each names the CT image at its position (the files are IM0001.dcm ... in slice order).
    const SegHeader h = readSegHeader(file);
    CHECK(h.frameOfReference == kFor);
    std::size_t expectedFrames = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (auto in : {inBall, inSlab}) {
            bool any = false;
            for (int j = 0; j < g.dims.y; ++j)
                for (int i = 0; i < g.dims.x; ++i)
                    any |= in(g.voxelToPatient(glm::dvec3(i, j, k)));
            expectedFrames += any;
        }
    CHECK(h.frames.size() == expectedFrames);
    for (const SegFrame& f : h.frames) {
        const glm::dvec3 v = g.patientToVoxel(glm::dvec3(f.position[0], f.position[1], f.position[2]));
        CHECK(glm::length(v - glm::round(v)) < 1e-6);
        const int k = int(std::lround(v.z));
        CHECK(f.sourceInstance == scanFile(dir.path / "ct" / smallSeries().fileName(k)).sopInstanceUID);
    }
}

TEST_CASE("a layer of bit groups (ten balls, each overlapping all the others) saved as DICOM SEG and as "
          ".seg.nrrd reads back voxel for voxel") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    // Balls about one centre, growing: each holds every smaller one.
    auto inBallOf = [](std::size_t s, glm::dvec3 p) {
        return glm::length(p - glm::dvec3(-7.0, 23.5, -23.0)) <= 1.0 + 0.5 * double(s);
    };
    LabelLayerBuilder b(g);
    for (std::size_t s = 0; s < 10; ++s) {
        std::vector<std::uint8_t> mask(g.voxelCount(), 0);
        std::size_t n = 0;
        for (int k = 0; k < g.dims.z; ++k)
            for (int j = 0; j < g.dims.y; ++j)
                for (int i = 0; i < g.dims.x; ++i, ++n)
                    mask[n] = inBallOf(s, g.voxelToPatient(glm::dvec3(i, j, k)));
        b.add(Segment{.number = int(s) + 1, .name = "Ball " + std::to_string(s + 1)}, mask);
    }
    const LabelLayer made = b.take("balls", "", "segment editor");
    REQUIRE(made.groups.size() == 3); // two value groups, one bit group of eight
    REQUIRE(made.isBitGroup(2));
    for (const char* name : {"balls.dcm", "balls.seg.nrrd"}) {
        INFO(name);
        const std::filesystem::path file = writeSegmentationFile(made, ct, dir.path / name, false);
        const LabelLayer back = openLayer(file, ct, fastOptions());
        REQUIRE(back.segments.size() == 10);
        for (std::size_t s = 0; s < 10; ++s) {
            CHECK(back.segments[s].name == made.segments[s].name);
            std::size_t n = 0, wrong = 0, count = 0;
            for (int k = 0; k < g.dims.z; ++k)
                for (int j = 0; j < g.dims.y; ++j)
                    for (int i = 0; i < g.dims.x; ++i, ++n) {
                        const bool want = inBallOf(s, g.voxelToPatient(glm::dvec3(i, j, k)));
                        wrong += back.contains(back.segments[s], n) != want;
                        count += want;
                    }
            CHECK(count > 0);
            CHECK(wrong == 0);
        }
    }
}

TEST_CASE(
    "a layer saved as a labelmap: one value per segment, names in NAME.json, overlaps said, and no DICOM "
    "SEG for a series that is not DICOM") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    const LabelLayer made = editedShapes(g);
    std::vector<std::string> notes;
    const auto file = writeSegmentationFile(made, ct, dir.path / "edits.nii.gz", false, &notes);
    const Volume v = readVolumeFile(file);
    std::size_t both = 0;
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const glm::dvec3 q = g.voxelToPatient(glm::dvec3(i, j, k));
                CHECK(v.at(i, j, k) == (inSlab(q) ? 2 : inBall(q) ? 1 : 0)); // the later segment wins
                both += inBall(q) && inSlab(q);
            }
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].starts_with(std::to_string(both) + " voxels belong to several segments"));
    const auto table = readLabelTable(dir.path / "edits.json");
    REQUIRE(table.size() == 3);
    CHECK(table[1].value == 2);
    CHECK(table[1].name == "Slab");
    // The viewer opens it back with the names.
    const LabelLayer back = openLayer(file, ct, fastOptions());
    CHECK(back.segments[0].name == "Ball");

    // The same layer over the series as a NIfTI file: a SEG would refer to images there are none of.
    writeVolume(ct.volume, dir.path / "ct.nii.gz", false);
    const auto src = openSource((dir.path / "ct.nii.gz").string(), fastOptions());
    const Series nifti = src->load(1, fastOptions());
    CHECK_THROWS_WITH(writeSegmentationFile(made, nifti, dir.path / "x.dcm", false),
                      Catch::Contains("x.dcm: a DICOM SEG refers to the DICOM images it was drawn on") &&
                          Catch::Contains("save as .seg.nrrd or .nii.gz instead"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "x.dcm"));
    CHECK_THROWS_AS(segmentationFormatFor("x.png"), UsageError);
}

TEST_CASE(
    "ctview segment -o NAME.dcm: a DICOM SEG of the series that segments reads back with the same voxels") {
    TempDir dir;
    loadCt(dir.path / "ct");
    const Run made =
        run("segment " + q(dir.path / "ct") + " --threshold -1150 --name Bright -o " + q(dir.path / "b.dcm"));
    INFO(made.out);
    REQUIRE(made.code == 0);
    const Run nrrd = run("segment -q " + q(dir.path / "ct") + " --threshold -1150 --name Bright -o " +
                         q(dir.path / "b.seg.nrrd"));
    REQUIRE(nrrd.code == 0);
    const auto fromSeg = nlohmann::json::parse(
        run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "b.dcm") + " --json").out);
    const auto fromNrrd = nlohmann::json::parse(
        run("segments -q " + q(dir.path / "ct") + " --labels " + q(dir.path / "b.seg.nrrd") + " --json").out);
    CHECK(fromSeg["segments"][0]["name"] == "Bright");
    CHECK(fromSeg["segments"][0]["voxels"].get<int>() > 0);
    CHECK(fromSeg["segments"][0]["voxels"] == fromNrrd["segments"][0]["voxels"]);
    const Run wrong = run("segment " + q(dir.path / "ct") + " --threshold -1150 -o " + q(dir.path / "b.png"));
    CHECK(wrong.code != 0);
    CHECK(wrong.out.find(".dcm (DICOM SEG)") != std::string::npos);
}

TEST_CASE(
    "DICOM SEG output refuses what it cannot write well: no voxel, slices that are not evenly spaced and "
    "kept so, names made DICOM's LO, a Latin-1 patient name made UTF-8") {
    TempDir dir;
    const Series ct = loadCt(dir.path / "ct");
    const Geometry& g = ct.volume.geometry();
    LabelLayerBuilder empty(g);
    empty.add(Segment{.number = 1, .name = "Nothing"}, std::vector<std::uint8_t>(g.voxelCount(), 0));
    CHECK_THROWS_WITH(
        writeSegmentationFile(empty.take("e", "", "segment editor"), ct, dir.path / "e.dcm", false),
        Catch::Contains("no segment has a voxel"));
    CHECK_FALSE(std::filesystem::exists(dir.path / "e.dcm"));

    // Slices 2.5 mm apart but one missing, loaded as acquired (--no-resample): the grid is approximate.
    SeriesSpec gap = smallSeries();
    gap.positions.clear();
    for (int k = 0; k < gap.slices; ++k)
        gap.positions.push_back({-10, 20, -30 + 2.5 * (k < 4 ? k : k + 1)});
    writeSeries(gap, dir.path / "gap");
    LoadOptions asAcquired = fastOptions();
    asAcquired.resample = false;
    const auto gapSource = openSource((dir.path / "gap").string(), asAcquired);
    const Series uneven = gapSource->load(gapSource->pick("").number, asAcquired);
    REQUIRE_FALSE(uneven.resampleSummary.empty());
    const LabelLayer shapes = editedShapes(uneven.volume.geometry());
    CHECK_THROWS_WITH(writeSegmentationFile(shapes, uneven, dir.path / "u.dcm", false),
                      Catch::Contains("not evenly spaced") && Catch::Contains("without --no-resample"));

    // A name with a backslash (DICOM's value separator) and longer than LO's 64 characters; a CT whose
    // PatientName is Latin-1 (ISO_IR 100).
    SeriesSpec latin = smallSeries();
    latin.strings["PatientName"] = "M\xfcller^Hans";
    latin.strings["SpecificCharacterSet"] = "ISO_IR 100";
    latin.strings["FrameOfReferenceUID"] = kFor;
    writeSeries(latin, dir.path / "latin");
    const auto latinSource = openSource((dir.path / "latin").string(), fastOptions());
    const Series latinCt = latinSource->load(latinSource->pick("").number, fastOptions());
    LabelLayer named = editedShapes(latinCt.volume.geometry());
    named.segments[0].name = "Left\\right " + std::string(80, 'x');
    const auto file = writeSegmentationFile(named, latinCt, dir.path / "named.dcm", false);
    const SegHeader h = readSegHeader(file);
    CHECK(h.segments[0].label == ("Left/right " + std::string(80, 'x')).substr(0, 64));
    CHECK(scanFile(file).meta.at("PatientName") == "M\xc3\xbcller^Hans");
    const Run valid = shell("dciodvfy " + q(file));
    INFO(valid.out);
    CHECK(valid.out.find("Error") == std::string::npos);
}
