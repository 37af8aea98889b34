#include "viewer/input.h"
#include "viewer/crop_gesture.h"
#include "viewer/measure_gesture.h"

#include "sources/layers.h"

#include <glm/gtc/matrix_transform.hpp>

#include <algorithm>
#include <cmath>

namespace ctview::viewer {

int cellAt(const AppState& s, glm::dvec2 p) {
    for (int c = 0; c < 4; ++c)
        if (s.cells[std::size_t(c)].w > 0 && s.cells[std::size_t(c)].contains(float(p.x), float(p.y)))
            return c;
    return -1;
}

void startCine(AppState& s, int v, double now) {
    if (!s.hasVolume() || v < 0 || v > 2 || sliceCountOf(s, v) < 2)
        return;
    s.cine.view = v;
    s.cine.direction = 1;
    s.cine.next = now + 1.0 / s.prefs.cineFps;
}

void stopCine(AppState& s) {
    s.cine.view = -1;
}

void advanceCine(AppState& s, double now, Commands* out) {
    Cine& c = s.cine;
    if (c.view < 0 || !s.hasVolume() || now < c.next)
        return;
    // One step a frame at most: a slow frame slows the cine down rather than skipping slices (the next step
    // is a whole period after it).
    c.next += 1.0 / s.prefs.cineFps;
    if (c.next <= now)
        c.next = now + 1.0 / s.prefs.cineFps;
    // Over a 4D series' phases, at the slice shown: the next phase is the frame loop's to show (a load the
    // first time, a swap after); a step while one is loading is skipped, not queued.
    const Provenance& about = s.scene.base->series.about;
    const bool phases = c.overPhases && about.listing.phases > 1 && about.phase > 0;
    const int count = phases ? int(about.listing.phases) : sliceCountOf(s, c.view);
    int n = (phases ? about.phase : sliceNumberOf(s, c.view)) + c.direction;
    if (n < 1 || n > count) { // slice numbers run 1..count
        if (s.prefs.cineBounce) {
            c.direction = -c.direction;
            n = std::clamp(n + 2 * c.direction, 1, count);
        } else {
            n = n < 1 ? count : 1;
        }
    }
    if (!phases)
        setSliceNumber(s, c.view, n);
    else if (out)
        out->push_back({Command::Kind::LoadPhase, "", n});
}

namespace {

// Moves the crosshair to the voxel under `p` in view v (clamped to the image), keeping v's slice.
void moveCrosshair(AppState& s, int v, glm::dvec2 p) {
    const ViewMapping m = mappingOf(s, v);
    if (m.oblique()) {
        // On v's plane, wherever the mouse is: the other two planes move through it.
        s.mpr.centre = m.screenToPatient(p);
        syncCursor(s);
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
    s.gesture.probe.valid = false;
    if (v < 0 || v > 2)
        return;
    const Volume& vol = s.scene.base->series.volume;
    const ViewMapping m = mappingOf(s, v);
    if (s.scene.base->preview && m.oblique())
        return; // a turned view samples many slices, some still being decoded
    if (m.oblique()) {
        // A turned view shows HU sampled between voxels (trilinear, or the nearest voxel's when interpolation
        // is off): the probe reads the same value at the point itself, and names the nearest voxel.
        const glm::dvec3 lps = m.screenToPatient(p);
        const float hu = planeValue(vol, lps, m.plane().normal, s.views[std::size_t(v)].slab, s.linear);
        const glm::dvec3 ijk = vol.geometry().patientToVoxel(lps);
        if (std::isnan(hu) || std::isnan(sampleHu(vol, ijk, false)))
            return;
        s.gesture.probe.valid = true;
        s.gesture.probe.hu = hu;
        s.gesture.probe.voxel = glm::ivec3(glm::round(ijk));
        s.gesture.probe.lps = lps;
        return;
    }
    glm::ivec3 voxel;
    if (!m.screenToVoxel(p, sliceOf(s, v), voxel))
        return;
    // While the series loads, only its decoded slices are read (the loader writes the others); a slab
    // reads its neighbours too, so the probe waits for the series then.
    if (!s.scene.base->hasArrived(voxel.z) ||
        (s.scene.base->preview && isThick(s.views[std::size_t(v)].slab, frameOf(s, v).nSpacing)))
        return;
    s.gesture.probe.valid = true;
    s.gesture.probe.voxel = voxel;
    s.gesture.probe.hu = slabValue(vol, frameOf(s, v), voxel, s.views[std::size_t(v)].slab); // what is shown
    s.gesture.probe.lps = vol.geometry().voxelToPatient(glm::dvec3(voxel));
}

// A turn handle (the ends of the crosshair's lines, crosshairLines) within reach of `p` in view v:
// starts turning the views about v's normal. False when none is.
bool startTurn(AppState& s, int v, glm::dvec2 p) {
    constexpr double kReachPx = 8;
    if (!s.prefs.overlays.crosshair || s.tool)
        return false;
    const Rect& r = s.cells[std::size_t(v)];
    for (const CrosshairLine& line : crosshairLines(s, v))
        for (double side : {-1.0, 1.0})
            if (glm::length(line.centre + line.direction * (side * turnHandleDistance(r)) - p) <= kReachPx) {
                s.gesture.turn.active = true;
                s.gesture.turn.centre = line.centre;
                s.gesture.turn.startAngle = std::atan2(p.y - line.centre.y, p.x - line.centre.x);
                s.gesture.turn.startRotation = s.mpr.rotation;
                return true;
            }
    return false;
}

// The mouse at `p` while turning: the views turn about the normal of the view being dragged in by the angle
// the mouse has swept about the crosshair there (clockwise on the screen turns its right towards its down).
void continueTurn(AppState& s, int v, glm::dvec2 p) {
    const double angle =
        std::atan2(p.y - s.gesture.turn.centre.y, p.x - s.gesture.turn.centre.x) - s.gesture.turn.startAngle;
    if (!s.mpr.oblique && std::abs(angle) < 1e-9)
        return; // a click on a dot without a turn stays on the acquired axes
    s.mpr.rotation = s.gesture.turn.startRotation;
    turnViews(s, v, angle);
}

} // namespace

void toggleMaximised(AppState& s, int cell) {
    s.maximised = s.maximised == cell ? -1 : cell;
}

namespace {
Commands handleFrame(AppState& s, const InputFrame& in);
}

Command droppedCommand(const AppState& s, const std::string& path, bool shift) {
    if (shift && s.hasVolume() && !s.scene.base->preview)
        return {Command::Kind::Compare, path, 0};
    // While a series loads, a segmentation waits for it (the window adds it once the series is complete).
    if ((s.hasVolume() || s.load.active) && maybeLayer(path))
        return {Command::Kind::AddLabels, path, 1};
    return {Command::Kind::Open, path};
}

namespace {
// Side by side: the second series' views are the base's moved right by paneOffset (the same planes), so the
// mouse over them acts on the base's views at the same place; a drag keeps the pane it started in.
InputFrame inPane(const AppState& s, const InputFrame& in, int& pane) {
    pane = 0;
    if (s.paneOffset <= 0)
        return in;
    if (s.gesture.drag.view >= 0)
        pane = s.gesture.drag.pane;
    else
        pane = !in.uiWantsMouse && in.mouse.x >= double(s.viewArea.x + s.paneOffset) ? 1 : 0;
    InputFrame moved = in;
    if (pane == 1)
        moved.mouse.x -= double(s.paneOffset);
    return moved;
}

Commands handleInPane(AppState& s, const InputFrame& in);
} // namespace

namespace {
// "Align here": a click on a landmark in the open series' views, then on the same landmark in the second
// series' (side by side); the second series moved so that the two coincide (Command::Realign). True when the
// click was the gesture's (nothing else happens with it). Esc leaves the gesture.
bool alignClick(AppState& s, const InputFrame& in, int pane, Commands& out) {
    Gestures::Align& a = s.gesture.align;
    if (a.step == 0)
        return false;
    if (s.scene.images.empty() || s.paneOffset <= 0 ||
        std::any_of(in.keys.begin(), in.keys.end(), [](const Key& k) { return k.code == keycode::Escape; })) {
        a.step = 0;
        return false;
    }
    const int cell = in.uiWantsMouse ? -1 : cellAt(s, in.mouse);
    if (!in.clicked[0] || cell < 0 || cell > 2)
        return false;
    const glm::dvec3 p = patientUnder(s, cell, in.mouse);
    if (a.step == 1 && pane == 0) {
        a.first = p;
        a.step = 2;
    } else if (a.step == 2 && pane == 1) {
        // The landmark shows at base point p on the right, and should at `first`: the layer moves by first -
        // p.
        a.link = s.scene.images.front().toLayer * glm::translate(glm::dmat4(1.0), p - a.first);
        a.step = 0;
        out.push_back({Command::Kind::Realign});
    }
    return true; // a click on the wrong side waits for the right one
}
} // namespace

Commands handleInput(AppState& s, const InputFrame& raw) {
    int pane = 0;
    const InputFrame in = inPane(s, raw, pane);
    if (Commands aligned; alignClick(s, in, pane, aligned))
        return aligned;
    const bool dragging = s.gesture.drag.view >= 0;
    Commands commands = handleInPane(s, in);
    if (!dragging && s.gesture.drag.view >= 0)
        s.gesture.drag.pane = pane;
    s.gesture.probe.pane = pane;
    return commands;
}

namespace {
Commands handleInPane(AppState& s, const InputFrame& in) {
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
                                               return k.code == keycode::Space || k.code == keycode::Escape;
                                           }),
                            rest.keys.end());
            if (click)
                rest.clicked = rest.doubleClicked = {};
            return handleFrame(s, rest);
        }
        Commands stepped;
        advanceCine(s, in.now, &stepped); // before the frame's input, so that the probe reads the slice shown
        Commands rest = handleFrame(s, in);
        stepped.insert(stepped.end(), rest.begin(), rest.end());
        return stepped;
    }
    return handleFrame(s, in);
}

Commands handleFrame(AppState& s, const InputFrame& in) {
    Commands actions;
    const bool volume = s.hasVolume();

    // ---- mouse ----
    if (s.gesture.drag.view >= 0 &&
        std::any_of(in.released.begin(), in.released.end(), [](bool r) { return r; }) &&
        !in.down[std::size_t(s.gesture.drag.button)]) {
        // The end of a 3D drag: the full-quality frame is due at once (the wait after the last move is for
        // the wheel, which has no release).
        if (s.gesture.drag.view == 3)
            s.view3d.interactUntil = std::min(s.view3d.interactUntil, in.now);
        if (s.gesture.crop.handle >= 0) {
            dragCropHandle(s, in.mouse); // where the button came up
            s.gesture.crop = {};
        }
        if (s.gesture.drawing >= 0) {
            // Where the button came up (a quick drag may bring its moves and the release in one frame).
            if (s.gesture.drag.view >= 0 && s.gesture.drag.view < 3 && s.hasVolume())
                dragEnd(s, in.mouse);
            finishAnnotation(s);
        }
        if (s.gesture.editing >= 0) {
            if (s.gesture.drag.view >= 0 && s.gesture.drag.view < 3 && s.hasVolume())
                dragHandle(s, in.mouse);
            s.annotationsChanged = true;
            s.gesture.editing = s.gesture.editingHandle = -1;
        }
        if (s.gesture.turn.active && s.gesture.drag.view >= 0 && s.gesture.drag.view < 3 && s.hasVolume())
            continueTurn(s, s.gesture.drag.view, in.mouse);
        s.gesture.turn.active = false;
        if (!s.editor.scissorsPath.empty()) { // the scissors' shape is closed where the button came up
            s.editor.scissorsPath.push_back(in.mouse);
            cutWithScissors(s, std::exchange(s.editor.scissorsPath, {}));
        }
        if (!s.editor.stroke.empty() &&
            s.hasVolume()) { // a paint stroke, to where the button came up: one edit
            s.editor.stroke.push_back(patientUnder(s, s.editor.strokeView, in.mouse));
            paintStroke(s, std::exchange(s.editor.stroke, {}), s.editor.strokeView, s.editor.strokeErase);
        }
        s.gesture.drag = {};
    }
    const int cell = in.uiWantsMouse ? -1 : cellAt(s, in.mouse);
    const int view = cell >= 0 && cell < 3 ? cell : -1;
    if (view >= 0)
        s.activeView = view;

    s.view3d.focused = cell == 3;
    // The frame a drag starts carries the mouse's whole jump since the last frame (a fast move and a click
    // can arrive together): only later frames' motion drags.
    const int dragBefore = s.gesture.drag.view;
    if (cell >= 0 && in.doubleClicked[0] && s.gesture.pending >= 0 && cell == s.gesture.pendingView) {
        closePolygon(s); // a double click ends a polygon rather than maximising its view
        s.gesture.drag = {};
    } else if (cell >= 0 && in.doubleClicked[0]) {
        toggleMaximised(s, cell);
        s.gesture.drag = {};
    } else if (cell == 3 && volume && s.gesture.drag.view < 0) {
        if (in.clicked[0] && !in.shift && s.editor.open && s.editor.tool == SegmentEditor::Tool::Scissors) {
            // The segment editor's scissors: the drag draws the shape to cut with, instead of turning.
            s.gesture.drag = {3, 0};
            s.editor.scissorsPath = {in.mouse};
        } else if (in.clicked[0]) {
            s.gesture.drag = {3, in.shift ? 2 : 0};
            // A crop box handle under the mouse is dragged rather than the volume turned.
            if (const int h = in.shift ? -1 : cropHandleUnder(s, in.mouse); h >= 0)
                startCropDrag(s, h, in.mouse);
        } else if (in.clicked[1])
            s.gesture.drag = {3, 1};
        else if (in.clicked[2])
            s.gesture.drag = {3, 2};
    } else if (view >= 0 && volume && s.gesture.drag.view < 0) {
        int grabbed = -1, handle = -1;
        if (in.clicked[0] && s.editor.open && s.editor.editing() &&
            s.editor.tool == SegmentEditor::Tool::Paint) {
            // The segment editor's brush: the drag is a stroke (Shift: the other of paint and erase).
            s.gesture.drag = {view, 0};
            s.editor.stroke = {patientUnder(s, view, in.mouse)};
            s.editor.strokeView = view;
            s.editor.strokeErase = s.editor.erase != in.shift;
        } else if (in.clicked[0]) {
            s.gesture.drag = {view, in.shift ? 2 : 0};
            // A measurement's handle under the mouse is dragged, whatever the tool (not while a shape is
            // being clicked out: its clicks place points).
            if (!in.shift && s.gesture.pending < 0 && handleUnder(s, view, in.mouse, grabbed, handle)) {
                s.gesture.editing = grabbed;
                s.gesture.editingHandle = handle;
                s.selectedAnnotation = grabbed;
            } else if (!in.shift && s.editor.open &&
                       (s.editor.tool == SegmentEditor::Tool::Islands ||
                        s.editor.tool == SegmentEditor::Tool::Threshold)) {
                // The segment editor's click: Islands keeps the part of the segment under it alone; Threshold
                // grows the range's voxels connected to it into the segment.
                updateProbe(s, view, in.mouse);
                if (s.gesture.probe.valid && s.editor.tool == SegmentEditor::Tool::Islands)
                    keepIslandAt(s, s.gesture.probe.voxel);
                else if (s.gesture.probe.valid)
                    growAt(s, s.gesture.probe.voxel);
                s.gesture.drag = {};
            } else if (!in.shift && s.tool)
                startAnnotation(s, view, in.mouse);
            else if (!in.shift && !startTurn(s, view, in.mouse))
                moveCrosshair(s, view, in.mouse);
        } else if (in.clicked[1]) {
            s.gesture.drag = {view, 1};
        } else if (in.clicked[2]) {
            s.gesture.drag = {view, 2};
        }
    }
    const bool moved = dragBefore >= 0 && (in.mouseDelta.x != 0 || in.mouseDelta.y != 0);
    if (volume && s.gesture.drag.view == 3 && moved) {
        Camera3D& cam = s.view3d.camera;
        const Rect& rect = s.cells[3];
        switch (s.gesture.drag.button) {
        case 0:
            if (!s.editor.scissorsPath.empty()) {
                if (glm::length(in.mouse - s.editor.scissorsPath.back()) >= 2.0)
                    s.editor.scissorsPath.push_back(in.mouse);
            } else if (s.gesture.crop.handle >= 0)
                dragCropHandle(s, in.mouse);
            else
                arcballRotate(cam, in.mouse - in.mouseDelta, in.mouse, rect);
            break;
        case 1:
            cam.zoom = std::clamp(cam.zoom * std::pow(1.01, -in.mouseDelta.y), 0.05, 50.0);
            break;
        case 2:
            panCamera(cam, in.mouseDelta, s.scene.base->series.volume.geometry(), rect);
            break;
        }
        s.view3d.interactUntil = in.now + 0.25;
    } else if (volume && s.gesture.drag.view >= 0 && s.gesture.drag.view < 3 && moved) {
        ViewState& vs = s.views[std::size_t(s.gesture.drag.view)];
        switch (s.gesture.drag.button) {
        case 0:
            if (!s.editor.stroke.empty()) {
                const glm::dvec3 at = patientUnder(s, s.gesture.drag.view, in.mouse);
                if (glm::length(at - s.editor.stroke.back()) > 0.25 * s.editor.brushMm)
                    s.editor.stroke.push_back(at);
            } else if (s.gesture.drawing >= 0)
                dragEnd(s, in.mouse);
            else if (s.gesture.editing >= 0)
                dragHandle(s, in.mouse);
            else if (s.gesture.turn.active)
                continueTurn(s, s.gesture.drag.view, in.mouse);
            else
                moveCrosshair(s, s.gesture.drag.view, in.mouse);
            break;
        case 1: {
            // In the second series' views (side by side), its own window unless it takes the base's.
            const bool second =
                s.gesture.drag.pane == 1 && !s.scene.images.empty() && !s.scene.images.front().linkLook;
            WindowLevel& wl = second ? s.scene.images.front().window : s.window;
            // Sensitivity grows with the window, so that both a 40 HU stroke window and a 2000 HU bone window
            // can be dragged comfortably.
            const double k = std::max(0.5, wl.width / 400.0);
            wl.width = std::clamp(wl.width + in.mouseDelta.x * k, 1.0, 70000.0);
            wl.center = std::clamp(wl.center + in.mouseDelta.y * k, -35000.0, 35000.0);
            if (!second)
                s.windowName = "custom";
            break;
        }
        case 2:
            vs.camera.pan += in.mouseDelta / mappingOf(s, s.gesture.drag.view).pixelsPerMm();
            break;
        }
    }
    if (cell == 3 && volume && in.wheel != 0) {
        s.view3d.camera.zoom = std::clamp(s.view3d.camera.zoom * std::pow(1.15, in.wheel), 0.05, 50.0);
        s.view3d.interactUntil = in.now + 0.25;
    }
    if (view >= 0 && volume && in.wheel != 0) {
        if (in.ctrl) {
            zoomAbout(s.views[std::size_t(view)].camera, mappingOf(s, view), in.mouse,
                      std::pow(1.15, in.wheel));
        } else {
            // Wheel towards the user (negative) goes to the next slice, as in RadiAnt and Horos.
            const int step = in.wheel > 0 ? -int(std::ceil(in.wheel)) : int(std::ceil(-in.wheel));
            setSliceNumber(s, view, sliceNumberOf(s, view) + step);
        }
    }
    if (volume)
        updateProbe(s, view, in.mouse);
    else
        s.gesture.probe.valid = false;
    // An angle waiting for its third point: its second arm follows the mouse over its view.
    if (volume && s.gesture.pending >= 0 && s.gesture.pending < int(s.annotations.size()) &&
        view == s.gesture.pendingView)
        s.annotations[std::size_t(s.gesture.pending)].points.back() = patientUnder(s, view, in.mouse);

    // ---- keyboard ----
    if (in.uiWantsKeyboard)
        return actions;
    // An open popup owns Esc: it closes the popup, not the maximised view or the help.
    if (in.popupOpen) {
        for (const Key& k : in.keys)
            if (k.code == keycode::Escape) {
                actions.push_back({Command::Kind::ClosePopups});
                return actions;
            }
    }
    KeyContext keys{s, in, actions, view, std::clamp(s.activeView, 0, 2), volume};
    handleKeys(keys);
    // The keys may have moved the slice under a mouse that did not move: the probe describes what is shown
    // now.
    if (volume && !in.keys.empty())
        updateProbe(s, view, in.mouse);
    return actions;
}
} // namespace

} // namespace ctview::viewer
