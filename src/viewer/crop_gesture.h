#pragma once
// The crop box in the 3D view: its outline and a handle on the middle of each face, dragged with the mouse
// along the axis it cuts (as 3D Slicer's ROI handles). Shown while View3D::showCropBox is on; the box is the
// user's (View3D::cropMin/cropMax), in fractions of the volume's box along the voxel axes i, j, k.
#include "viewer/app_state.h"

#include <glm/glm.hpp>

#include <array>

namespace ctview::viewer {

// One face's handle: the voxel axis it cuts, its side (the low or high fraction), and where it is on screen.
struct CropHandle {
    int axis = 0;
    bool high = false;
    glm::dvec2 screen{0.0};
    bool visible = false; // in front of the camera
};
inline constexpr double kCropHandleRadius = 7; // pixels: drawn this size, grabbed within twice it

// Whether the 3D view shows the box now (asked for, and the 3D view has its whole series).
bool cropBoxShown(const AppState& s);
// The box's corners in LPS mm, corner c at (c & 1, c & 2, c & 4) = (high i, high j, high k): at voxel edges,
// as the renderer cuts (fraction f along an axis of n voxels is voxel index f n - 0.5).
std::array<glm::dvec3, 8> cropCorners(const AppState& s);
// The six handles (low i, high i, low j, ...) in the 3D view's cell.
std::array<CropHandle, 6> cropHandles(const AppState& s);
// The handle within reach of `mouse`, nearest first, or -1.
int cropHandleUnder(const AppState& s, glm::dvec2 mouse);
// A press on handle h at `mouse`: the drag that follows moves that face.
void startCropDrag(AppState& s, int h, glm::dvec2 mouse);
// The face follows the mouse: to the point of its axis nearest the ray through the mouse (exact in a
// perspective view too). The box keeps at least one voxel along every axis.
void dragCropHandle(AppState& s, glm::dvec2 mouse);

} // namespace ctview::viewer
