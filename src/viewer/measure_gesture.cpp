#include "viewer/measure_gesture.h"

#include <algorithm>
#include <cmath>

namespace ctview::viewer {

glm::dvec3 patientUnder(const AppState& s, int v, glm::dvec2 p) {
    const ViewMapping m = mappingOf(s, v);
    if (m.oblique())
        return m.screenToPatient(p);
    const SliceFrame& f = m.frame();
    const glm::dvec2 d = m.screenToDisplay(p);
    const double h = std::clamp(d.x - 0.5, -0.5, f.width - 0.5),
                 vv = std::clamp(d.y - 0.5, -0.5, f.height - 0.5);
    glm::dvec3 ijk(0.0);
    ijk[f.nAxis] = sliceOf(s, v);
    ijk[f.hAxis] = f.hFlip ? f.width - 1 - h : h;
    ijk[f.vAxis] = f.vFlip ? f.height - 1 - vv : vv;
    return s.scene.base->series.volume.geometry().voxelToPatient(ijk);
}

void cancelPending(AppState& s) {
    if (s.gesture.pending >= 0 && s.gesture.pending < int(s.annotations.size()))
        s.annotations.erase(s.annotations.begin() + s.gesture.pending);
    s.gesture.pending = s.gesture.pendingView = -1;
}

void startAnnotation(AppState& s, int v, glm::dvec2 p) {
    const glm::dvec3 at = patientUnder(s, v, p);
    if (s.gesture.pending >= 0 && s.gesture.pending < int(s.annotations.size())) {
        Annotation& p0 = s.annotations[std::size_t(s.gesture.pending)];
        if (p0.type == AnnotationType::Polygon) { // the vertex placed; the next one follows the mouse
            p0.points.back() = at;
            p0.points.push_back(at);
            return;
        }
        p0.points[2] = at; // an angle's third point: done
        s.selectedAnnotation = s.gesture.pending;
        s.annotationsChanged = true;
        s.gesture.pending = s.gesture.pendingView = -1;
        return;
    }
    Annotation a;
    switch (s.tool.value_or(AnnotationType::Line)) {
    case AnnotationType::Polygon:
        a.type = AnnotationType::Polygon;
        a.points = {at, at};
        s.annotations.push_back(a);
        s.gesture.pending = int(s.annotations.size()) - 1;
        s.gesture.pendingView = v;
        return;
    case AnnotationType::Angle:
        a.type = AnnotationType::Angle;
        a.points = {at, at, at}; // first arm's end, vertex (dragged), second arm's end (then clicked)
        s.annotations.push_back(a);
        s.gesture.drawing = int(s.annotations.size()) - 1;
        return;
    case AnnotationType::Point:
        a.type = AnnotationType::Point;
        a.points = {at};
        s.annotations.push_back(a);
        s.annotationsChanged = true;
        s.selectedAnnotation = int(s.annotations.size()) - 1;
        return;
    case AnnotationType::Rectangle:
    case AnnotationType::Ellipse:
        if (s.mpr.oblique &&
            tiltDegrees(s.scene.base->series.volume.geometry(), s.views[std::size_t(v)].axis, s.mpr) > 1e-6) {
            // In a plane tilted against the voxel grid two corners do not say which plane the box lies in:
            // it is kept as the polygon of its outline (a rectangle's 4 corners, an ellipse's 64 points).
            a.type = AnnotationType::Polygon;
            a.points = {at, at, at};
            s.annotations.push_back(a);
            s.gesture.drawing = int(s.annotations.size()) - 1;
            s.gesture.box = {s.tool == AnnotationType::Ellipse ? 2 : 1, at};
            return;
        }
        a.type = s.tool == AnnotationType::Ellipse ? AnnotationType::Ellipse : AnnotationType::Rectangle;
        break;
    default:
        a.type = AnnotationType::Line;
    }
    a.points = {at, at};
    s.annotations.push_back(a);
    s.gesture.drawing = int(s.annotations.size()) - 1;
}

void closePolygon(AppState& s) {
    if (s.gesture.pending < 0 || s.gesture.pending >= int(s.annotations.size()) ||
        s.annotations[std::size_t(s.gesture.pending)].type != AnnotationType::Polygon)
        return;
    std::vector<glm::dvec3>& pts = s.annotations[std::size_t(s.gesture.pending)].points;
    pts.pop_back();
    if (pts.size() >= 3) {
        s.selectedAnnotation = s.gesture.pending;
        s.annotationsChanged = true;
        s.gesture.pending = s.gesture.pendingView = -1;
    } else {
        cancelPending(s);
    }
}

void dragEnd(AppState& s, glm::dvec2 mouse) {
    Annotation& a = s.annotations[std::size_t(s.gesture.drawing)];
    if (s.gesture.box.kind > 0) {
        // A box in a tilted plane: its outline in the view's plane coordinates, from corner to corner.
        const SlicePlane plane = planeOf(s, s.gesture.drag.view);
        const glm::dvec2 c0 = plane.coordinates(s.gesture.box.start),
                         c1 = plane.coordinates(patientUnder(s, s.gesture.drag.view, mouse));
        a.points.clear();
        const int n = s.gesture.box.kind == 2 ? 64 : 4;
        for (int i = 0; i < n; ++i)
            a.points.push_back(plane.at(boxOutlinePoint(c0, c1, s.gesture.box.kind == 2, i, n)));
        return;
    }
    a.points[1] = patientUnder(s, s.gesture.drag.view, mouse);
    if (a.type == AnnotationType::Angle)
        a.points[2] = a.points[1];
}

void finishAnnotation(AppState& s) {
    if (s.gesture.drawing < 0 || s.gesture.drawing >= int(s.annotations.size())) {
        s.gesture.drawing = -1;
        return;
    }
    const Annotation& a = s.annotations[std::size_t(s.gesture.drawing)];
    // Dropped (empty) or kept and selected; either way the drawing ends.
    auto keepUnless = [&s](bool empty) {
        if (empty) {
            s.annotations.erase(s.annotations.begin() + s.gesture.drawing);
        } else {
            s.annotationsChanged = true;
            s.selectedAnnotation = s.gesture.drawing;
        }
        s.gesture.drawing = -1;
    };
    if (s.gesture.box.kind > 0) {
        // A box in a tilted plane (a polygon): dropped when it has no width or no height.
        const glm::dvec3 sp = s.scene.base->series.volume.geometry().spacing;
        const double finest = std::min({sp.x, sp.y, sp.z});
        const SlicePlane plane = planeOf(s, s.gesture.drag.view);
        glm::dvec2 lo(INFINITY), hi(-INFINITY);
        for (const glm::dvec3& p : a.points)
            lo = glm::min(lo, plane.coordinates(p)), hi = glm::max(hi, plane.coordinates(p));
        keepUnless(a.points.size() < 4 || hi.x - lo.x < finest * 0.5 || hi.y - lo.y < finest * 0.5);
        s.gesture.box = {};
        return;
    }
    const glm::dvec3 d = glm::abs(a.points[1] - a.points[0]);
    const glm::dvec3 sp = s.scene.base->series.volume.geometry().spacing;
    const bool tooShort = glm::length(d) < std::min({sp.x, sp.y, sp.z}) * 0.5; // under half the finest voxel
    if (a.type == AnnotationType::Angle) {
        // The first arm drawn: the angle waits for its third point (kept only once it has it).
        if (tooShort) {
            s.annotations.erase(s.annotations.begin() + s.gesture.drawing);
        } else {
            s.gesture.pending = s.gesture.drawing;
            s.gesture.pendingView = s.gesture.drag.view;
        }
        s.gesture.drawing = -1;
        return;
    }
    const int extents = int(d.x > 1e-6) + int(d.y > 1e-6) + int(d.z > 1e-6);
    keepUnless(a.type == AnnotationType::Line ? tooShort : extents < 2);
}

bool handleUnder(const AppState& s, int v, glm::dvec2 p, int& annotation, int& handle) {
    constexpr double kReachPx = 7;
    const ViewMapping m = mappingOf(s, v);
    const Geometry& g = s.scene.base->series.volume.geometry();
    double best = kReachPx;
    annotation = handle = -1;
    for (int a = 0; a < int(s.annotations.size()); ++a) {
        const Annotation& an = s.annotations[std::size_t(a)];
        if (!onView(s, v, an))
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

void dragHandle(AppState& s, glm::dvec2 mouse) {
    if (s.gesture.editing < 0 || s.gesture.editing >= int(s.annotations.size()))
        return;
    moveHandle(s.scene.base->series.volume.geometry(), s.annotations[std::size_t(s.gesture.editing)],
               frameOf(s, s.gesture.drag.view), s.gesture.editingHandle,
               patientUnder(s, s.gesture.drag.view, mouse));
}

} // namespace ctview::viewer
