#pragma once
// The segment editor's state and its edits (issue 28): a segment of a label layer of the scene changed by the
// tools of edit/ (threshold, islands), each edit undoable. No GL, no ImGui: the Segments panel and the slice
// views' clicks call these, the tests too.
//
// Label layers are shared and never changed in place (the renderers and the 3D view hold them): an edit makes
// the layer anew with its changed group and puts it in the scene where the old one was (the GPU takes the
// new one as it takes any new layer). Undo keeps only what changed: the box of the voxels that changed, with
// their bytes before and after, not a copy of the layer.
#include "labels/label_layer.h"
#include "mesh/mesh.h"

#include <glm/glm.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ctview::viewer {

struct AppState;

// One edit: the box [lo, hi] (voxels, inclusive) of one group of one layer, as it was and as it became; and
// the layer's segments before and after when the edit made new ones (Split), else both empty.
struct SegmentChange {
    int layer = 0, group = 0;
    int segment = 0; // the number of the segment edited
    glm::ivec3 lo{0}, hi{-1};
    std::vector<std::uint8_t> before, after;
    std::vector<Segment> segmentsBefore, segmentsAfter;
    std::string what; // "Threshold 300..3071 HU", for the panel and the toast
};

struct SegmentEditor {
    enum class Tool { None, Threshold, Islands, Margin, Scissors, Paint };
    bool open = false; // the editor's section of the Segments panel is open: Ctrl+Z undoes its edits
    Tool tool = Tool::None;
    int layer = -1;   // the scene's label layer of the segment being edited, or -1
    int segment = -1; // its index in that layer
    // Threshold: the HU range, shown over the slice views while the tool is on.
    float lo = 300, hi = 3071;
    // Islands: how voxels touch (6 or 26), and the size under which "Remove small" removes parts.
    int connectivity = 6;
    int minIsland = 1000;
    // Margin: grow, shrink, fill holes (close), remove thin parts (open) or smooth (median) by this many mm.
    float marginMm = 3; // as 3D Slicer's margin: a median box of 3 x 3 voxels on a 1 mm CT
    // Scissors: a shape drawn over the 3D view (screen points, being drawn while the button is down) cuts
    // through the whole depth: what projects inside it goes, or only that stays.
    bool keepInside = false;
    std::vector<glm::dvec2> scissorsPath;
    // Paint: a round brush of this radius, in the view's slice (a disc) or as a ball; erasing (Shift
    // inverts); only on voxels in the Threshold tool's range, when asked ("paint only on bone"). A stroke is
    // painted when the button comes up (one undo step): its points (LPS, on view strokeView's plane)
    // meanwhile.
    float brushMm = 5;
    bool sphere = false, erase = false, limitToRange = false;
    std::vector<glm::dvec3> stroke;
    int strokeView = -1;
    bool strokeErase = false;
    std::vector<SegmentChange> undo, redo; // most recent last
    bool unsaved = false;                  // edits since the segmentation was last saved
    int saveFormat = 0, surfaceFormat = 0; // rows of segmentationFormats() and surfaceFormats()
    // The edited segment's surface in the 3D view (syncSegmentSurface), in place of its voxels there.
    bool surfaceIn3d = false;
    // The name being typed for the edited segment (the panel's field), and which segment it is of
    // (layer * 65536 + segment; -1: none yet): another segment chosen starts from its own name.
    std::array<char, 256> nameDraft{};
    int draftOf = -1;
    glm::vec3 pickedColour{0.0f}; // the colour picker's, taken when it closes
    std::string lastMessage;      // what the last edit did, or why it did nothing

    // Crash safety (app/actions.h autosaveSegmentation): every edit bumps `revision`; the layer is written
    // aside, keyed by the series, until it is saved or its edits are discarded.
    std::uint64_t revision = 0, autosaved = 0;
    std::string restorable; // an autosave of this series from a session that did not end cleanly, to offer
    std::string adopting;   // the autosave being restored: the layer from it becomes the one edited
    bool askQuit = false;   // closing with unsaved edits: the window asks first
    bool quitAnyway = false;

    bool editing() const { return layer >= 0 && segment >= 0; }
    bool previewing() const { return open && editing() && tool == Tool::Threshold; }
};

// Thresholds' presets, as 3D Slicer's Threshold tool offers them (HU; hi 3071 stands for "the maximum").
struct ThresholdPreset {
    const char* name;
    float lo, hi;
};
const std::vector<ThresholdPreset>& thresholdPresets();

// What Save and Export surface write, one row per format: the menu's words and the file's extension.
struct FileFormat {
    const char* name;
    const char* extension;
};
const std::vector<FileFormat>& segmentationFormats(); // .seg.nrrd, .nii.gz, .dcm
const std::vector<FileFormat>& surfaceFormats();      // .stl, .obj, .ply

// The layer of the segment being edited, or null (nothing selected, or no longer in the scene).
const LabelLayer* editedLayer(const AppState& s);

// A segment's closed surface in patient millimetres (LPS), smoothed without shrinking (Taubin,
// kSegmentSurfaceSmoothing): what Export surface writes and the 3D view shows. Empty when the segment is.
Mesh segmentSurface(const LabelLayer& l, const Segment& seg);

// Keeps the scene's surfaces what the editor asks for: with "Surface in 3D" on, the edited segment's surface
// (made again when the segment's voxels or colour change: an edit makes the layer anew), else none. Returns
// true when it made one (the frame's work).
bool syncSegmentSurface(AppState& s);

// A new segment to edit: in the scene's own editable layer ("New segmentation", on the base grid; made on the
// first call), named "Segment N" with the next colour, and selected. Returns false when nothing is loaded.
bool newSegment(AppState& s);
// Selects segment `segment` of label layer `layer` for editing.
void selectSegment(AppState& s, int layer, int segment);
// Names and colours the segment being edited (sRGB 0..1): what the Segments panel, the views and saved files
// show. An edit as the others (undone with Ctrl+Z); false, saying why, for an empty name or no change.
bool setSegmentLook(AppState& s, const std::string& name, glm::vec3 colour);

// The edits. Each replaces the selected segment's voxels (within the crop box, when the 3D view has one) and
// returns false, saying why in editor.lastMessage, when it changes nothing.
bool applyThreshold(AppState& s);              // the voxels in [lo, hi] HU
bool keepIslandAt(AppState& s, glm::ivec3 at); // the part of the segment that holds voxel `at`
// Grow from a click (the Threshold tool's click in a slice view): the voxels in [lo, hi] HU connected to
// voxel `at` join the segment, on the whole series.
bool growAt(AppState& s, glm::ivec3 at);
bool keepLargestIsland(AppState& s);
bool removeSmallIslands(AppState& s); // the parts of fewer than minIsland voxels
// Split into islands: the largest part stays in the segment, every other part of at least minIsland voxels
// becomes a segment of its own ("NAME 2", ... largest first, at most kMaxSplit of them), smaller parts go.
inline constexpr int kMaxSplit = 100;
bool splitIslands(AppState& s);
bool clearSegment(AppState& s);
// Scissors: the segment's voxels whose centres the 3D view shows inside `shape` (screen points, closed, the
// even-odd rule) leave it (or, with keepInside, only they stay), through the whole depth, as the 3D view's
// camera in rectangle s.cells[3] projects them.
bool cutWithScissors(AppState& s, const std::vector<glm::dvec2>& shape);
// Paint (or erase, `erase`): the voxels within brushMm of the stroke's path (LPS points joined by straight
// lines) join the segment (or leave it): in slice view `view`'s plane (those within half a slice of it), or
// in a ball when editor.sphere; with limitToRange, only those with HU in [lo, hi].
bool paintStroke(AppState& s, const std::vector<glm::dvec3>& stroke, int view, bool erase);
// The segment grown or shrunk by editor.marginMm, or closed (gaps and holes filled) or opened (thin parts
// removed) by it, or median-smoothed with a kernel of that size: edit/morphology.h, exact in mm with
// anisotropic voxels.
enum class MarginEdit { Grow, Shrink, FillHoles, RemoveThin, Median };
bool changeMargin(AppState& s, MarginEdit edit);

// A layer restored from an autosave (the editor's `adopting` file): joins the scene as the editor's own
// layer, its first segment selected, its edits unsaved.
void adoptRestoredEdits(AppState& s, const std::shared_ptr<const LabelLayer>& layer);
// A new base image: nothing to edit any more (its layers are gone), the undo with them.
void resetSegmentEditor(SegmentEditor& e);

bool undoSegmentEdit(AppState& s);
bool redoSegmentEdit(AppState& s);

} // namespace ctview::viewer
