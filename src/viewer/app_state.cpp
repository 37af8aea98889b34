#include "viewer/app_state.h"

#include "base/text.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace ctview::viewer {

SliceFrame frameOf(const AppState& s, int v) {
    return sliceFrame(s.scene.base->series.volume.geometry(), s.views[std::size_t(v)].axis);
}

int viewOf(const AppState& s, Axis axis) {
    return int(
        std::find_if(s.views.begin(), s.views.end(), [&](const ViewState& v) { return v.axis == axis; }) -
        s.views.begin());
}

int sliceOf(const AppState& s, int v) {
    return s.cursor[frameOf(s, v).nAxis];
}
int sliceNumberOf(const AppState& s, int v) {
    if (s.mpr.oblique)
        return planeNumber(s.scene.base->series.volume.geometry(), planeOf(s, v));
    return sliceNumber(frameOf(s, v), sliceOf(s, v));
}

int sliceCountOf(const AppState& s, int v) {
    if (s.mpr.oblique)
        return planeSteps(s.scene.base->series.volume.geometry(), planeOf(s, v)).count;
    return frameOf(s, v).count;
}

double sliceSpacingOf(const AppState& s, int v) {
    if (s.mpr.oblique)
        return planeSteps(s.scene.base->series.volume.geometry(), planeOf(s, v)).step;
    return frameOf(s, v).nSpacing;
}

ViewMapping mappingOf(const AppState& s, int v) {
    if (s.mpr.oblique)
        return ViewMapping(frameOf(s, v), planeOf(s, v), s.scene.base->series.volume.geometry(),
                           s.cells[std::size_t(v)], s.views[std::size_t(v)].camera);
    return ViewMapping(frameOf(s, v), s.cells[std::size_t(v)], s.views[std::size_t(v)].camera);
}

SlicePlane planeOf(const AppState& s, int v) {
    const Geometry& g = s.scene.base->series.volume.geometry();
    if (s.mpr.oblique)
        return viewPlane(g, s.views[std::size_t(v)].axis, s.mpr);
    SlicePlane p = acquiredPlane(g, frameOf(s, v));
    p.origin += p.normal * p.distance(g.voxelToPatient(glm::dvec3(s.cursor)));
    return p;
}

glm::dvec3 crosshairLps(const AppState& s) {
    return s.mpr.oblique ? s.mpr.centre
                         : s.scene.base->series.volume.geometry().voxelToPatient(glm::dvec3(s.cursor));
}

void syncCursor(AppState& s) {
    const Geometry& g = s.scene.base->series.volume.geometry();
    const glm::dvec3 ijk = g.patientToVoxel(s.mpr.centre);
    for (int c = 0; c < 3; ++c)
        s.cursor[c] = std::clamp(int(std::lround(ijk[c])), 0, g.dims[c] - 1);
}

void setSlice(AppState& s, int v, int k) {
    if (!s.hasVolume())
        return;
    const SliceFrame f = frameOf(s, v);
    s.cursor[f.nAxis] = std::clamp(k, 0, f.count - 1);
}

void setSliceNumber(AppState& s, int v, int number) {
    if (!s.hasVolume())
        return;
    if (s.mpr.oblique) {
        // A turned view: the crosshair moves along its normal onto the plane numbered `number` (planeSteps),
        // so that a number always names the same plane: the overlay's, a recorded movie's frame, `--slice`.
        const Geometry& g = s.scene.base->series.volume.geometry();
        const SlicePlane p = planeOf(s, v);
        const PlaneSteps steps = planeSteps(g, p);
        const double now = -p.distance(volumeCentre(g)); // the plane's distance from the centre
        const double to = steps.first + (std::clamp(number, 1, steps.count) - 1) * steps.step;
        s.mpr.centre += p.normal * (to - now);
        syncCursor(s);
        return;
    }
    const SliceFrame f = frameOf(s, v);
    setSlice(s, v, sliceIndex(f, std::clamp(number, 1, f.count)));
}

bool onView(const AppState& s, int v, const Annotation& a) {
    const Geometry& g = s.scene.base->series.volume.geometry();
    if (s.mpr.oblique)
        return liesOnPlane(g, a, planeOf(s, v));
    return liesOnSlice(g, a, frameOf(s, v).nAxis, sliceOf(s, v));
}

void turnViews(AppState& s, int v, double radians) {
    const SlicePlane plane = planeOf(s, v);
    if (!s.mpr.oblique) {
        s.mpr.oblique = true;
        s.mpr.centre = s.scene.base->series.volume.geometry().voxelToPatient(glm::dvec3(s.cursor));
    }
    s.mpr.rotation =
        rotationAbout(glm::normalize(glm::cross(plane.right, plane.down)), radians) * s.mpr.rotation;
}

void resetOblique(AppState& s) {
    if (s.mpr.oblique && s.hasVolume())
        syncCursor(s);
    s.mpr = {};
    s.gesture.turn = {};
}

double turnHandleDistance(const Rect& r) {
    return 0.38 * std::min(r.w, r.h);
}

std::vector<CrosshairLine> crosshairLines(const AppState& s, int v) {
    std::vector<CrosshairLine> lines;
    const ViewMapping m = mappingOf(s, v);
    const SlicePlane here = planeOf(s, v);
    const glm::dvec2 centre = s.mpr.oblique ? m.patientToScreen(s.mpr.centre) : m.voxelToScreen(s.cursor);
    for (int w = 0; w < 3; ++w) {
        // Another view's plane cuts this one along the cross product of their normals.
        const glm::dvec3 along = glm::cross(here.normal, planeOf(s, w).normal);
        const glm::dvec2 d(glm::dot(along, here.right), glm::dot(along, here.down));
        if (w == v || glm::length(d) < 1e-6)
            continue;
        lines.push_back({centre, glm::normalize(d), w});
    }
    return lines;
}

std::string sliceNote(const AppState& s, int v, int slice) {
    if (!s.hasVolume() || frameOf(s, v).nAxis != 2)
        return "";
    const Series& series = s.scene.base->series;
    if (std::binary_search(series.interpolatedSlices.begin(), series.interpolatedSlices.end(), slice))
        return "interpolated";
    if (std::binary_search(series.emptySlices.begin(), series.emptySlices.end(), slice))
        return "empty: not decoded";
    return "";
}

bool sideBySide(const AppState& s) {
    return !s.scene.images.empty() && s.scene.images.front().shown &&
           s.scene.images.front().mode == FusionMode::SideBySide;
}

void layoutCells(AppState& s, const Rect& whole) {
    s.viewArea = whole;
    const float gap = 2;
    // Side by side: the base's views in the left half, the second series' the same to the right.
    Rect area = whole;
    s.paneOffset = 0;
    if (sideBySide(s)) {
        area.w = (whole.w - gap) / 2;
        s.paneOffset = area.w + gap;
    }
    if (s.maximised >= 0 && s.maximised < 4) {
        s.cells.fill(Rect{});
        s.cells[std::size_t(s.maximised)] = area;
        return;
    }
    const float w = (area.w - gap) / 2, h = (area.h - gap) / 2;
    s.cells[0] = {area.x, area.y, w, h};
    s.cells[1] = {area.x + w + gap, area.y, w, h};
    s.cells[2] = {area.x, area.y + h + gap, w, h};
    s.cells[3] = {area.x + w + gap, area.y + h + gap, w, h};
}

namespace {

// A layer into the scene, each segment shown; what its load could not show into the messages (its notes and
// problems the Segments panel shows under it).
void showLayer(AppState& s, std::shared_ptr<const LabelLayer> layer) {
    for (const std::string& problem : layer->problems)
        s.messages.push_back(layer->name + ": " + problem);
    LabelLayerView v;
    v.visible.assign(layer->segments.size(), 1);
    v.layer = std::move(layer);
    s.scene.labels.push_back(std::move(v));
}

// The dataset's label layers into the scene; what their loads said into the messages.
void adoptLabels(AppState& s, const Dataset& d) {
    for (const auto& layer : d.labels)
        showLayer(s, layer);
    for (const std::string& p : d.labelProblems)
        s.messages.push_back(p);
    for (const std::string& n : d.labelNotes)
        s.messages.push_back(n);
}

} // namespace

void addLabelLayer(AppState& s, std::shared_ptr<const LabelLayer> layer) {
    if (!s.scene.base || !layer)
        return;
    s.scene.base->labels.push_back(layer);
    showLayer(s, std::move(layer));
}

int phaseAfter(const AppState& s, int delta) {
    if (!s.hasVolume())
        return 0;
    const Provenance& about = s.scene.base->series.about;
    const int count = int(about.listing.phases);
    if (count < 2 || about.phase < 1)
        return 0;
    return ((about.phase - 1 + delta) % count + count) % count + 1;
}

bool isAnotherPhase(const Dataset& shown, const Dataset& d) {
    const Provenance &a = shown.series.about, &b = d.series.about;
    return a.phase > 0 && b.phase > 0 && a.phase != b.phase && a.location == b.location &&
           a.listing.uid == b.listing.uid;
}

void adoptDataset(AppState& s, std::shared_ptr<Dataset> d) {
    // From the preview of a load to its result (same grid): the user may already be scrolling and windowing;
    // keep where they are.
    // Another phase of the 4D series on show, likewise: the user steps through time at one place.
    const bool sameGrid =
        s.scene.base && s.scene.base->series.volume.geometry().dims == d->series.volume.geometry().dims;
    const bool continuing = sameGrid && (s.scene.base->preview || isAnotherPhase(*s.scene.base, *d));
    s.scene.base = std::move(d);
    s.scene.labels.clear();       // on the old grid; the new dataset's come with it (adoptLabels)
    resetSegmentEditor(s.editor); // its layer went with the old dataset (its edits are in the autosave)
    s.measured.forget();
    s.gesture.probe.valid = false;
    if (!continuing) {
        s.loadBannerDismissed = false;
        s.history = {}; // undo is per series: its first state is the one it opens with
    }
    s.gesture.drag = {};
    if (!continuing) {
        s.scene.images.clear(); // resampled onto the old grid
        s.cine.view = -1;       // another series: its slices are not the ones being played
        s.cursor = s.scene.base->series.volume.geometry().dims / 2;
        resetOblique(s);
        for (ViewState& v : s.views)
            v.camera = {};
        // A named preset the user chose last stays chosen (radiologists read every series in "their" window);
        // otherwise the file's own window.
        if (const WindowPreset* preset = findWindowPreset(s.windowName)) {
            s.window = preset->wl;
        } else if (s.scene.base->preview && s.scene.base->series.about.windows.empty()) {
            // The automatic window reads every voxel: it waits for the series (most are still being
            // decoded); the soft-tissue window meanwhile.
            s.window = {400, 40};
            s.windowName = "auto";
        } else {
            s.window = initialWindow(s.scene.base->series);
            s.windowName = initialWindowName(s.scene.base->series);
        }
    } else if ((s.windowName == "file" || s.windowName == "auto") && !s.scene.base->preview) {
        // The preview knew less than the loaded series (a DICOMweb listing has no window presets): the file's
        // own window now (or the automatic one over every voxel), unless the user chose another meanwhile.
        s.window = initialWindow(s.scene.base->series);
        s.windowName = initialWindowName(s.scene.base->series);
    }
    s.messages.clear();
    if (s.scene.base->preview || !s.scene.base->source)
        return;
    adoptLabels(s, *s.scene.base);
    s.scene.base->summary = describeLines(s.scene.base->series);
    for (const std::string& p : s.scene.base->source->problems())
        s.messages.push_back(p);
    for (const SkippedFile& f : s.scene.base->source->skipped()) {
        // A segmentation shown as a layer of this series was not skipped.
        const auto& labels = s.scene.base->labels;
        if (std::none_of(labels.begin(), labels.end(),
                         [&](const auto& l) { return l->path == f.path.string(); }))
            s.messages.push_back("skipped " + f.path.string() + ": " + f.reason);
    }
    for (const std::string& w : s.scene.base->series.warnings)
        s.messages.push_back(w);
    for (const SkippedFile& f : s.scene.base->series.failed)
        s.messages.push_back(f.path.string() + ": " + f.reason);
}

void endAnnotationGesture(AppState& s) {
    s.gesture.drawing = s.gesture.pending = s.gesture.pendingView = s.gesture.editing =
        s.gesture.editingHandle = -1;
    s.gesture.box = {};
}

namespace {
EditState editState(const AppState& s) {
    return {s.window, s.windowName, s.view3d.preset.points, s.annotations};
}
void restore(AppState& s, const EditState& e) {
    s.window = e.window;
    s.windowName = e.windowName;
    s.view3d.preset.points = e.points;
    s.view3d.tfSelected = -1;
    if (s.annotations != e.annotations) {
        s.annotations = e.annotations;
        s.annotationsChanged = true; // kept again, as after any edit
    }
    endAnnotationGesture(s);
    if (s.selectedAnnotation >= int(s.annotations.size()))
        s.selectedAnnotation = -1;
}
// A measurement is being drawn, clicked out or reshaped: not an edit yet.
bool annotationGesture(const AppState& s) {
    return s.gesture.drawing >= 0 || s.gesture.pending >= 0 || s.gesture.editing >= 0;
}
} // namespace

void trackUndo(AppState& s, bool gestureActive) {
    UndoHistory& h = s.history;
    if (!h.started) {
        h.current = editState(s);
        h.started = true;
        return;
    }
    if (gestureActive)
        return;
    EditState now = editState(s);
    // While a measurement is drawn, clicked out or reshaped, the measurements are not an edit yet: what else
    // changes meanwhile (a window typed between a polygon's clicks) is an edit of its own, undone on its own.
    if (annotationGesture(s))
        now.annotations = h.current.annotations;
    if (now == h.current)
        return;
    h.undo.push_back(h.current);
    if (h.undo.size() > 200)
        h.undo.erase(h.undo.begin());
    h.redo.clear();
    h.current = now;
}

void undoEdit(AppState& s) {
    UndoHistory& h = s.history;
    if (annotationGesture(s)) {
        // The unfinished shape goes (a reshaped one returns to its last kept state).
        restore(s, h.current);
        return;
    }
    trackUndo(s, false); // an edit not recorded yet is the one undone
    if (h.undo.empty())
        return;
    h.redo.push_back(h.current);
    h.current = h.undo.back();
    h.undo.pop_back();
    restore(s, h.current);
}

void redoEdit(AppState& s) {
    UndoHistory& h = s.history;
    if (h.redo.empty() || annotationGesture(s))
        return;
    h.undo.push_back(h.current);
    h.current = h.redo.back();
    h.redo.pop_back();
    restore(s, h.current);
}

bool presetModified(const AppState& s) {
    const RenderPreset* from = findBuiltinPreset(s.view3d.presetName);
    for (const RenderPreset& p : s.view3d.userPresets)
        if (p.name == s.view3d.presetName)
            from = &p;
    return from && from->points != s.view3d.preset.points;
}

ColormapTable displayColormap(const AppState& s) {
    const bool mono1 = s.scene.base && s.scene.base->series.monochrome1;
    return colormapTable(s.colormap, s.invert != mono1);
}

void addToast(AppState& s, std::string text, double now, bool error) {
    s.toasts.push_back({std::move(text), now + (error ? 8.0 : 4.0), error});
    while (s.toasts.size() > 5)
        s.toasts.pop_front();
}

void applyPreset(AppState& s, const RenderPreset& p) {
    s.view3d.preset = p;
    s.view3d.presetName = p.name;
    s.view3d.tfSelected = -1;
    s.view3d.invert = false; // a preset brings its own look
}

void applyColormap3d(AppState& s, const std::string& name) {
    RenderPreset& p = s.view3d.preset;
    p.colormap = name;
    if (!isProjection(p.mode))
        colorTfFromMap(p.points, colormapTable(name, s.view3d.invert));
}

std::string colormap3dShown(const AppState& s) {
    const RenderPreset& p = s.view3d.preset;
    if (isProjection(p.mode))
        return p.colormap;
    return tfCarriesMap(p.points, colormapTable(p.colormap, s.view3d.invert)) ? p.colormap : "";
}

void effectiveCrop(const AppState& s, glm::dvec3& lo, glm::dvec3& hi) {
    lo = glm::min(s.view3d.cropMin, s.view3d.cropMax);
    hi = glm::max(s.view3d.cropMin, s.view3d.cropMax);
    if (!s.hasVolume())
        return;
    if (s.mpr.oblique)
        return; // the cuts lie in turned planes: cutPlanes()
    const glm::ivec3 dims = s.scene.base->series.volume.geometry().dims;
    for (int a = 0; a < 3; ++a) {
        // The crosshair voxel's near face: keep it in "at or past", leave it out of "before".
        const double at = double(s.cursor[a]) / double(std::max(1, dims[a]));
        if (s.view3d.cutAtSlices[a] == 1)
            lo[a] = std::max(lo[a], at);
        if (s.view3d.cutAtSlices[a] == 2)
            hi[a] = std::min(hi[a], at + 1.0 / double(std::max(1, dims[a])));
    }
}

std::vector<glm::dvec4> cutPlanes(const AppState& s) {
    std::vector<glm::dvec4> cuts;
    if (!s.hasVolume() || !s.mpr.oblique)
        return cuts;
    const Geometry& g = s.scene.base->series.volume.geometry();
    for (int a = 0; a < 3; ++a) {
        const int mode = s.view3d.cutAtSlices[a];
        if (mode == 0)
            continue;
        // The view whose acquired slices are stacked along voxel axis a, as it is turned now.
        int view = -1;
        for (int v = 0; v < 3; ++v)
            if (frameOf(s, v).nAxis == a)
                view = v;
        if (view < 0)
            continue;
        const SlicePlane p = planeOf(s, view);
        // Facing the way voxel index a grows (column a of the direction matrix), as "after" means there; the
        // crosshair's slice, half a step either side of its plane, stays in both halves, as a voxel does
        // unturned.
        glm::dvec3 n = p.normal;
        if (glm::dot(n, g.direction[a]) < 0)
            n = -n;
        const double at = glm::dot(n, p.origin), half = 0.5 * normalStep(g, n);
        if (mode == 1)
            cuts.emplace_back(n, at - half);
        else
            cuts.emplace_back(-n, -(at + half));
    }
    return cuts;
}

void rebaseAnnotationHistory(AppState& s) {
    UndoHistory& h = s.history;
    for (std::vector<EditState>* list : {&h.undo, &h.redo})
        for (EditState& e : *list)
            e.annotations = s.annotations;
    h.current.annotations = s.annotations;
}

std::vector<std::string> segmentsAt(const AppState& s, glm::ivec3 ijk) {
    std::vector<std::string> names;
    if (!s.hasVolume())
        return names;
    const Volume& v = s.scene.base->series.volume;
    const glm::ivec3 dims = v.geometry().dims;
    if (glm::any(glm::lessThan(ijk, glm::ivec3(0))) || glm::any(glm::greaterThanEqual(ijk, dims)))
        return names;
    const std::size_t n = v.index(ijk.x, ijk.y, ijk.z);
    // With several layers shown, each name says its layer: two files may both have a "Liver".
    const bool several = std::count_if(s.scene.labels.begin(), s.scene.labels.end(),
                                       [](const LabelLayerView& view) { return view.shown; }) > 1;
    for (const LabelLayerView& view : s.scene.labels) {
        if (!view.shown)
            continue;
        const LabelLayer& layer = *view.layer;
        for (std::size_t i = 0; i < layer.segments.size(); ++i)
            if ((i >= view.visible.size() || view.visible[i]) && layer.contains(layer.segments[i], n))
                names.push_back(several ? layer.segments[i].name + " (" + layer.name + ")"
                                        : layer.segments[i].name);
    }
    return names;
}

void goToSegment(AppState& s, std::size_t layer, std::size_t segment) {
    if (layer >= s.scene.labels.size() || !s.hasVolume())
        return;
    const LabelLayer& l = *s.scene.labels[layer].layer;
    if (segment >= l.stats.size() || l.stats[segment].voxels == 0)
        return;
    const SegmentStats& st = l.stats[segment];
    // As a measurement's row does: the turned views' centre moves, the crosshair voxel is the nearest.
    s.mpr.centre = l.grid.voxelToPatient(glm::dvec3(st.voxelMin + st.voxelMax) * 0.5);
    syncCursor(s);
}

std::array<AnatomicalAxis, 3> anatomicalAxes(const AppState& s) {
    std::array<AnatomicalAxis, 3> out{
        {{"R-L", "right", 0, false}, {"A-P", "front", 1, false}, {"S-I", "top", 2, false}}};
    if (!s.hasVolume())
        return out;
    const Geometry& g = s.scene.base->series.volume.geometry();
    const Axis views[3] = {Axis::Sagittal, Axis::Coronal, Axis::Axial};
    for (int n = 0; n < 3; ++n) {
        const SliceFrame f = sliceFrame(g, views[n]);
        out[std::size_t(n)].voxelAxis = f.nAxis;
        out[std::size_t(n)].flip = f.nFlip;
    }
    return out;
}

namespace {
// A DICOM person name (PS3.5 6.2: family^given^middle^prefix^suffix) as it is read: "PHANTOM CTVIEW".
std::string readableName(const std::string& pn) {
    std::string out;
    for (char c : pn.substr(0, pn.find('='))) // the alphabetic group only, not its ideographic ones
        if (c == '^') {
            if (!out.empty() && out.back() != ' ')
                out += ' ';
        } else {
            out += c;
        }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}
// StudyDate (0008,0020) YYYYMMDD as 2012-07-06; anything else as it is.
std::string readableDate(const std::string& da) {
    if (da.size() == 8 && std::all_of(da.begin(), da.end(), [](unsigned char c) { return std::isdigit(c); }))
        return da.substr(0, 4) + "-" + da.substr(4, 2) + "-" + da.substr(6, 2);
    return da;
}
} // namespace

std::string windowTitle(const AppState& s) {
    if (!s.hasVolume())
        return "ctview";
    // Scripts wait for the series' title as the sign that it has loaded (tests/e2e).
    if (s.scene.base->preview)
        return "ctview - loading";
    const Provenance& about = s.scene.base->series.about;
    std::vector<std::string> parts{"ctview"};
    auto add = [&](const std::string& part) {
        if (!part.empty())
            parts.push_back(part);
    };
    if (!s.prefs.anonymousTitle) {
        const std::string patient = readableName(about.field("PatientName"));
        add(patient.empty() ? std::filesystem::path(s.load.input).filename().string() : patient);
        add(readableDate(about.field("StudyDate")));
        add(about.listing.description.empty() ? about.field("SeriesDescription") : about.listing.description);
    }
    if (const int number = about.listing.seriesNumber; number > 0) // 0: the source has no series numbers
        add("series " + std::to_string(number));
    const glm::ivec3 d = s.scene.base->series.volume.geometry().dims;
    add(std::to_string(d.x) + "x" + std::to_string(d.y) + "x" + std::to_string(d.z));
    // What is unusual about the load, in the title too (the banner can be dismissed).
    if (const auto problems = loadProblems(s.scene.base->series); !problems.empty())
        add(problems.front().substr(0, problems.front().find(':')));
    return joined(parts, " - ");
}

} // namespace ctview::viewer
