#include "viewer/crop_gesture.h"

#include "volume/camera3d.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace ctview::viewer {

namespace {
// LPS of the point at fractions `f` of the volume's box (texture coordinates).
glm::dvec3 atFraction(const Geometry& g, glm::dvec3 f) {
    return g.voxelToPatient(f * glm::dvec3(g.dims) - 0.5);
}

// The box as the renderer takes it: each axis low to high.
void orderedBox(const AppState& s, glm::dvec3& lo, glm::dvec3& hi) {
    lo = glm::clamp(glm::min(s.view3d.cropMin, s.view3d.cropMax), 0.0, 1.0);
    hi = glm::clamp(glm::max(s.view3d.cropMin, s.view3d.cropMax), 0.0, 1.0);
}

// The middle of handle h's face, in fractions.
glm::dvec3 faceCentre(const AppState& s, int h) {
    glm::dvec3 lo, hi;
    orderedBox(s, lo, hi);
    glm::dvec3 f = (lo + hi) * 0.5;
    const int a = h / 2;
    f[a] = h % 2 ? hi[a] : lo[a];
    return f;
}

CameraMatrices cameraOf(const AppState& s) {
    const Rect& r = s.cells[3];
    return cameraMatrices(s.view3d.camera, s.scene.base->series.volume.geometry(), {r.w, r.h});
}
} // namespace

bool cropBoxShown(const AppState& s) {
    return s.view3d.showCropBox && s.hasVolume() && s.scene.base->stats && s.cells[3].w > 0 &&
           s.cells[3].h > 0;
}

std::array<glm::dvec3, 8> cropCorners(const AppState& s) {
    std::array<glm::dvec3, 8> corners{};
    if (!s.hasVolume())
        return corners;
    glm::dvec3 lo, hi;
    orderedBox(s, lo, hi);
    const Geometry& g = s.scene.base->series.volume.geometry();
    for (int c = 0; c < 8; ++c)
        corners[std::size_t(c)] =
            atFraction(g, {c & 1 ? hi.x : lo.x, c & 2 ? hi.y : lo.y, c & 4 ? hi.z : lo.z});
    return corners;
}

std::array<CropHandle, 6> cropHandles(const AppState& s) {
    std::array<CropHandle, 6> handles{};
    for (int h = 0; h < 6; ++h) {
        handles[std::size_t(h)].axis = h / 2;
        handles[std::size_t(h)].high = h % 2 == 1;
    }
    if (!s.hasVolume())
        return handles;
    const Geometry& g = s.scene.base->series.volume.geometry();
    const CameraMatrices cm = cameraOf(s);
    for (int h = 0; h < 6; ++h) {
        CropHandle& ch = handles[std::size_t(h)];
        const glm::dvec3 f = faceCentre(s, h);
        glm::dvec3 further = f;
        further[h / 2] += 1.0;
        glm::dvec2 end;
        ch.visible = projectToScreen(cm, s.cells[3], atFraction(g, f), ch.screen) &&
                     projectToScreen(cm, s.cells[3], atFraction(g, further), end);
        // A face seen nearly head-on (its axis within about 15 degrees of the line of sight) has no
        // direction to be dragged in, and its handle would sit over the middle of the volume, where a drag
        // turns it: no handle then.
        const double axisPixels = double(g.dims[h / 2]) * g.spacing[h / 2] / cm.mmPerPixel;
        ch.visible = ch.visible && glm::distance(ch.screen, end) >= 0.25 * axisPixels;
    }
    return handles;
}

int cropHandleUnder(const AppState& s, glm::dvec2 mouse) {
    if (!cropBoxShown(s))
        return -1;
    int best = -1;
    double bestDistance = 2 * kCropHandleRadius;
    const std::array<CropHandle, 6> handles = cropHandles(s);
    for (int h = 0; h < 6; ++h) {
        const CropHandle& ch = handles[std::size_t(h)];
        const double d = glm::distance(ch.screen, mouse);
        if (ch.visible && d <= bestDistance) {
            best = h;
            bestDistance = d;
        }
    }
    return best;
}

namespace {
// Where on the face's axis (units of fraction from its origin) the mouse points: the axis's point nearest the
// ray through the mouse, so that the face stays under the mouse in a perspective view as in a parallel one.
// Nothing when the axis runs along the ray.
std::optional<double> alongAxis(const AppState& s, const Gestures::CropDrag& drag, glm::dvec2 mouse) {
    const Ray ray = screenRay(cameraOf(s), s.cells[3], mouse);
    const glm::dvec3 w = drag.axisOrigin - ray.origin, d = drag.axisStep, e = ray.direction;
    const double a = glm::dot(d, d), b = glm::dot(d, e), c = glm::dot(e, e);
    const double denominator = a * c - b * b;
    if (denominator <= 1e-9 * a * c)
        return std::nullopt;
    return (b * glm::dot(e, w) - c * glm::dot(d, w)) / denominator;
}
} // namespace

void startCropDrag(AppState& s, int h, glm::dvec2 mouse) {
    Gestures::CropDrag& drag = s.gesture.crop;
    drag = {};
    if (h < 0 || h >= 6 || !s.hasVolume())
        return;
    const Geometry& g = s.scene.base->series.volume.geometry();
    const int a = h / 2;
    const glm::dvec3 f = faceCentre(s, h);
    glm::dvec3 further = f;
    further[a] += 1.0;
    drag.axisOrigin = atFraction(g, f);
    drag.axisStep = atFraction(g, further) - drag.axisOrigin;
    const std::optional<double> grab = alongAxis(s, drag, mouse);
    if (!grab)
        return;
    drag.handle = h;
    drag.startFraction = f[a];
    drag.grab = *grab;
}

void dragCropHandle(AppState& s, glm::dvec2 mouse) {
    const Gestures::CropDrag& drag = s.gesture.crop;
    if (drag.handle < 0 || !s.hasVolume())
        return;
    const std::optional<double> at = alongAxis(s, drag, mouse);
    if (!at)
        return;
    const int a = drag.handle / 2;
    const double voxel = 1.0 / double(std::max(1, s.scene.base->series.volume.geometry().dims[a]));
    const double f = drag.startFraction + (*at - drag.grab);
    glm::dvec3 lo, hi;
    orderedBox(s, lo, hi);
    if (drag.handle % 2)
        hi[a] = std::clamp(f, std::min(1.0, lo[a] + voxel), 1.0);
    else
        lo[a] = std::clamp(f, 0.0, std::max(0.0, hi[a] - voxel));
    s.view3d.cropMin = lo;
    s.view3d.cropMax = hi;
}

} // namespace ctview::viewer
