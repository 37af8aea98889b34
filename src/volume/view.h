#pragma once
// The geometry of a slice view on screen: where the slice image sits in a view rectangle (fit, zoom, pan),
// and the mappings screen <-> voxel <-> patient (LPS) that the slice shader, the overlays, the probe and the
// mouse all share. No GL here, so that it is tested without a display.
//
// Spaces: "screen" is logical window pixels, origin top-left (ImGui's and GLFW's cursor space). "display" is
// the slice in continuous voxel units in display order (h to the right, v down; voxel h covers [h, h+1)),
// after sliceFrame's flips. "voxel" is (i, j, k) of the Volume. "texture" is GL's [0,1]^3 over the volume.
#include "volume/slice.h"
#include "volume/volume.h"

#include <glm/glm.hpp>

#include <string>

namespace ctview {

struct Rect {
    float x = 0, y = 0, w = 0, h = 0;
    bool contains(float px, float py) const { return px >= x && py >= y && px < x + w && py < y + h; }
};

// Zoom 1 fits the whole slice in the view at physical aspect. Pan is where the image centre sits relative to
// the view's centre, in mm of the slice plane along screen x and y, so that it stays put when the window is
// resized.
struct ViewCamera {
    double zoom = 1;
    glm::dvec2 pan{0.0};
};

class ViewMapping {
  public:
    ViewMapping() = default;
    ViewMapping(const SliceFrame& f, const Rect& view, const ViewCamera& cam);
    // A turned (oblique) view of a volume with geometry `g`: plane `p` (volume/mpr.h viewPlane) shown over
    // the extent of its acquired frame `f`, so that its zoom 1 fits what the acquired view's does and turning
    // it does not zoom. Its voxelToScreen projects voxel positions onto the plane.
    ViewMapping(const SliceFrame& f, const SlicePlane& p, const Geometry& g, const Rect& view,
                const ViewCamera& cam);

    bool oblique() const { return oblique_; }
    const SlicePlane& plane() const { return plane_; } // a turned view's (else the default plane)

    const SliceFrame& frame() const { return frame_; }
    const Rect& rect() const { return rect_; }
    double pixelsPerMm() const { return scale_; }
    glm::dvec2 imageCentre() const { return centre_; }

    glm::dvec2 screenToDisplay(glm::dvec2 screen) const;
    glm::dvec2 displayToScreen(glm::dvec2 display) const;
    // The voxel under a screen point on slice `slice`; false when the point is off the image.
    bool screenToVoxel(glm::dvec2 screen, int slice, glm::ivec3& voxel) const;
    // Screen position of a voxel's centre (its n coordinate ignored).
    glm::dvec2 voxelToScreen(glm::ivec3 voxel) const;
    // The same for a continuous voxel position (voxel centres at integers): where annotations are drawn.
    glm::dvec2 voxelToScreen(glm::dvec3 voxel) const;
    // Affine map from framebuffer pixels (top-left origin, framebuffer = screen * fbScale) to texture
    // coordinates on slice `slice`: what the slice shader evaluates per fragment.
    glm::mat4 framebufferToTexture(int slice, float fbScale) const;

    // A turned view's plane <-> screen: the LPS point under a screen point, and where an LPS point projects.
    glm::dvec3 screenToPatient(glm::dvec2 screen) const;
    glm::dvec2 patientToScreen(glm::dvec3 lps) const;
    // framebufferToTexture for a turned view.
    glm::mat4 obliqueToTexture(float fbScale) const;

  private:
    SliceFrame frame_;
    Rect rect_;
    double scale_ = 1;    // screen pixels per mm
    glm::dvec2 centre_{}; // screen position of the image centre
    bool oblique_ = false;
    SlicePlane plane_;
    Geometry geometry_; // a turned view's volume
};

// Zoom by `factor` keeping the slice point under `screen` fixed (zoom about the cursor).
void zoomAbout(ViewCamera& cam, const ViewMapping& m, glm::dvec2 screen, double factor);

// The patient direction of a unit LPS vector as letters, most dominant first: (-1,0,0) -> "R", an oblique
// (0.8,-0.6,0) -> "LA". Components below 0.25 are left out.
std::string directionLetters(glm::dvec3 lps);

// The letters at the right and bottom edges of a view (the left and top are their opposites).
struct EdgeLetters {
    std::string left, right, top, bottom;
};
EdgeLetters edgeLetters(const Geometry& g, const SliceFrame& f);

// A round length for a scale bar at most `maxMm` long: 1, 2, 5, 10, 20, 50, ... mm.
double scaleBarLength(double maxMm);

// Window/level from the HU histogram's tissue peaks. CT (a volume with air): when lung (-920..-600 HU) is at
// least 15 % of the voxels from -920 to 250 HU and peaks above the air's tail at -950, the lung window (1500
// wide, level 250 HU above the lung peak, within -700..-500); otherwise the soft-tissue window (400 wide) on
// the soft-tissue peak (-60..150 HU, histogram smoothed over 21 HU). Anything without air (not HU as CT has
// them): the 1st..99th percentile of its values.
WindowLevel autoWindow(const Volume& v);

} // namespace ctview
