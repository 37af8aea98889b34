// The segment editor's edits (viewer/segment_editor.h) on a scene with known parts: each edit's voxels exact,
// the crop box limiting the threshold, undo and redo restoring the bytes, and undo keeping only the box that
// changed.
#include "testutil.h"

#include "edit/morphology.h"
#include "viewer/app_state.h"
#include "viewer/segment_editor.h"

#include <catch2/catch.hpp>

using namespace ctview;
using namespace ctview::viewer;

namespace {

// 12 x 10 x 8 voxels of air (-1000 HU) with three parts of 500 HU: a 3x3x3 cube A at (2..4)^3, a 2x2x2 cube
// B at (5..6)^3 touching A at a corner, and a lone voxel C at (10, 8, 7). `graded`: the parts' HU differ
// voxel by voxel (300 + 7 i + 3 j + 11 k), so that a wrong sum, minimum or maximum shows.
AppState partsScene(bool graded = false) {
    Geometry g;
    g.dims = {12, 10, 8};
    g.spacing = {0.5, 0.5, 1.0};
    auto d = std::make_shared<Dataset>();
    d->series.volume = Volume(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    for (int k = 0; k < 8; ++k)
        for (int j = 0; j < 10; ++j)
            for (int i = 0; i < 12; ++i) {
                const bool a = i >= 2 && i <= 4 && j >= 2 && j <= 4 && k >= 2 && k <= 4;
                const bool b = i >= 5 && i <= 6 && j >= 5 && j <= 6 && k >= 5 && k <= 6;
                const bool c = i == 10 && j == 8 && k == 7;
                const float part = graded ? float(300 + i * 7 + j * 3 + k * 11) : 500.f;
                d->series.volume.set(i, j, k, a || b || c ? part : -1000.f);
            }
    d->series.minHU = -1000;
    d->series.maxHU = graded ? 300 + 7 * 10 + 3 * 8 + 11 * 7 : 500; // C is the brightest
    AppState s;
    adoptDataset(s, d);
    return s;
}

std::size_t voxelsOf(const AppState& s, int segment) {
    return s.scene.labels[std::size_t(s.editor.layer)].layer->stats[std::size_t(segment)].voxels;
}

bool inSegment(const AppState& s, int segment, int i, int j, int k) {
    const LabelLayer& l = *s.scene.labels[std::size_t(s.editor.layer)].layer;
    return l.contains(l.segments[std::size_t(segment)], std::size_t((k * 10 + j) * 12 + i));
}

// A new segment of the three parts (300..3071 HU).
void thresholdAll(AppState& s) {
    REQUIRE(newSegment(s));
    s.editor.lo = 300;
    s.editor.hi = 3071;
    REQUIRE(applyThreshold(s));
}

} // namespace

TEST_CASE("segment editor: a new segment, threshold within the crop box, islands, undo and redo") {
    AppState s = partsScene();
    CHECK_FALSE(applyThreshold(s)); // no segment yet
    CHECK(s.editor.lastMessage == "choose a segment to edit, or make a new one");
    REQUIRE(newSegment(s));
    REQUIRE(s.scene.labels.size() == 1);
    CHECK(s.scene.labels[0].layer->name == "New segmentation");
    CHECK(s.scene.labels[0].layer->segments[0].name == "Segment 1");
    CHECK(s.scene.base->labels.size() == 1);
    CHECK(s.editor.layer == 0);
    CHECK(s.editor.segment == 0);

    s.editor.lo = 300;
    s.editor.hi = 3071;
    REQUIRE(applyThreshold(s));
    CHECK(voxelsOf(s, 0) == 27 + 8 + 1);
    CHECK(s.scene.base->labels[0] == s.scene.labels[0].layer); // the dataset holds the edited layer too
    CHECK(s.editor.lastMessage == "Threshold 300..3071 HU: Segment 1 now 0.01 mL");
    CHECK(s.editor.unsaved);
    CHECK_FALSE(applyThreshold(s)); // again: nothing changes
    CHECK(s.editor.lastMessage == "Threshold 300..3071 HU: nothing changed");

    // Keep the part clicked: B alone by faces; undo gives all back, redo B again.
    REQUIRE(keepIslandAt(s, {6, 6, 6}));
    CHECK(voxelsOf(s, 0) == 8);
    CHECK(inSegment(s, 0, 5, 5, 5));
    CHECK_FALSE(inSegment(s, 0, 3, 3, 3));
    REQUIRE(undoSegmentEdit(s));
    CHECK(voxelsOf(s, 0) == 36);
    REQUIRE(redoSegmentEdit(s));
    CHECK(voxelsOf(s, 0) == 8);
    REQUIRE(undoSegmentEdit(s));
    CHECK_FALSE(keepIslandAt(s, {0, 0, 0}));
    CHECK(s.editor.lastMessage == "Keep the part clicked: the voxel clicked is not in Segment 1");
    s.editor.connectivity = 26;
    REQUIRE(keepIslandAt(s, {6, 6, 6}));
    CHECK(voxelsOf(s, 0) == 35); // A and B touch at a corner
    REQUIRE(undoSegmentEdit(s));
    s.editor.connectivity = 6;

    REQUIRE(keepLargestIsland(s));
    CHECK(voxelsOf(s, 0) == 27);
    REQUIRE(undoSegmentEdit(s));
    s.editor.minIsland = 2;
    REQUIRE(removeSmallIslands(s));
    CHECK(voxelsOf(s, 0) == 35);
    // Undo keeps the box that changed (C alone), not the layer.
    CHECK(s.editor.undo.back().lo == glm::ivec3(10, 8, 7));
    CHECK(s.editor.undo.back().hi == glm::ivec3(10, 8, 7));
    CHECK(s.editor.undo.back().before.size() == 1);

    // Margins: exactly edit/morphology's, in mm on the anisotropic grid; undone like the rest.
    {
        const LabelLayer& layer = *s.scene.labels[0].layer; // replaced by the first edit: copy what is needed
        const Geometry grid = layer.grid;
        Mask m(grid.voxelCount());
        for (std::size_t v = 0; v < m.size(); ++v)
            m[v] = layer.contains(layer.segments[0], v) ? 1 : 0;
        s.editor.marginMm = 0.6f;
        REQUIRE(changeMargin(s, MarginEdit::Grow));
        CHECK(voxelsOf(s, 0) == countVoxels(growMask(m, grid, 0.6)));
        CHECK(s.editor.lastMessage.starts_with("Grow by 0.6 mm: Segment 1 now"));
        REQUIRE(undoSegmentEdit(s));
        REQUIRE(changeMargin(s, MarginEdit::Shrink));
        CHECK(voxelsOf(s, 0) == countVoxels(shrinkMask(m, grid, 0.6)));
        REQUIRE(undoSegmentEdit(s));
        s.editor.marginMm = 1.2f;
        const std::size_t closed = countVoxels(closeMask(m, grid, 1.2));
        CHECK(changeMargin(s, MarginEdit::FillHoles) == (closed != 35));
        CHECK(voxelsOf(s, 0) == closed);
        if (closed != 35)
            REQUIRE(undoSegmentEdit(s));
        CHECK(voxelsOf(s, 0) == 35);
    }

    // Grow from a click: the range's voxels connected to it join the segment.
    REQUIRE(clearSegment(s));
    REQUIRE(growAt(s, {6, 6, 6}));
    CHECK(voxelsOf(s, 0) == 8);
    REQUIRE(growAt(s, {3, 3, 3}));
    CHECK(voxelsOf(s, 0) == 35);
    CHECK_FALSE(growAt(s, {0, 0, 0}));
    CHECK(s.editor.lastMessage ==
          "Grow 300..3071 HU from the click: the voxel clicked is -1000 HU, not in the range");
    CHECK_FALSE(growAt(s, {3, 3, 3})); // already in
    REQUIRE(undoSegmentEdit(s));
    REQUIRE(undoSegmentEdit(s));
    CHECK(voxelsOf(s, 0) == 0);
    REQUIRE(undoSegmentEdit(s)); // the clear
    CHECK(voxelsOf(s, 0) == 35);

    // The crop box: only voxels whose centres are in its right half (i >= 6): B's i = 6 face and C.
    REQUIRE(clearSegment(s));
    CHECK(voxelsOf(s, 0) == 0);
    s.view3d.cropMin.x = 0.5;
    REQUIRE(applyThreshold(s));
    CHECK(voxelsOf(s, 0) == 4 + 1);
    CHECK(inSegment(s, 0, 6, 5, 5));
    CHECK_FALSE(inSegment(s, 0, 5, 5, 5));
    s.view3d.cropMin.x = 0;

    // A second segment in the same layer takes the voxels it is given from the first.
    REQUIRE(newSegment(s));
    CHECK(s.scene.labels.size() == 1);
    CHECK(s.editor.segment == 1);
    CHECK(s.scene.labels[0].visible.size() == 2);
    s.editor.lo = 400;
    REQUIRE(applyThreshold(s));
    CHECK(voxelsOf(s, 1) == 36);
    CHECK(voxelsOf(s, 0) == 0);
    // Undo walks back through both segments' edits.
    REQUIRE(undoSegmentEdit(s));
    CHECK(voxelsOf(s, 0) == 5);
    CHECK(voxelsOf(s, 1) == 0);
}

TEST_CASE("segment editor: split into islands makes a segment of each part, largest first, smaller parts go, "
          "undo gives the one segment back") {
    AppState s = partsScene();
    thresholdAll(s);
    const std::size_t undoBefore = s.editor.undo.size();
    s.editor.minIsland = 2; // A (27) and B (8) are parts; C (1 voxel) is under the size
    REQUIRE(splitIslands(s));
    const LabelLayer* l = s.scene.labels[0].layer.get();
    REQUIRE(l->segments.size() == 2);
    CHECK(l->segments[1].name == "Segment 1 2");
    CHECK(s.scene.labels[0].visible.size() == 2);
    CHECK(voxelsOf(s, 0) == 27);
    CHECK(voxelsOf(s, 1) == 8);
    CHECK(inSegment(s, 0, 3, 3, 3));
    CHECK(inSegment(s, 1, 5, 5, 5));
    CHECK_FALSE(inSegment(s, 0, 10, 8, 7));
    CHECK_FALSE(inSegment(s, 1, 10, 8, 7));
    CHECK(s.editor.lastMessage == "Split Segment 1 into 2 segments (1 smaller parts removed)");
    CHECK(s.editor.undo.size() == undoBefore + 1);

    // Undo: one segment of all three parts again; redo: split again.
    s.editor.segment = 1;
    REQUIRE(undoSegmentEdit(s));
    REQUIRE(s.scene.labels[0].layer->segments.size() == 1);
    CHECK(s.editor.segment == 0); // the segment edited is still one that exists
    CHECK(voxelsOf(s, 0) == 36);
    REQUIRE(redoSegmentEdit(s));
    REQUIRE(s.scene.labels[0].layer->segments.size() == 2);
    CHECK(voxelsOf(s, 1) == 8);

    // By corners A and B are one part, C its own: 35 and 1 with the size at 1.
    REQUIRE(undoSegmentEdit(s));
    s.editor.connectivity = 26;
    s.editor.minIsland = 1;
    REQUIRE(splitIslands(s));
    CHECK(voxelsOf(s, 0) == 35);
    CHECK(voxelsOf(s, 1) == 1);
    // A segment of one part: nothing to split.
    s.editor.segment = 1;
    CHECK_FALSE(splitIslands(s));
    CHECK(s.editor.lastMessage == "Split into islands: Segment 1 2 is one part");
}

TEST_CASE("segment editor: Smooth (median) is edit/morphology's median with the margin as the kernel") {
    AppState s = partsScene();
    thresholdAll(s);
    const LabelLayer& layer = *s.scene.labels[0].layer;
    const Geometry grid = layer.grid;
    const Mask m = segmentMask(layer, layer.segments[0]);
    s.editor.marginMm = 0.5f; // 0.5 x 0.5 x 1 mm voxels: a kernel of one voxel
    CHECK_FALSE(changeMargin(s, MarginEdit::Median));
    CHECK(s.editor.lastMessage ==
          "Smooth (median, 0.5 mm): the box is less than a voxel; give at least 1.0 mm"); // twice 0.5 mm
    s.editor.marginMm = 1.0f;                                                             // 3 x 3 x 1 voxels
    REQUIRE(changeMargin(s, MarginEdit::Median));
    const Mask expected = medianMask(m, grid, 1.0);
    CHECK(voxelsOf(s, 0) == countVoxels(expected));
    CHECK(voxelsOf(s, 0) < 36); // the cubes' edges are rounded, the lone voxel goes
    CHECK_FALSE(inSegment(s, 0, 10, 8, 7));
    REQUIRE(undoSegmentEdit(s));
    CHECK(voxelsOf(s, 0) == 36);
}

namespace {

// The layer's statistics, kept up to date edit by edit, are what measuring it all again gives.
void checkStatsAsMeasured(const AppState& s) {
    const LabelLayer& l = *s.scene.labels[std::size_t(s.editor.layer)].layer;
    const std::vector<SegmentStats> measured = measureSegments(l, s.scene.base->series.volume);
    REQUIRE(l.stats.size() == measured.size());
    for (std::size_t n = 0; n < measured.size(); ++n) {
        INFO("segment " << n << ": " << s.editor.lastMessage);
        CHECK(l.stats[n].voxels == measured[n].voxels);
        CHECK(l.stats[n].sum == measured[n].sum); // int16 HU: sums exact in double
        CHECK(l.stats[n].sumSquares == measured[n].sumSquares);
        CHECK(l.stats[n].mean == Approx(measured[n].mean));
        CHECK(l.stats[n].sd == Approx(measured[n].sd).margin(1e-9));
        CHECK(l.stats[n].min == measured[n].min);
        CHECK(l.stats[n].max == measured[n].max);
        CHECK(l.stats[n].voxelMin == measured[n].voxelMin);
        CHECK(l.stats[n].voxelMax == measured[n].voxelMax);
        CHECK(l.stats[n].bboxMin == measured[n].bboxMin);
        CHECK(l.stats[n].bboxMax == measured[n].bboxMax);
        CHECK(l.stats[n].volumeMl == Approx(measured[n].volumeMl));
    }
}

} // namespace

TEST_CASE("segment editor: statistics follow each edit from its box alone, as a full measure gives them, and "
          "the new layer says which layer and box it changed") {
    AppState s = partsScene(true);
    REQUIRE(newSegment(s));
    REQUIRE(newSegment(s)); // a second segment in the same group: edits of one take voxels from the other
    s.editor.segment = 0;
    s.editor.lo = 300;
    s.editor.hi = 3071;
    const std::uint64_t first = s.scene.labels[0].layer->lineage.id;
    REQUIRE(applyThreshold(s));
    const LayerLineage& lineage = s.scene.labels[0].layer->lineage;
    CHECK(lineage.editedFrom == first);
    CHECK(lineage.id != first);
    CHECK(lineage.group == 0);
    CHECK(lineage.lo == glm::ivec3(2, 2, 2));
    CHECK(lineage.hi == glm::ivec3(10, 8, 7));
    checkStatsAsMeasured(s);
    // A copy of a layer is a layer of its own: a new id, made whole.
    const LabelLayer copy = *s.scene.labels[0].layer;
    CHECK(copy.lineage.id != lineage.id);
    CHECK(copy.lineage.editedFrom == 0);

    s.editor.segment = 1;
    REQUIRE(keepIslandAt(s, {3, 3, 3}) == false); // segment 2 is empty: nothing to keep
    REQUIRE(growAt(s, {6, 6, 6}));                // B joins segment 2, leaving segment 1
    checkStatsAsMeasured(s);
    s.editor.segment = 0;
    REQUIRE(keepIslandAt(s, {3, 3, 3})); // segment 1 loses C: its box shrinks, its maximum may go
    checkStatsAsMeasured(s);
    s.editor.marginMm = 0.5f;
    REQUIRE(changeMargin(s, MarginEdit::Shrink));
    checkStatsAsMeasured(s);
    REQUIRE(undoSegmentEdit(s));
    checkStatsAsMeasured(s);
    REQUIRE(undoSegmentEdit(s));
    checkStatsAsMeasured(s);
    REQUIRE(redoSegmentEdit(s));
    checkStatsAsMeasured(s);
    s.editor.segment = 1;
    REQUIRE(clearSegment(s));
    checkStatsAsMeasured(s);
    s.editor.segment = 0;
    s.editor.minIsland = 1;
    REQUIRE(applyThreshold(s)); // all three parts again
    REQUIRE(splitIslands(s));
    checkStatsAsMeasured(s);
    REQUIRE(undoSegmentEdit(s));
    checkStatsAsMeasured(s);
    REQUIRE(redoSegmentEdit(s));
    checkStatsAsMeasured(s);
}

TEST_CASE("segment editor: a segment of a bit group (a SEG's overlapping segments) is edited alone, the "
          "others sharing its byte as they were, and undo gives it back") {
    AppState s = partsScene(true);
    const Geometry& g = s.scene.base->series.volume.geometry();
    // Four segments over the whole grid, each overlapping the others: two value groups, then a bit group.
    auto half = [&](auto in) {
        std::vector<std::uint8_t> m(g.voxelCount(), 0);
        for (int k = 0; k < 8; ++k)
            for (int j = 0; j < 10; ++j)
                for (int i = 0; i < 12; ++i)
                    m[std::size_t((k * 10 + j) * 12 + i)] = in(i, j, k);
        return m;
    };
    const std::vector<std::vector<std::uint8_t>> masks = {
        half([](int i, int, int) { return i < 6; }), half([](int, int j, int) { return j < 5; }),
        half([](int, int, int k) { return k < 4; }), half([](int i, int, int) { return i >= 3; })};
    LabelLayerBuilder b(g);
    for (int n = 0; n < 4; ++n)
        b.add({n + 1, "S" + std::to_string(n + 1)}, masks[std::size_t(n)]);
    LabelLayer layer = b.take("seg.dcm", "", "DICOM SEG");
    REQUIRE(layer.isBitGroup(2));
    REQUIRE(layer.segments[2].group == 2);
    REQUIRE(layer.segments[3].group == 2);
    layer.stats = measureSegments(layer, s.scene.base->series.volume);
    addLabelLayer(s, std::make_shared<const LabelLayer>(std::move(layer)));
    auto holds = [&](int segment, const std::vector<std::uint8_t>& mask) {
        const LabelLayer& l = *s.scene.labels[0].layer;
        std::size_t wrong = 0;
        for (std::size_t v = 0; v < mask.size(); ++v)
            wrong += l.contains(l.segments[std::size_t(segment)], v) != bool(mask[v]);
        return wrong == 0;
    };
    const std::vector<std::uint8_t> parts =
        half([&](int i, int j, int k) { return s.scene.base->series.volume.at(i, j, k) >= 300; });

    // S3 (a bit) becomes the three parts; S4, in the same byte, keeps every voxel it had (a value group's
    // segment would have lost them).
    selectSegment(s, 0, 2);
    s.editor.lo = 300;
    s.editor.hi = 3071;
    REQUIRE(applyThreshold(s));
    CHECK(holds(2, parts));
    CHECK(holds(3, masks[3]));
    CHECK(holds(0, masks[0]));
    checkStatsAsMeasured(s);

    // Split: the parts become segments on the bit group's free bits.
    s.editor.minIsland = 1;
    REQUIRE(splitIslands(s));
    const LabelLayer& split = *s.scene.labels[0].layer;
    INFO(s.editor.lastMessage);
    REQUIRE(split.segments.size() == 6);
    CHECK(split.segments[4].kind == GroupKind::Bits);
    CHECK(split.segments[4].group == 2);
    CHECK(split.segments[4].value == 4);
    CHECK(split.segments[5].value == 8);
    CHECK(voxelsOf(s, 2) == 27); // A stays S3; B and C are S3 2 and S3 3
    CHECK(voxelsOf(s, 4) + voxelsOf(s, 5) == 9);
    CHECK(holds(3, masks[3]));
    checkStatsAsMeasured(s);

    // Undo twice: S3 as the file had it, S4 untouched throughout.
    REQUIRE(undoSegmentEdit(s));
    REQUIRE(undoSegmentEdit(s));
    CHECK(s.scene.labels[0].layer->segments.size() == 4);
    CHECK(holds(2, masks[2]));
    CHECK(holds(3, masks[3]));
    checkStatsAsMeasured(s);
    // Clearing S4 leaves S3.
    selectSegment(s, 0, 3);
    REQUIRE(clearSegment(s));
    CHECK(voxelsOf(s, 3) == 0);
    CHECK(holds(2, masks[2]));
    checkStatsAsMeasured(s);
}

TEST_CASE("segment editor: a segment renamed and recoloured, as one edit each that undo takes back, its "
          "voxels and statistics stay") {
    AppState s = partsScene();
    thresholdAll(s);
    const std::uint64_t before = s.scene.labels[0].layer->lineage.id;
    CHECK_FALSE(setSegmentLook(s, "", glm::vec3(1, 0, 0)));
    CHECK(s.editor.lastMessage == "a segment needs a name");
    const glm::vec3 colour = s.scene.labels[0].layer->segments[0].color;
    CHECK_FALSE(setSegmentLook(s, "Segment 1", colour)); // nothing changes
    REQUIRE(setSegmentLook(s, "Pelvis", colour));
    CHECK(s.editor.lastMessage == "Rename Segment 1 to Pelvis");
    const LabelLayer& renamed = *s.scene.labels[0].layer;
    CHECK(renamed.segments[0].name == "Pelvis");
    CHECK(renamed.lineage.editedFrom == before);
    CHECK(renamed.lineage.hi.x < renamed.lineage.lo.x); // no voxel changed: no box to upload
    CHECK(voxelsOf(s, 0) == 36);
    REQUIRE(setSegmentLook(s, "Pelvis", glm::vec3(0.9f, 0.8f, 0.6f)));
    CHECK(s.editor.lastMessage == "Colour of Pelvis");
    CHECK(s.scene.labels[0].layer->segments[0].color == glm::vec3(0.9f, 0.8f, 0.6f));
    REQUIRE(undoSegmentEdit(s));
    CHECK(s.scene.labels[0].layer->segments[0].color == colour);
    REQUIRE(undoSegmentEdit(s));
    CHECK(s.scene.labels[0].layer->segments[0].name == "Segment 1");
    REQUIRE(redoSegmentEdit(s));
    CHECK(s.scene.labels[0].layer->segments[0].name == "Pelvis");
    CHECK(voxelsOf(s, 0) == 36);
}

TEST_CASE("segment editor: undoing a rename or a split keeps the segments made since, and which segment is "
          "edited") {
    AppState s = partsScene();
    thresholdAll(s); // Segment 1: A, B and C
    const glm::vec3 colour = s.scene.labels[0].layer->segments[0].color;
    REQUIRE(setSegmentLook(s, "Liver", colour));
    REQUIRE(newSegment(s)); // Segment 2, made after the rename, and edited
    REQUIRE(growAt(s, {6, 6, 6}));
    CHECK(voxelsOf(s, 1) == 8); // B
    REQUIRE(undoSegmentEdit(s));
    REQUIRE(undoSegmentEdit(s)); // the rename
    const LabelLayer* l = s.scene.labels[0].layer.get();
    REQUIRE(l->segments.size() == 2);
    CHECK(l->segments[0].name == "Segment 1");
    CHECK(l->segments[1].name == "Segment 2");
    CHECK(s.editor.segment == 1);
    REQUIRE(redoSegmentEdit(s));
    REQUIRE(redoSegmentEdit(s));
    CHECK(s.scene.labels[0].layer->segments[0].name == "Liver");
    CHECK(voxelsOf(s, 1) == 8);

    // Liver is A and C now: split, edit the new segment, undo the split: the new one goes, Segment 2 stays,
    // and the segment edited is Liver again (not whatever took the new one's place).
    s.editor.segment = 0;
    s.editor.minIsland = 1;
    REQUIRE(splitIslands(s));
    l = s.scene.labels[0].layer.get();
    REQUIRE(l->segments.size() == 3);
    CHECK(l->segments[2].name == "Liver 2");
    s.editor.segment = 2;
    REQUIRE(undoSegmentEdit(s));
    l = s.scene.labels[0].layer.get();
    REQUIRE(l->segments.size() == 2);
    CHECK(l->segments[1].name == "Segment 2");
    CHECK(s.editor.segment == 0);
    CHECK(voxelsOf(s, 0) == 28);
    CHECK(voxelsOf(s, 1) == 8);
}

TEST_CASE("segment editor: Surface in 3D holds the segment's closed surface, made again after an edit and "
          "only then") {
    AppState s = partsScene();
    thresholdAll(s); // A (27 voxels), B (8) and C (1): 36 voxels of 0.25 mm3
    CHECK_FALSE(syncSegmentSurface(s));
    CHECK(s.scene.surfaces.empty()); // off by default
    s.editor.surfaceIn3d = true;
    REQUIRE(syncSegmentSurface(s));
    REQUIRE(s.scene.surfaces.size() == 1);
    const SurfaceLayerView first = s.scene.surfaces[0];
    const LabelLayer& layer = *s.scene.labels[std::size_t(s.editor.layer)].layer;
    CHECK(first.layerId == layer.lineage.id);
    CHECK(first.segmentNumber == layer.segments[0].number);
    // What Export surface writes: closed, in LPS mm, about the segment's volume (smoothing rounds corners).
    const MeshCheck check = checkMesh(*first.mesh);
    CHECK(check.closedManifold());
    const double mm3 = enclosedVolume(*first.mesh);
    CHECK(mm3 > 0.5 * 36 * 0.25);
    CHECK(mm3 < 1.2 * 36 * 0.25);
    CHECK_FALSE(syncSegmentSurface(s)); // nothing changed: the same mesh
    CHECK(s.scene.surfaces[0].id == first.id);
    // A new name and colour make the layer anew but touch no voxel: the same mesh, in the new colour, tied
    // to the new layer (whose voxels of the segment it stands for in 3D).
    REQUIRE(setSegmentLook(s, "Renamed", {0.1f, 0.9f, 0.2f}));
    CHECK_FALSE(syncSegmentSurface(s));
    CHECK(s.scene.surfaces[0].id == first.id);
    CHECK(s.scene.surfaces[0].name == "Renamed");
    CHECK(s.scene.surfaces[0].colour == glm::vec3(0.1f, 0.9f, 0.2f));
    CHECK(s.scene.surfaces[0].layerId == s.scene.labels[std::size_t(s.editor.layer)].layer->lineage.id);
    CHECK(s.scene.surfaces[0].layerId != first.layerId);

    // An edit makes the layer anew: the surface follows, smaller (only A stays).
    REQUIRE(keepIslandAt(s, {3, 3, 3}));
    REQUIRE(syncSegmentSurface(s));
    CHECK(s.scene.surfaces[0].id != first.id);
    CHECK(enclosedVolume(*s.scene.surfaces[0].mesh) < mm3);
    // Undo brings the first voxels back, and a surface of them.
    REQUIRE(undoSegmentEdit(s));
    REQUIRE(syncSegmentSurface(s));
    CHECK(enclosedVolume(*s.scene.surfaces[0].mesh) == Approx(mm3));

    // No segment being edited, or the box unticked: no surface.
    s.editor.segment = -1;
    CHECK_FALSE(syncSegmentSurface(s));
    CHECK(s.scene.surfaces.empty());
}
