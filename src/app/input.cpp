#include "app/input.h"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cmath>

namespace ctview::app {

using viewer::AppState;

const std::vector<Control>& controls() {
    static const std::vector<Control> list = {
        {"Mouse wheel, Up / Down",
         "previous / next slice in the view under the mouse (next: towards the feet, posterior, left)"},
        {"Page Up / Page Down", "10 slices back / forward"},
        {"Home / End",
         "first / last slice (first: the most superior axial, anterior coronal, rightmost sagittal)"},
        {"Left click or drag", "move the crosshair there: the other views follow"},
        {"Right drag", "window/level: right/left widens/narrows the window, down/up raises/lowers the level"},
        {"Ctrl + wheel", "zoom about the mouse"},
        {"Middle drag, Shift + left drag", "pan"},
        {"Double click, 1 2 3 4", "maximise the view (again: back to the 2x2 grid)"},
        {"3D: left drag", "rotate (arcball); coarse while dragging, sharp again when let go"},
        {"3D: wheel, right drag up/down", "zoom"},
        {"3D: middle drag, Shift + left drag", "pan"},
        {"3D: Shift + A P L R S I",
         "look from anterior, posterior, left, right, superior (head), inferior (feet)"},
        {"3D: R", "reset the 3D camera (anterior view)"},
        {"D, B, E, P, G, F",
         "measuring tool for the left button in the slice views: distance (drag), box (rectangle "
         "ROI, drag), ellipse ROI (drag), point HU (click), angle (drag the first arm to the vertex, "
         "click the end of the second), polygon ROI (a click per vertex, Enter or a double click "
         "closes it); values beside each shape"},
        {"Left drag on a handle", "reshape a measurement with any tool: the handle (an end, a vertex, a box "
                                  "corner) follows the mouse; the selected one's handles are drawn"},
        {"Space",
         "cine: play the view under the mouse through its slices (speed, loop or bounce: View -> "
         "Cine); any key or a click in the views stops it (Space, Esc and the click do nothing else)"},
        {"Delete, Backspace", "delete the selected measurement (the one just drawn, or its row clicked)"},
        {"Esc", "close an open list (and only that); else close help, else close the Open and PACS dialogs, "
                "else drop an unfinished angle or polygon, else back to the crosshair tool, else back to the "
                "grid"},
        {"R", "reset zoom and pan (in the 3D view: its camera)"},
        {"Left drag a crosshair line's end (its dot)",
         "oblique MPR: turn the other two views about this one's normal; they stay orthogonal, and the "
         "wheel and keys step along each view's own normal"},
        {"Shift + R", "the turned (oblique) views back to the acquired axes"},
        {"A", "automatic window/level from the histogram"},
        {"I", "invert the colour map"},
        {"L", "linear / nearest interpolation"},
        {"C", "show / hide the crosshair"},
        {"O", "show / hide all overlays"},
        {"S", "save the slice under the mouse as PNG and JPEG (native resolution, current window and "
              "colours); over the 3D view, the 3D render"},
        {"F12", "save a screenshot of the window"},
        {"Ctrl + O, drop a folder", "open a folder or file"},
        {"Tab", "show / hide the side panel"},
        {"F1", "this help"},
        {"F5", "reload shaders from $CTVIEW_SHADER_DIR (development)"},
        {"Ctrl + Z, Ctrl + Shift + Z", "undo, redo a window/level, transfer-function or measurement edit"},
        {"Ctrl + Q", "quit"},
    };
    return list;
}

int cellAt(const AppState& s, glm::dvec2 p) {
    for (int c = 0; c < 4; ++c)
        if (s.cells[std::size_t(c)].w > 0 && s.cells[std::size_t(c)].contains(float(p.x), float(p.y)))
            return c;
    return -1;
}

void startCine(AppState& s, int v, double now) {
    if (!s.hasVolume() || v < 0 || v > 2 || viewer::sliceCountOf(s, v) < 2)
        return;
    s.cine.view = v;
    s.cine.direction = 1;
    s.cine.next = now + 1.0 / s.cine.fps;
}

void stopCine(AppState& s) {
    s.cine.view = -1;
}

void advanceCine(AppState& s, double now) {
    viewer::Cine& c = s.cine;
    if (c.view < 0 || !s.hasVolume() || now < c.next)
        return;
    // One step a frame at most: a slow frame slows the cine down rather than skipping slices (the next step
    // is a whole period after it).
    c.next += 1.0 / c.fps;
    if (c.next <= now)
        c.next = now + 1.0 / c.fps;
    const int count = viewer::sliceCountOf(s, c.view);
    int n = viewer::sliceNumberOf(s, c.view) + c.direction;
    if (n < 0 || n >= count) {
        if (c.bounce) {
            c.direction = -c.direction;
            n = std::clamp(n + 2 * c.direction, 0, count - 1);
        } else {
            n = n < 0 ? count - 1 : 0;
        }
    }
    setSliceNumber(s, c.view, n);
}

namespace {

// The patient position (LPS mm) under `p` in view v, on v's slice, clamped to the image: continuous, not
// snapped to voxel centres.
glm::dvec3 patientUnder(const AppState& s, int v, glm::dvec2 p) {
    const ViewMapping m = viewer::mappingOf(s, v);
    if (m.oblique())
        return m.screenToPatient(p);
    const SliceFrame& f = m.frame();
    const glm::dvec2 d = m.screenToDisplay(p);
    const double h = std::clamp(d.x - 0.5, -0.5, f.width - 0.5),
                 vv = std::clamp(d.y - 0.5, -0.5, f.height - 0.5);
    glm::dvec3 ijk(0.0);
    ijk[f.nAxis] = viewer::sliceOf(s, v);
    ijk[f.hAxis] = f.hFlip ? f.width - 1 - h : h;
    ijk[f.vAxis] = f.vFlip ? f.height - 1 - vv : vv;
    return s.data->series.volume.geometry().voxelToPatient(ijk);
}

// Drops a shape still being clicked out (Esc, another tool).
void cancelPending(AppState& s) {
    if (s.pending >= 0 && s.pending < int(s.annotations.size()))
        s.annotations.erase(s.annotations.begin() + s.pending);
    s.pending = s.pendingView = -1;
}

// A press with a measuring tool: a point is made at once, a shape starts with both ends here; the press after
// an angle's first arm places its third point.
void startAnnotation(AppState& s, int v, glm::dvec2 p) {
    const glm::dvec3 at = patientUnder(s, v, p);
    if (s.pending >= 0 && s.pending < int(s.annotations.size())) {
        Annotation& p0 = s.annotations[std::size_t(s.pending)];
        if (p0.type == AnnotationType::Polygon) { // the vertex placed; the next one follows the mouse
            p0.points.back() = at;
            p0.points.push_back(at);
            return;
        }
        p0.points[2] = at; // an angle's third point: done
        s.selectedAnnotation = s.pending;
        s.annotationsChanged = true;
        s.pending = s.pendingView = -1;
        return;
    }
    Annotation a;
    switch (s.tool) {
    case AppState::Tool::Polygon:
        a.type = AnnotationType::Polygon;
        a.points = {at, at};
        s.annotations.push_back(a);
        s.pending = int(s.annotations.size()) - 1;
        s.pendingView = v;
        return;
    case AppState::Tool::Angle:
        a.type = AnnotationType::Angle;
        a.points = {at, at, at}; // first arm's end, vertex (dragged), second arm's end (then clicked)
        s.annotations.push_back(a);
        s.drawing = int(s.annotations.size()) - 1;
        return;
    case AppState::Tool::Point:
        a.type = AnnotationType::Point;
        a.points = {at};
        s.annotations.push_back(a);
        s.annotationsChanged = true;
        s.selectedAnnotation = int(s.annotations.size()) - 1;
        return;
    case AppState::Tool::Rectangle:
    case AppState::Tool::Ellipse:
        if (s.mpr.oblique &&
            tiltDegrees(s.data->series.volume.geometry(), s.views[std::size_t(v)].axis, s.mpr) > 1e-6) {
            // In a plane tilted against the voxel grid two corners do not say which plane the box lies in:
            // it is kept as the polygon of its outline (a rectangle's 4 corners, an ellipse's 64 points).
            a.type = AnnotationType::Polygon;
            a.points = {at, at, at};
            s.annotations.push_back(a);
            s.drawing = int(s.annotations.size()) - 1;
            s.box = {s.tool == AppState::Tool::Ellipse ? 2 : 1, at};
            return;
        }
        a.type = s.tool == AppState::Tool::Ellipse ? AnnotationType::Ellipse : AnnotationType::Rectangle;
        break;
    default:
        a.type = AnnotationType::Line;
    }
    a.points = {at, at};
    s.annotations.push_back(a);
    s.drawing = int(s.annotations.size()) - 1;
}

// Enter or a double click: the polygon being clicked out is closed (its floating last point dropped); with
// fewer than three vertices it is dropped.
void closePolygon(AppState& s) {
    if (s.pending < 0 || s.pending >= int(s.annotations.size()) ||
        s.annotations[std::size_t(s.pending)].type != AnnotationType::Polygon)
        return;
    std::vector<glm::dvec3>& pts = s.annotations[std::size_t(s.pending)].points;
    pts.pop_back();
    if (pts.size() >= 3) {
        s.selectedAnnotation = s.pending;
        s.annotationsChanged = true;
        s.pending = s.pendingView = -1;
    } else {
        cancelPending(s);
    }
}

// The far end of the shape being dragged follows the mouse, on the slice it was started on (an angle's second
// arm starts folded onto its first).
void dragEnd(AppState& s, glm::dvec2 mouse) {
    Annotation& a = s.annotations[std::size_t(s.drawing)];
    if (s.box.kind > 0) {
        // A box in a tilted plane: its outline in the view's plane coordinates, from corner to corner.
        const SlicePlane plane = viewer::planeOf(s, s.drag.view);
        const glm::dvec2 c0 = plane.coordinates(s.box.start),
                         c1 = plane.coordinates(patientUnder(s, s.drag.view, mouse));
        a.points.clear();
        const int n = s.box.kind == 2 ? 64 : 4;
        for (int i = 0; i < n; ++i)
            a.points.push_back(plane.at(boxOutlinePoint(c0, c1, s.box.kind == 2, i, n)));
        return;
    }
    a.points[1] = patientUnder(s, s.drag.view, mouse);
    if (a.type == AnnotationType::Angle)
        a.points[2] = a.points[1];
}

// The release: a shape with no length or area is dropped, any other kept.
void finishAnnotation(AppState& s) {
    if (s.drawing < 0 || s.drawing >= int(s.annotations.size())) {
        s.drawing = -1;
        return;
    }
    const Annotation& a = s.annotations[std::size_t(s.drawing)];
    // Dropped (empty) or kept and selected; either way the drawing ends.
    auto keepUnless = [&s](bool empty) {
        if (empty) {
            s.annotations.erase(s.annotations.begin() + s.drawing);
        } else {
            s.annotationsChanged = true;
            s.selectedAnnotation = s.drawing;
        }
        s.drawing = -1;
    };
    if (s.box.kind > 0) {
        // A box in a tilted plane (a polygon): dropped when it has no width or no height.
        const glm::dvec3 sp = s.data->series.volume.geometry().spacing;
        const double finest = std::min({sp.x, sp.y, sp.z});
        const SlicePlane plane = viewer::planeOf(s, s.drag.view);
        glm::dvec2 lo(INFINITY), hi(-INFINITY);
        for (const glm::dvec3& p : a.points)
            lo = glm::min(lo, plane.coordinates(p)), hi = glm::max(hi, plane.coordinates(p));
        keepUnless(a.points.size() < 4 || hi.x - lo.x < finest * 0.5 || hi.y - lo.y < finest * 0.5);
        s.box = {};
        return;
    }
    const glm::dvec3 d = glm::abs(a.points[1] - a.points[0]);
    const glm::dvec3 sp = s.data->series.volume.geometry().spacing;
    const bool tooShort = glm::length(d) < std::min({sp.x, sp.y, sp.z}) * 0.5; // under half the finest voxel
    if (a.type == AnnotationType::Angle) {
        // The first arm drawn: the angle waits for its third point (kept only once it has it).
        if (tooShort) {
            s.annotations.erase(s.annotations.begin() + s.drawing);
        } else {
            s.pending = s.drawing;
            s.pendingView = s.drag.view;
        }
        s.drawing = -1;
        return;
    }
    const int extents = int(d.x > 1e-6) + int(d.y > 1e-6) + int(d.z > 1e-6);
    keepUnless(a.type == AnnotationType::Line ? tooShort : extents < 2);
}

// The handle of a measurement on view v's slice within reach of `p` (screen pixels): the selected
// measurement's first, then the nearest. False when none is.
bool handleUnder(const AppState& s, int v, glm::dvec2 p, int& annotation, int& handle) {
    constexpr double kReachPx = 7;
    const ViewMapping m = viewer::mappingOf(s, v);
    const Geometry& g = s.data->series.volume.geometry();
    double best = kReachPx;
    annotation = handle = -1;
    for (int a = 0; a < int(s.annotations.size()); ++a) {
        const Annotation& an = s.annotations[std::size_t(a)];
        if (!viewer::onView(s, v, an))
            continue;
        const std::vector<glm::dvec3> handles = annotationHandles(g, an, m.frame());
        for (int h = 0; h < int(handles.size()); ++h) {
            // The selected one wins ties with a shape beneath it (their handles may coincide).
            const double d = glm::length(m.voxelToScreen(handles[std::size_t(h)]) - p) -
                             (a == s.selectedAnnotation ? 0.5 : 0.0);
            if (d < best) {
                best = d;
                annotation = a;
                handle = h;
            }
        }
    }
    return annotation >= 0;
}

// The handle being dragged follows the mouse on its view's slice.
void dragHandle(AppState& s, glm::dvec2 mouse) {
    if (s.editing < 0 || s.editing >= int(s.annotations.size()))
        return;
    moveHandle(s.data->series.volume.geometry(), s.annotations[std::size_t(s.editing)],
               viewer::frameOf(s, s.drag.view), s.editingHandle, patientUnder(s, s.drag.view, mouse));
}

// Moves the crosshair to the voxel under `p` in view v (clamped to the image), keeping v's slice.
void moveCrosshair(AppState& s, int v, glm::dvec2 p) {
    const ViewMapping m = viewer::mappingOf(s, v);
    if (m.oblique()) {
        // On v's plane, wherever the mouse is: the other two planes move through it.
        s.mpr.centre = m.screenToPatient(p);
        viewer::syncCursor(s);
        return;
    }
    const SliceFrame& f = m.frame();
    const glm::dvec2 d = m.screenToDisplay(p);
    const int h = std::clamp(int(std::floor(d.x)), 0, f.width - 1);
    const int vv = std::clamp(int(std::floor(d.y)), 0, f.height - 1);
    s.cursor[f.hAxis] = f.hFlip ? f.width - 1 - h : h;
    s.cursor[f.vAxis] = f.vFlip ? f.height - 1 - vv : vv;
}

void updateProbe(AppState& s, int v, glm::dvec2 p) {
    s.probeValid = false;
    if (v < 0 || v > 2)
        return;
    const Volume& vol = s.data->series.volume;
    const ViewMapping m = viewer::mappingOf(s, v);
    if (m.oblique()) {
        // A turned view shows HU sampled between voxels (trilinear, or the nearest voxel's when interpolation
        // is off): the probe reads the same value at the point itself, and names the nearest voxel.
        const glm::dvec3 lps = m.screenToPatient(p);
        const float hu = planeValue(vol, lps, m.plane().normal, s.views[std::size_t(v)].slab, s.linear);
        const glm::dvec3 ijk = vol.geometry().patientToVoxel(lps);
        if (std::isnan(hu) || std::isnan(sampleHu(vol, ijk, false)))
            return;
        s.probeValid = true;
        s.probeHU = hu;
        s.probeVoxel = glm::ivec3(glm::round(ijk));
        s.probeLps = lps;
        return;
    }
    glm::ivec3 voxel;
    if (!m.screenToVoxel(p, viewer::sliceOf(s, v), voxel))
        return;
    s.probeValid = true;
    s.probeVoxel = voxel;
    s.probeHU = slabValue(vol, viewer::frameOf(s, v), voxel, s.views[std::size_t(v)].slab); // what is shown
    s.probeLps = vol.geometry().voxelToPatient(glm::dvec3(voxel));
}

// A turn handle (the ends of the crosshair's lines, viewer::crosshairLines) within reach of `p` in view v:
// starts turning the views about v's normal. False when none is.
bool startTurn(AppState& s, int v, glm::dvec2 p) {
    constexpr double kReachPx = 8;
    if (!s.overlays.crosshair || s.tool != AppState::Tool::Crosshair)
        return false;
    const Rect& r = s.cells[std::size_t(v)];
    for (const viewer::CrosshairLine& line : viewer::crosshairLines(s, v))
        for (double side : {-1.0, 1.0})
            if (glm::length(line.centre + line.direction * (side * viewer::turnHandleDistance(r)) - p) <=
                kReachPx) {
                s.turn.active = true;
                s.turn.centre = line.centre;
                s.turn.startAngle = std::atan2(p.y - line.centre.y, p.x - line.centre.x);
                s.turn.startRotation = s.mpr.rotation;
                return true;
            }
    return false;
}

// The mouse at `p` while turning: the views turn about the normal of the view being dragged in by the angle
// the mouse has swept about the crosshair there (clockwise on the screen turns its right towards its down).
void continueTurn(AppState& s, int v, glm::dvec2 p) {
    const double angle = std::atan2(p.y - s.turn.centre.y, p.x - s.turn.centre.x) - s.turn.startAngle;
    if (!s.mpr.oblique && std::abs(angle) < 1e-9)
        return; // a click on a dot without a turn stays on the acquired axes
    s.mpr.rotation = s.turn.startRotation;
    viewer::turnViews(s, v, angle);
}

void toggleMaximised(AppState& s, int cell) {
    s.maximised = s.maximised == cell ? -1 : cell;
}

} // namespace

namespace {
viewer::Commands handleFrame(AppState& s, const InputFrame& in);
}

viewer::Commands handleInput(AppState& s, const InputFrame& in) {
    if (s.cine.view >= 0) {
        // A playing cine: any key, or a click in the views, stops it. Space, Esc and the click do nothing
        // else; another key then does what it does (F12 saves the slice the cine stopped at).
        const bool key = !in.keys.empty() && !in.uiWantsKeyboard;
        const bool click = !in.uiWantsMouse && cellAt(s, in.mouse) >= 0 &&
                           std::any_of(in.clicked.begin(), in.clicked.end(), [](bool c) { return c; });
        if (key || click) {
            stopCine(s);
            InputFrame rest = in;
            rest.keys.erase(std::remove_if(rest.keys.begin(), rest.keys.end(),
                                           [](const Key& k) {
                                               return k.code == GLFW_KEY_SPACE || k.code == GLFW_KEY_ESCAPE;
                                           }),
                            rest.keys.end());
            if (click)
                rest.clicked = rest.doubleClicked = {};
            return handleFrame(s, rest);
        }
        advanceCine(s, in.now); // before the frame's input, so that the probe reads the slice shown
    }
    return handleFrame(s, in);
}

namespace {
viewer::Commands handleFrame(AppState& s, const InputFrame& in) {
    viewer::Commands actions;
    const bool volume = s.hasVolume();

    // ---- mouse ----
    if (s.drag.view >= 0 && std::any_of(in.released.begin(), in.released.end(), [](bool r) { return r; }) &&
        !in.down[std::size_t(s.drag.button)]) {
        // The end of a 3D drag: the full-quality frame is due at once (the wait after the last move is for
        // the wheel, which has no release).
        if (s.drag.view == 3)
            s.view3d.interactUntil = std::min(s.view3d.interactUntil, in.now);
        if (s.drawing >= 0) {
            // Where the button came up (a quick drag may bring its moves and the release in one frame).
            if (s.drag.view >= 0 && s.drag.view < 3 && s.hasVolume())
                dragEnd(s, in.mouse);
            finishAnnotation(s);
        }
        if (s.editing >= 0) {
            if (s.drag.view >= 0 && s.drag.view < 3 && s.hasVolume())
                dragHandle(s, in.mouse);
            s.annotationsChanged = true;
            s.editing = s.editingHandle = -1;
        }
        if (s.turn.active && s.drag.view >= 0 && s.drag.view < 3 && s.hasVolume())
            continueTurn(s, s.drag.view, in.mouse);
        s.turn.active = false;
        s.drag = {};
    }
    const int cell = in.uiWantsMouse ? -1 : cellAt(s, in.mouse);
    const int view = cell >= 0 && cell < 3 ? cell : -1;
    if (view >= 0)
        s.activeView = view;

    s.view3d.focused = cell == 3;
    // The frame a drag starts carries the mouse's whole jump since the last frame (a fast move and a click
    // can arrive together): only later frames' motion drags.
    const int dragBefore = s.drag.view;
    if (cell >= 0 && in.doubleClicked[0] && s.pending >= 0 && cell == s.pendingView) {
        closePolygon(s); // a double click ends a polygon rather than maximising its view
        s.drag = {};
    } else if (cell >= 0 && in.doubleClicked[0]) {
        toggleMaximised(s, cell);
        s.drag = {};
    } else if (cell == 3 && volume && s.drag.view < 0) {
        if (in.clicked[0])
            s.drag = {3, in.shift ? 2 : 0};
        else if (in.clicked[1])
            s.drag = {3, 1};
        else if (in.clicked[2])
            s.drag = {3, 2};
    } else if (view >= 0 && volume && s.drag.view < 0) {
        int grabbed = -1, handle = -1;
        if (in.clicked[0]) {
            s.drag = {view, in.shift ? 2 : 0};
            // A measurement's handle under the mouse is dragged, whatever the tool (not while a shape is
            // being clicked out: its clicks place points).
            if (!in.shift && s.pending < 0 && handleUnder(s, view, in.mouse, grabbed, handle)) {
                s.editing = grabbed;
                s.editingHandle = handle;
                s.selectedAnnotation = grabbed;
            } else if (!in.shift && s.tool != AppState::Tool::Crosshair)
                startAnnotation(s, view, in.mouse);
            else if (!in.shift && !startTurn(s, view, in.mouse))
                moveCrosshair(s, view, in.mouse);
        } else if (in.clicked[1]) {
            s.drag = {view, 1};
        } else if (in.clicked[2]) {
            s.drag = {view, 2};
        }
    }
    const bool moved = dragBefore >= 0 && (in.mouseDelta.x != 0 || in.mouseDelta.y != 0);
    if (volume && s.drag.view == 3 && moved) {
        Camera3D& cam = s.view3d.camera;
        const Rect& rect = s.cells[3];
        switch (s.drag.button) {
        case 0:
            arcballRotate(cam, in.mouse - in.mouseDelta, in.mouse, rect);
            break;
        case 1:
            cam.zoom = std::clamp(cam.zoom * std::pow(1.01, -in.mouseDelta.y), 0.05, 50.0);
            break;
        case 2:
            panCamera(cam, in.mouseDelta, s.data->series.volume.geometry(), rect);
            break;
        }
        s.view3d.interactUntil = in.now + 0.25;
    } else if (volume && s.drag.view >= 0 && s.drag.view < 3 && moved) {
        viewer::ViewState& vs = s.views[std::size_t(s.drag.view)];
        switch (s.drag.button) {
        case 0:
            if (s.drawing >= 0)
                dragEnd(s, in.mouse);
            else if (s.editing >= 0)
                dragHandle(s, in.mouse);
            else if (s.turn.active)
                continueTurn(s, s.drag.view, in.mouse);
            else
                moveCrosshair(s, s.drag.view, in.mouse);
            break;
        case 1: {
            // Sensitivity grows with the window, so that both a 40 HU stroke window and a 2000 HU bone window
            // can be dragged comfortably.
            const double k = std::max(0.5, s.window.width / 400.0);
            s.window.width = std::clamp(s.window.width + in.mouseDelta.x * k, 1.0, 70000.0);
            s.window.center = std::clamp(s.window.center + in.mouseDelta.y * k, -35000.0, 35000.0);
            s.windowName = "custom";
            break;
        }
        case 2:
            vs.camera.pan += in.mouseDelta / viewer::mappingOf(s, s.drag.view).pixelsPerMm();
            break;
        }
    }
    if (cell == 3 && volume && in.wheel != 0) {
        s.view3d.camera.zoom = std::clamp(s.view3d.camera.zoom * std::pow(1.15, in.wheel), 0.05, 50.0);
        s.view3d.interactUntil = in.now + 0.25;
    }
    if (view >= 0 && volume && in.wheel != 0) {
        if (in.ctrl) {
            zoomAbout(s.views[std::size_t(view)].camera, viewer::mappingOf(s, view), in.mouse,
                      std::pow(1.15, in.wheel));
        } else {
            // Wheel towards the user (negative) goes to the next slice, as in RadiAnt and Horos.
            const int step = in.wheel > 0 ? -int(std::ceil(in.wheel)) : int(std::ceil(-in.wheel));
            setSliceNumber(s, view, viewer::sliceNumberOf(s, view) + step);
        }
    }
    if (volume)
        updateProbe(s, view, in.mouse);
    else
        s.probeValid = false;
    // An angle waiting for its third point: its second arm follows the mouse over its view.
    if (volume && s.pending >= 0 && s.pending < int(s.annotations.size()) && view == s.pendingView)
        s.annotations[std::size_t(s.pending)].points.back() = patientUnder(s, view, in.mouse);

    // ---- keyboard ----
    if (in.uiWantsKeyboard)
        return actions;
    // An open popup owns Esc: it closes the popup, not the maximised view or the help.
    if (in.popupOpen) {
        for (const Key& k : in.keys)
            if (k.code == GLFW_KEY_ESCAPE) {
                actions.push_back({viewer::Command::Kind::ClosePopups});
                return actions;
            }
    }
    const int v = std::clamp(s.activeView, 0, 2);
    for (const Key& k : in.keys) {
        const int key = k.code;
        if (k.ctrl) {
            if (key == GLFW_KEY_Q)
                actions.push_back({viewer::Command::Kind::Quit});
            if (key == GLFW_KEY_O)
                actions.push_back({viewer::Command::Kind::ShowOpen});
            if (key == GLFW_KEY_Z && k.shift)
                viewer::redoEdit(s);
            else if (key == GLFW_KEY_Z)
                viewer::undoEdit(s);
            continue;
        }
        if (s.view3d.focused) {
            // The 3D view's own keys; the rest work as in the slice views.
            bool used = false;
            if (k.shift)
                for (const ViewFromName& side : viewFromNames())
                    if (key == GLFW_KEY_A + (side.letter - 'A')) { // GLFW's letter keys are consecutive
                        s.view3d.camera.rotation = viewFromRotation(side.from);
                        used = true;
                    }
            if (!k.shift && key == GLFW_KEY_R) {
                s.view3d.camera = defaultCamera3D();
                used = true;
            }
            if (used)
                continue;
        }
        // The measuring tools' keys (another tool drops a shape still being clicked out).
        static constexpr std::pair<int, AppState::Tool> kToolKeys[] = {
            {GLFW_KEY_D, AppState::Tool::Line},    {GLFW_KEY_B, AppState::Tool::Rectangle},
            {GLFW_KEY_E, AppState::Tool::Ellipse}, {GLFW_KEY_P, AppState::Tool::Point},
            {GLFW_KEY_G, AppState::Tool::Angle},   {GLFW_KEY_F, AppState::Tool::Polygon}};
        if (const auto* t = std::find_if(std::begin(kToolKeys), std::end(kToolKeys),
                                         [&](const auto& e) { return e.first == key; });
            t != std::end(kToolKeys)) {
            cancelPending(s);
            s.tool = t->second;
            continue;
        }
        switch (key) {
        // In slice numbers: Down goes towards the feet (posterior, left), Home to the first image
        // (sliceNumber).
        case GLFW_KEY_UP:
            if (volume)
                setSliceNumber(s, v, viewer::sliceNumberOf(s, v) - 1);
            break;
        case GLFW_KEY_DOWN:
            if (volume)
                setSliceNumber(s, v, viewer::sliceNumberOf(s, v) + 1);
            break;
        case GLFW_KEY_PAGE_UP:
            if (volume)
                setSliceNumber(s, v, viewer::sliceNumberOf(s, v) - 10);
            break;
        case GLFW_KEY_PAGE_DOWN:
            if (volume)
                setSliceNumber(s, v, viewer::sliceNumberOf(s, v) + 10);
            break;
        case GLFW_KEY_HOME:
            if (volume)
                setSliceNumber(s, v, 0);
            break;
        case GLFW_KEY_END:
            if (volume)
                setSliceNumber(s, v, viewer::sliceCountOf(s, v) - 1);
            break;
        case GLFW_KEY_1:
        case GLFW_KEY_2:
        case GLFW_KEY_3:
        case GLFW_KEY_4:
            toggleMaximised(s, key - GLFW_KEY_1);
            break;
        case GLFW_KEY_ESCAPE:
            if (s.panels.help)
                s.panels.help = false;
            else if (s.panels.open || s.panels.pacs)
                s.panels.open = s.panels.pacs = false;
            else if (s.pending >= 0)
                cancelPending(s);
            else if (s.tool != AppState::Tool::Crosshair)
                s.tool = AppState::Tool::Crosshair;
            else
                s.maximised = -1;
            break;
        case GLFW_KEY_ENTER:
        case GLFW_KEY_KP_ENTER:
            closePolygon(s);
            break;
        case GLFW_KEY_DELETE:
        case GLFW_KEY_BACKSPACE:
            // The selected measurement (its row clicked, or the one just drawn) goes.
            if (s.drawing < 0 && s.editing < 0 && s.selectedAnnotation >= 0 &&
                s.selectedAnnotation < int(s.annotations.size())) {
                s.annotations.erase(s.annotations.begin() + s.selectedAnnotation);
                s.selectedAnnotation = -1;
                s.annotationsChanged = true;
            }
            break;
        case GLFW_KEY_R:
            if (k.shift) // the turned views back to the acquired axes
                viewer::resetOblique(s);
            else
                for (viewer::ViewState& vs : s.views)
                    vs.camera = {};
            break;
        case GLFW_KEY_A:
            if (volume) {
                s.window = autoWindow(s.data->series.volume);
                s.windowName = "auto";
            }
            break;
        case GLFW_KEY_I:
            s.invert = !s.invert;
            break;
        case GLFW_KEY_L:
            s.linear = !s.linear;
            break;
        case GLFW_KEY_C:
            s.overlays.crosshair = !s.overlays.crosshair;
            break;
        case GLFW_KEY_O: {
            viewer::Overlays& o = s.overlays;
            const bool any =
                o.crosshair || o.letters || o.scaleBar || o.windowLevel || o.probe || o.sliceInfo;
            o.crosshair = o.letters = o.scaleBar = o.windowLevel = o.probe = o.sliceInfo = !any;
            break;
        }
        case GLFW_KEY_S: // the view under the mouse: the 3D render over the 3D view, else the active slice
            if (volume)
                actions.push_back({s.view3d.focused ? viewer::Command::Kind::SaveRender
                                                    : viewer::Command::Kind::SaveSlice});
            break;
        case GLFW_KEY_F12:
            actions.push_back({viewer::Command::Kind::Screenshot});
            break;
        case GLFW_KEY_F1:
            s.panels.help = !s.panels.help;
            break;
        case GLFW_KEY_F5:
            actions.push_back({viewer::Command::Kind::ReloadShaders});
            break;
        case GLFW_KEY_TAB:
            s.panels.sidebar = !s.panels.sidebar;
            break;
        case GLFW_KEY_SPACE: // the view under the mouse, else the active one
            startCine(s, view >= 0 ? view : v, in.now);
            break;
        default:
            break;
        }
    }
    // The keys may have moved the slice under a mouse that did not move: the probe describes what is shown
    // now.
    if (volume && !in.keys.empty())
        updateProbe(s, view, in.mouse);
    return actions;
}
} // namespace

} // namespace ctview::app
