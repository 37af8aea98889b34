#pragma once
// Everything the viewer shows and the user can change, as plain data. Panels read and edit it; input handling
// edits it; the renderer draws from it. Nothing here touches GL, so that input handling is tested in-process.
#include "base/login.h"
#include "measure/measure.h"
#include "mesh/mesh.h"
#include "sources/dataset.h"
#include "sources/metadata.h"
#include "viewer/commands.h"
#include "viewer/segment_editor.h"
#include "volume/camera3d.h"
#include "volume/mpr.h"
#include "volume/transfer.h"
#include "volume/view.h"
#include "volume/volume_stats.h"
#include "volume/window.h"

#include <glm/glm.hpp>

#include <array>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ctview::viewer {

struct ViewState {
    Axis axis = Axis::Axial;
    ViewCamera camera;
    Slab slab; // thick slab around the slice (0 mm: thin); the view, the probe, S and snapshot show it
};

// What the loader thread reports, copied to the state once a frame.
struct LoadStatus {
    bool active = false;
    std::string input; // the folder or file being opened
    std::string stage; // "scanning", "decoding", ...
    std::size_t done = 0, total = 0;
    std::string error; // the last load's failure, in plain words (empty when it worked)
};

struct Toast {
    std::string text;
    double expires = 0; // glfwGetTime() seconds
    bool error = false;
};

// A mouse drag that started in a view and continues until the button is released, wherever the mouse goes.
struct Drag {
    int view = -1;   // 0..2 the slice views, 3 the 3D view, or -1 for none
    int button = -1; // 0 left (crosshair; 3D: rotate), 1 right (window/level; 3D: zoom), 2 middle (pan)
    int pane = 0;    // side by side: 1 when it started in the second series' views (paneOffset)
};

// The drawings over the slice views, each switched on its own (O toggles them all).
struct Overlays {
    bool crosshair = true, letters = true, scaleBar = true, windowLevel = true, probe = true,
         sliceInfo = true;
};

struct Panels {
    bool sidebar = true, help = false, open = false, metadataTags = false;
    bool pacs = false;     // the PACS (DICOMweb) dialog
    bool pacsBusy = false; // it waits for a server: the frame loop keeps drawing
};

// The 3D view (the fourth cell): what it shows and how.
struct View3D {
    RenderPreset preset = defaultRenderPreset(); // the one being shown and edited
    std::string presetName = preset.name;        // the preset it started from ("ct-bone", or a user preset)
    Camera3D camera = defaultCamera3D();
    glm::dvec3 cropMin{0.0}, cropMax{1.0}; // crop box, fractions of the volume's box along i, j, k
    // "Cut at the slice planes", per voxel axis (i, j, k): 0 off, 1 keep the part at or past the crosshair's
    // slice (higher index), 2 keep the part before it.
    glm::ivec3 cutAtSlices{0};
    bool showSlicePlanes = true; // outline the three slice planes in 3D
    bool showOrientation = true; // the L/R/A/P/S/I axes in the corner
    bool showCropBox = false;    // the crop box's outline and handles to drag in the 3D view
    double stepScale = 1.0;      // samples every stepScale x the smallest voxel spacing
    bool skipping = true;        // empty-space skipping (off only to compare)
    // The colour map is the preset's (preset.colormap: a projection's map; on a transfer function, the map
    // its points were coloured from): one place, so that what the menu shows is what is drawn.
    bool invert = false;  // that map reversed
    bool focused = false; // the mouse is over the 3D view: its keys apply
    // Adaptive quality: while the user drags (and a moment after), the view renders coarse (a fraction of its
    // pixels, RenderFeedback::interactiveScale, and twice the step); then once at full quality (after one
    // coarse frame at every pixel when a full frame is slow: Quality3d), then not at all until something
    // changes.
    double interactUntil = 0;
    int tfSelected = -1;                   // the transfer-function editor's selected point
    std::vector<RenderPreset> userPresets; // from the config folder's presets/ (the frame loop reads them)
};

// Cine (Space): one slice view played through its slices, a step every 1/fps seconds, from the last slice
// back to the first (loop) or turning round at each end (bounce). Any key or a click in the views stops it.
struct Cine {
    int view = -1;           // 0..2 while playing, else -1 (its speed and bounce are Preferences)
    int direction = 1;       // +1 towards higher slice numbers (the feet, posterior, the patient's left)
    double next = 0;         // glfwGetTime() seconds of the next step
    bool overPhases = false; // a 4D series: play its phases at the slice shown, not the slices
};

// Movies made in the window: Cine's "Record movie" (a slice view's slices) and the 3D view's "Record" (a
// turntable). One at a time; the window stays live while it is made.
struct Recording {
    bool gif = false;         // the Record buttons write a GIF (else MP4)
    double turnDegrees = 360; // the turntable: degrees about the patient's head-feet axis
    int turnFrames = 72;      //   in this many frames
    // The movie being made (app::MovieJob / app::TurntableRecorder, reported by the frame loop).
    bool active = false;
    int done = 0, total = 0; // frames of its stage: drawn, then encoded
    std::string stage;       // "rendering", "encoding"
};

// "Share" (side panel): the open series and its DICOM segmentations as a de-identified copy in the export
// folder, or sent to a saved PACS node (app::ShareJob, reported by the frame loop).
struct Share {
    bool anonymise = true; // send a de-identified copy (else the files as they are)
    bool keepDates = false, keepDescriptions = false;
    int node = 0;        // the saved PACS node to send to (prefs.pacsServers)
    bool active = false; // a copy or a send is under way
};

// What Ctrl+Z undoes: the window, the 3D view's transfer function and the measurements, as they were after an
// edit.
struct EditState {
    WindowLevel window;
    std::string windowName;
    std::vector<TfPoint> points;
    std::vector<Annotation> annotations;
    bool operator==(const EditState& o) const {
        return window.width == o.window.width && window.center == o.window.center &&
               windowName == o.windowName && points == o.points && annotations == o.annotations;
    }
};
struct UndoHistory {
    std::vector<EditState> undo, redo; // most recent last
    EditState current;                 // the state after the last edit (or as loaded)
    bool started = false;
};

// What the mouse is doing: owned by the input handling (input.cpp, measure_gesture.cpp), transient. Nothing
// here is saved, undone or set by the CLI; a new series or an undo ends it (endAnnotationGesture).
struct Gestures {
    Drag drag;
    struct Turn {
        bool active = false;
        glm::dvec2 centre{0.0}; // screen position of the crosshair in the view being turned
        double startAngle = 0;  // of the mouse about it when the drag began, radians
        glm::dmat3 startRotation{1.0};
    } turn; // a crosshair line's end being dragged
    // A shape clicked out point by point (an angle's second arm, a polygon's next vertex): its last point
    // follows the mouse over its view until the next click.
    int pending = -1;
    int pendingView = -1;
    int drawing = -1; // the annotation being dragged out, or -1
    struct BoxDrag {
        int kind = 0;          // 1 rectangle, 2 ellipse: being dragged out as a polygon in a tilted plane
        glm::dvec3 start{0.0}; // its first corner (LPS)
    } box;
    int editing = -1, editingHandle = -1; // the annotation whose handle (annotationHandles) is being dragged
    // A crop box face being dragged in the 3D view (crop_gesture.h).
    struct CropDrag {
        int handle = -1;            // cropHandles()' index, or -1
        double startFraction = 0;   // the face's fraction when the press came
        glm::dvec3 axisOrigin{0.0}; // the face's axis in LPS: its centre then,
        glm::dvec3 axisStep{0.0};   //   and the step of one unit of fraction along it
        double grab = 0;            // where on the axis the press was (units of fraction from axisOrigin)
    } crop;
    // Probe: the voxel under the mouse, if any, and its value as shown (through the view's slab).
    struct Probe {
        bool valid = false;
        glm::ivec3 voxel{0};
        float hu = 0;
        glm::dvec3 lps{0.0};
        int pane = 0; // side by side: 1 when the mouse is over the second series' views
    } probe;
    // "Align here" (side by side): one landmark clicked in the open series' views, then the same landmark in
    // the second series'; the second series is then moved by the difference (Command::Realign, `link`).
    struct Align {
        int step = 0;          // 0 off; 1 waiting for the click on the left; 2 for the one on the right
        glm::dvec3 first{0.0}; // the left click's point, LPS
        glm::dmat4 link{1.0};  // the link it makes (ImageLayerView::toLayer)
    } align;
};

// What the user set up once and expects back next time: owned by the settings (settings.json holds exactly
// this, besides the look of the last series and the window's placement). The panels edit it in place.
struct Preferences {
    std::vector<std::string> recent; // most recent first (folders, files, DICOMweb URLs)
    std::vector<std::string>
        pacsServers; // archive roots the user saved in the PACS dialog (never credentials), newest first
    std::map<std::string, std::string> pacsNames; // a saved root's name, as the user gave it ("" none)
    // How a saved node is listed: its name and its URL, or the URL alone.
    std::string pacsLabel(const std::string& url) const {
        const auto it = pacsNames.find(url);
        return it == pacsNames.end() || it->second.empty() ? url : it->second + "  " + url;
    }
    Overlays overlays;
    bool sidebar = true;      // the side panel is shown (Tab)
    float sidebarWidth = 340; // as the user dragged it (pixels)
    bool burnIn = false; // S draws the measurements on the slice into the saved image (off: export's pixels)
    bool saveTiff = false;   // S also writes the slice's HU as a TIFF (16-bit, or float) for ImageJ
    double cineFps = 10;     // Space's cine: 1..60 steps a second,
    bool cineBounce = false; //   turning round at each end (else from the last slice back to the first)
    // The window title names nothing that identifies the patient (no name, date, description or folder):
    // for screen sharing and recordings.
    bool anonymousTitle = false;
};

// A label layer in the scene: its segments (labels/label_layer.h; shared, never changed once loaded) and how
// they are shown.
struct LabelLayerView {
    std::shared_ptr<const LabelLayer> layer;
    bool shown = true;         // the whole layer
    std::vector<char> visible; // per segment, in the layer's order
    float opacity = 0.4f;      // of the fill (the outline is opaque)
    bool fill = true, outline = true;
    bool in3d = true; // its visible segments as surfaces in the 3D view
};

// A surface mesh in the 3D view: a segment's closed surface as Export surface writes it (the editor's
// "Surface in 3D"), drawn as triangles in place of the segment's voxels there.
struct SurfaceLayerView {
    std::shared_ptr<const Mesh> mesh; // LPS mm, wound outwards
    std::uint64_t id = 0;             // this mesh's (a mesh made again gets a new one)
    // Made from the segment of this number of the label layer with this lineage id (LayerLineage): while
    // that layer is in the scene, its voxels of the segment are left out of the 3D view.
    std::uint64_t layerId = 0;
    int segmentNumber = 0;
    std::string name;
    glm::vec3 colour{1.0f};
};

// How a second series is shown with the base image in the slice views.
enum class FusionMode {
    Overlay,      // its colour map at `opacity` over the base (PET-CT style, or a prior in hot over grey)
    Checkerboard, // squares of the base and of the layer (opaque) alternating, to check the alignment
    Difference,   // the layer minus the base, in HU, through `difference` (post- minus pre-contrast)
    SideBySide,   // alone, in views of its own beside the base's (the same planes: linked by construction)
};

// A second series over the base image (fusion): its HU resampled onto the base's grid through the link
// between the two (viewer/fusion.h), drawn over every slice view with a window and colour map of its own.
struct ImageLayerView {
    std::shared_ptr<const Dataset> series;    // as loaded, on its own grid
    std::shared_ptr<const Volume> onBase;     // its HU on the base's grid; kOutsideHu where it has none
    std::shared_ptr<const VolumeStats> stats; // onBase's histogram and bricks: its 3D view, side by side
    std::uint64_t id = 0;                     // this resampling's (a new link or series resamples: a new one)
    // The link: the base's LPS points to the layer's (identity: one space; a shift the user gave; a
    // registration's rotation and shift), and how the two are linked, in words (fusionLink).
    glm::dmat4 toLayer{1.0};
    std::string link;
    bool registered = false; // toLayer is a registration's
    WindowLevel window;
    std::string colormap = "hot";
    float opacity = 0.4f; // Overlay mode
    FusionMode mode = FusionMode::Overlay;
    WindowLevel difference{400, 0}; // Difference mode: layer minus base, HU
    double checkerMm = 20;          // Checkerboard mode: the squares' side in the base's patient space
    bool linkLook = false;          // SideBySide: drawn with the base's window and colour map, not its own
    bool shown = true;
};

// What is loaded: the base image, whose voxel grid every view and the 3D view show, and the layers on its
// grid. A kind of layer (segmentations and their surfaces, a second series fused over the base) is one more
// list here, which the renderers and panels walk; the base stays the grid they share.
struct Scene {
    std::shared_ptr<Dataset> base; // null until something has loaded
    std::vector<LabelLayerView> labels;
    std::vector<SurfaceLayerView> surfaces;
    std::vector<ImageLayerView> images; // at most one for now: the series fused over the base
};

// The viewer's state. Its own members are what is shown (the CLI, presets, the panels and keys set them,
// tests read them); the loaded data, the gestures and the preferences each have their owner.
struct AppState {
    Scene scene;
    Gestures gesture;
    Preferences prefs;

    LoadStatus load;
    std::vector<std::string> messages; // warnings and skipped files of the current series, in plain words

    View3D view3d;
    std::array<ViewState, 3> views{{{Axis::Axial, {}}, {Axis::Coronal, {}}, {Axis::Sagittal, {}}}};
    int activeView = 0; // 0..2: the view keys and the save key act on
    // Side by side (a second series in FusionMode::SideBySide): `cells` are laid out in the left half of the
    // view area and the second series' views are the same cells this far to the right (screen pixels); 0
    // otherwise. Input there acts on the matching view (the planes are the same), layoutCells sets it.
    float paneOffset = 0;
    int maximised = -1;   // -1: 2x2 grid; 0..3: that cell alone (3 is the 3D cell)
    glm::ivec3 cursor{0}; // crosshair voxel (i, j, k); view v shows slice cursor[frame(v).nAxis]
    // Oblique MPR: once the crosshair is turned (its lines' ends dragged), the views are the turned planes
    // through mpr.centre, and `cursor` is the voxel nearest that point (syncCursor), for what works on
    // voxels (the 3D view's slice planes and cuts, the slice sliders' labels).
    Mpr mpr;

    WindowLevel window;
    std::string windowName = "file"; // a preset name, "file", "auto" or "custom"
    std::string colormap = "grayscale";
    bool invert = false;
    // Linear interpolation between voxels (the default, as RadiAnt, Horos and OHIF: thick slices in the
    // coronal and sagittal views show no staircase), or the nearest voxel (L).
    bool linear = true;

    // The Measurements panel's time-density curve: one measurement's value at every phase of the 4D series
    // (an ROI's mean, a point's HU), made by the window's CurveTask.
    struct TimeCurve {
        Annotation of;
        std::vector<float> hu;         // per phase; empty while running or after an error
        std::vector<std::string> when; // per phase: what tells it apart ("250 ms")
        bool running = false;
        std::string error;
    } timeCurve;

    Panels panels;
    Cine cine;
    Recording recording;
    Share share;
    std::filesystem::path exportDir = "ctview-exports";
    RemoteLogin pacsLogin; // the PACS dialog's login, for this session's queries and loads: never saved

    std::deque<Toast> toasts;
    // Measurements shown on the slices they lie on (LPS mm; measure/measure): drawn with the tools below,
    // kept per series (app::restoreAnnotations / saveAnnotations), or given to `snapshot --annotations`.
    std::vector<Annotation> annotations;
    // Their values as last computed (the overlays and the panel ask every frame; drawing code holds a const
    // AppState, hence mutable). Forgotten when the dataset changes.
    mutable MeasureCache measured;
    // The left button's tool in the slice views: a kind of measurement (measureTools(): a point by a click,
    // an angle by its first arm dragged to the vertex and a click for the second arm's end, a polygon by a
    // click per vertex, the others dragged), or none: the crosshair.
    std::optional<AnnotationType> tool;
    int selectedAnnotation = -1;     // the one Delete removes (drawn last, or its row clicked), or -1
    std::string annotationsSeries;   // the SeriesInstanceUID they are kept for ("" none: not kept)
    bool annotationsChanged = false; // since they were last kept
    UndoHistory history;  // window/level, transfer-function and measurement edits (Ctrl+Z, Ctrl+Shift+Z)
    SegmentEditor editor; // the segment being edited and its undo (segment_editor.h)
    bool loadBannerDismissed = false; // the user closed the banner of the current series' load problems
    bool loadBannerDetails = false;   // ... or opened its details (the load's warnings) in it
    // Irregular stacks (gantry tilt, gaps, uneven spacing) are resampled onto a regular grid; off, kept as
    // acquired (the View panel's switch; --no-resample starts with it off).
    bool resample = true;

    // Layout, set once a frame: the sidebar's width and the four cells (axial, coronal, sagittal, 3D).
    Rect viewArea;
    std::array<Rect, 4> cells{};

    bool hasVolume() const { return scene.base && !scene.base->series.volume.empty(); }
};

// The slice frame of view `v` (0..2) for the loaded volume.
SliceFrame frameOf(const AppState& s, int v);
// The view (0..2) that shows `axis`.
int viewOf(const AppState& s, Axis axis);
int sliceOf(const AppState& s, int v);
// The number of that slice as the user sees it (sliceNumber: from 1, superior / anterior / right).
int sliceNumberOf(const AppState& s, int v);
ViewMapping mappingOf(const AppState& s, int v);
// View v's plane: turned when s.mpr.oblique, else the acquired one through the crosshair voxel.
SlicePlane planeOf(const AppState& s, int v);
// How many slices view v steps through: the acquired frame's, or a turned view's (planeSteps).
int sliceCountOf(const AppState& s, int v);
// The spacing (mm) between view v's slices: the acquired frame's, or a turned view's step.
double sliceSpacingOf(const AppState& s, int v);
// The crosshair in patient space (LPS mm).
glm::dvec3 crosshairLps(const AppState& s);
// The voxel nearest the turned views' centre, into `cursor`.
void syncCursor(AppState& s);
// Moves view v (0..2) to slice k (voxel index, clamped) by moving the crosshair along the view's normal.
void setSlice(AppState& s, int v, int k);
// The same by slice number (sliceNumber: 0 superior / anterior / right; a turned view's planeSteps),
// clamped: what keys, the sliders, cine and `--slice` use.
void setSliceNumber(AppState& s, int v, int number);
// Whether measurement `a` shows on view v: it lies on the view's slice, or on its turned plane
// (measure/measure).
bool onView(const AppState& s, int v, const Annotation& a);
// Turns the views about view v's normal by `radians`, clockwise on v's screen (v's right towards its down),
// as dragging v's crosshair line ends does; v keeps its picture. The first turn leaves the acquired axes,
// about the crosshair voxel's centre. What the drag and `snapshot --turn` do.
void turnViews(AppState& s, int v, double radians);
// Back to the acquired axes, the crosshair at the voxel nearest where it was.
void resetOblique(AppState& s);
// The other views' planes through the crosshair as lines over view v: where on the screen they cross, the
// unit screen direction of each, and whose view it is. Drawn by the overlay; their ends turn the views.
struct CrosshairLine {
    glm::dvec2 centre{0.0}, direction{1.0, 0.0};
    int view = 0;
};
std::vector<CrosshairLine> crosshairLines(const AppState& s, int v);
// Where the ends of those lines are grabbed to turn the views: two per line, this far from the crosshair
// (screen pixels) in a view of rectangle r.
double turnHandleDistance(const Rect& r);
// What the slice overlay says of slice `slice` of view `v` when it holds no acquired image: "interpolated",
// "empty: not decoded", or "". Only for a view through the stack's own slices (its normal along k).
std::string sliceNote(const AppState& s, int v, int slice);

// The patient's axes as the crop box shows them, in the slice numbers' direction: R to L (sagittal), A to P
// (coronal), S to I (axial); each the voxel axis it runs along and whether it runs against that axis.
struct AnatomicalAxis {
    const char* name;  // "R-L", "A-P", "S-I"
    const char* start; // the side its fractions count from: "right", "front", "top"
    int voxelAxis = 0;
    bool flip = false;
};
std::array<AnatomicalAxis, 3> anatomicalAxes(const AppState& s);

// The window's title, as RadiAnt's: "ctview - PATIENT NAME - 2012-07-06 - SERIES DESCRIPTION - series 201 -
// 512x512x134" (the input's name where the series names no patient), and what is unusual about the load.
// With prefs.anonymousTitle, nothing that identifies the patient: "ctview - series 201 - 512x512x134".
// "ctview - loading" while the series arrives.
std::string windowTitle(const AppState& s);
// Splits `area` into the cells: a 2x2 grid, or the maximised cell filling it (the others empty); side by
// side, the left half so (paneOffset: the second series' views in the right half).
void layoutCells(AppState& s, const Rect& area);
// A second series is shown side by side with the base (FusionMode::SideBySide, shown).
bool sideBySide(const AppState& s);
// Puts a freshly loaded dataset in place: crosshair at the centre, views reset, window from the file; for
// the rest of a preview, or another phase of the 4D series on show, the views as they are.
void adoptDataset(AppState& s, std::shared_ptr<Dataset> d);
// The phase `delta` steps from the one on show, round from the last to the first ([ and ], the panel's
// arrows); 0 when the series on show is not 4D.
int phaseAfter(const AppState& s, int delta);
// Whether `d` is another phase of the 4D series `shown` is a phase of (the same input and series).
bool isAnotherPhase(const Dataset& shown, const Dataset& d);
// A segmentation opened on the shown series (LabelTask) joins it and the scene, last (drawn over the others),
// every segment shown.
void addLabelLayer(AppState& s, std::shared_ptr<const LabelLayer> layer);
// The colour table the views show: the chosen map, inverted when asked or when the series is MONOCHROME1
// (both: not inverted), exactly as `ctview export` does.
ColormapTable displayColormap(const AppState& s);
void addToast(AppState& s, std::string text, double now, bool error = false);
// Starts the 3D view from a preset (its mode, transfer function, shading and window).
void applyPreset(AppState& s, const RenderPreset& p);
// The 3D view's colour map `name` (reversed when view3d.invert): a projection's, or the transfer function's
// points coloured from it (colorTfFromMap).
void applyColormap3d(AppState& s, const std::string& name);
// The colour map the 3D view shows: a projection's own; for a transfer function, the map its points carry, or
// "" when they carry the preset's own colours (or colours edited by hand).
std::string colormap3dShown(const AppState& s);
// The crop box in effect: the user's box, cut at the crosshair's slices where asked (fractions of the box).
// Cuts at turned views' planes are left to cutPlanes().
void effectiveCrop(const AppState& s, glm::dvec3& lo, glm::dvec3& hi);
// The cuts at the crosshair's slices while the views are turned (oblique MPR): each as the half-space kept,
// LPS (n, c): dot(n, x) >= c. Empty when the views are not turned (effectiveCrop's box does it then).
std::vector<glm::dvec4> cutPlanes(const AppState& s);
// The names of the shown segments that hold voxel `ijk` (every shown label layer, in order): what the probe
// adds to the HU; with several layers shown, each as "NAME (LAYER)".
std::vector<std::string> segmentsAt(const AppState& s, glm::ivec3 ijk);
// Moves the crosshair (and every view) to the middle of segment `segment` of label layer `layer`: its box's
// centre, the voxel nearest it. Nothing for an empty segment.
void goToSegment(AppState& s, std::size_t layer, std::size_t segment);
// Forgets any measurement being drawn, clicked out or reshaped (the measurements themselves are left as they
// are): after an undo, a restore from the store, a new series.
void endAnnotationGesture(AppState& s);
// Records an edit of the window or the transfer function once it is over (`gestureActive`: a mouse button is
// held, a drag may still go on): called once a frame. An edit after an undo drops the redo list.
void trackUndo(AppState& s, bool gestureActive);
// Ctrl+Z / Ctrl+Shift+Z: back to the state before the last edit, and forward again. Nothing to do: no change.
// A shape still being drawn or clicked out is the last edit: Ctrl+Z drops it.
void undoEdit(AppState& s);
void redoEdit(AppState& s);
// The 3D view's transfer function differs from the preset it started from (the panel says "(modified)").
bool presetModified(const AppState& s);
// The measurements kept for a series were just restored: not an edit, so every undo step holds them.
void rebaseAnnotationHistory(AppState& s);
// True while the 3D view is being dragged or scrolled (it renders fast and coarse meanwhile).
inline bool interacting3d(const AppState& s, double now) {
    return now < s.view3d.interactUntil;
}

} // namespace ctview::viewer
