#pragma once
// The 3D view's camera, in patient space (LPS, mm): it orbits the centre of the volume's box, looks at it
// from outside its bounding sphere, and maps to OpenGL view and projection matrices. No GL here.
//
// Camera space is OpenGL's: x to the right of the screen, y up, the camera looking along -z. `rotation` takes
// camera-space vectors to LPS.
#include "volume/view.h"
#include "volume/volume.h"

#include <glm/glm.hpp>
#include <glm/gtc/quaternion.hpp>

#include <vector>

namespace ctview {

struct Camera3D {
    glm::dquat rotation{1, 0, 0, 0};
    double zoom = 1;     // 1: the volume fills the view (volumeFrameHalfSize)
    glm::dvec2 pan{0.0}; // where the volume's centre sits, in mm along screen x and y from the view's centre
    bool perspective = false;
    bool operator==(const Camera3D&) const = default;
};

// The standard views: from the front (patient's right on screen left, head up), back, left, right side, from
// above the head (anterior up) and from below the feet (anterior up, as axial slices are shown).
enum class ViewFrom { Anterior, Posterior, Left, Right, Superior, Inferior };
glm::dquat viewFromRotation(ViewFrom v);

// The standard views by name (`ctview render --view`), letter (the panel's buttons, Shift+letter over the 3D
// view) and in words (tooltips), in the order A, P, L, R, S, I.
struct ViewFromName {
    ViewFrom from;
    const char* name;  // "anterior"
    char letter;       // 'A'
    const char* where; // "the front"
};
const std::vector<ViewFromName>& viewFromNames();

// The camera the 3D view starts with: the anterior view, the whole volume in sight.
inline Camera3D defaultCamera3D() {
    return Camera3D{viewFromRotation(ViewFrom::Anterior)};
}

// From the anterior view, turned `azimuthDeg` about the patient's long (S) axis, positive toward the
// patient's left, then raised `elevationDeg` toward the head. (`ctview render --azimuth --elevation`.)
glm::dquat orbitRotation(double azimuthDeg, double elevationDeg);

// Frame i of `frames` of a turntable that turns `degrees` from `start` about the patient's long (S) axis, as
// seen from the start (positive toward the patient's left). A full turn's last frame is not its first again,
// so the movie loops. (`ctview render --turntable` and the 3D view's "Record".)
glm::dquat turntableRotation(const glm::dquat& start, double degrees, int i, int frames);
inline constexpr double kTurntableFps = 25; // the turntable's frames a second

double volumeRadius(const Geometry& g); // half its diagonal, mm
// What zoom 1 fits in the view's shorter side, mm from the centre: the volume's box's largest half-extent
// along the patient axes (L-R, A-P, S-I), plus a 5 % margin. The box seen from any standard view (the front,
// a side, above) fills the view, as "reset camera" frames it in 3D Slicer, and the scale stays the same
// while the volume turns (a corner may leave the view between the standard views).
double volumeFrameHalfSize(const Geometry& g);

struct CameraMatrices {
    glm::dmat4 view{1.0}, projection{1.0};
    glm::dvec3 eye{0.0};
    double mmPerPixel = 1; // at the volume's centre, for panning
};
// `viewport` is the view's size in pixels (its aspect decides which way the volume is fitted).
CameraMatrices cameraMatrices(const Camera3D& c, const Geometry& g, glm::dvec2 viewport);

// Arcball (Shoemake): the camera after a drag from `from` to `to` (screen points) in the view `rect`;
// dragging right turns the volume's front to the right.
void arcballRotate(Camera3D& c, glm::dvec2 from, glm::dvec2 to, const Rect& rect);
// Moves the picture by `delta` screen pixels.
void panCamera(Camera3D& c, glm::dvec2 delta, const Geometry& g, const Rect& rect);

// Screen position (logical pixels, top-left origin) of an LPS point; false when it is behind the camera.
bool projectToScreen(const CameraMatrices& m, const Rect& rect, glm::dvec3 lps, glm::dvec2& screen);
// The line of LPS points that a screen point shows (projectToScreen's inverse): through `origin`, along
// `direction` (unit, away from the camera).
struct Ray {
    glm::dvec3 origin{0.0}, direction{0.0, 0.0, -1.0};
};
Ray screenRay(const CameraMatrices& m, const Rect& rect, glm::dvec2 screen);

} // namespace ctview
