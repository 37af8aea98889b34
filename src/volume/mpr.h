#pragma once
// Oblique multiplanar reformatting (MPR): the three slice views as three mutually orthogonal planes through
// one crosshair point, turned together by one rotation of patient space, as in RadiAnt and Horos. The
// acquired axes (no rotation) stay on the voxel-exact path of SliceFrame; once turned, a view's pixels are
// sampled at arbitrary patient positions (trilinear, or nearest when interpolation is off). No GL here.
//
// Spaces: LPS mm (patient), continuous voxel (i, j, k) with voxel centres at integers, and a view's plane
// coordinates in mm along its screen axes (right, down) from the image centre.
#include "volume/slice.h"
#include "volume/view.h"
#include "volume/volume.h"

#include <glm/glm.hpp>

#include <string>
#include <vector>

namespace ctview {

// The views' orientation. `rotation` turns every acquired plane (its normal and its screen axes) about
// `centre`; while `oblique` is false the views are the acquired planes through the crosshair voxel and
// `centre` is unused.
struct Mpr {
    bool oblique = false;
    glm::dmat3 rotation{1.0}; // LPS -> LPS
    glm::dvec3 centre{0.0};   // LPS mm: the crosshair point all three planes pass through
};

// The acquired plane of frame `f` (directions orthonormalised) through the volume's centre.
SlicePlane acquiredPlane(const Geometry& g, const SliceFrame& f);
// View `axis` turned by `m`: its normal is the acquired one turned by m.rotation, its screen axes the
// acquired ones turned by the shortest rotation that takes the acquired normal to the new one (so a view
// turned about its own normal keeps its picture, and one tilted sideways keeps its screen up as near the old
// one as it can), and it passes through m.centre.
SlicePlane viewPlane(const Geometry& g, Axis axis, const Mpr& m);
// Rotation by `radians` about the unit vector `axis` (right-handed).
glm::dmat3 rotationAbout(glm::dvec3 axis, double radians);
// The smallest angle (degrees) between a view's normal and its acquired one: how far it is tilted.
double tiltDegrees(const Geometry& g, Axis axis, const Mpr& m);

// The distance along unit LPS vector `normal` that crosses one voxel along the voxel axis it crosses fastest:
// the slice spacing for a normal along a voxel axis, about the finest spacing for one across them. A turned
// view steps, and its slab samples, this far apart, so that an untilted view steps through the volume's own
// slices.
double normalStep(const Geometry& g, glm::dvec3 normal);

// Slice numbers along a turned view's normal, so that stepping, Home/End, the slider and cine work as on the
// acquired axes: positions `step` mm apart (normalStep) from one face of the volume's box to the other,
// numbered from 1 as the slices are.
struct PlaneSteps {
    double step = 1;  // mm
    double first = 0; // signed distance (mm) of number 1 from the volume's centre, along the normal
    int count = 1;
};
PlaneSteps planeSteps(const Geometry& g, const SlicePlane& p);
int planeNumber(const Geometry& g, const SlicePlane& p); // of the plane through p.origin, clamped

// HU at a continuous voxel position: trilinear between the eight voxels around it (clamped at the volume's
// faces, as a GL_LINEAR texture with CLAMP_TO_EDGE samples), or the nearest voxel's. NaN outside the volume
// (more than half a voxel past a face).
float sampleHu(const Volume& v, glm::dvec3 ijk, bool linear);
// What a turned view shows at LPS `lps`: the sample itself, or a thick slab's combination of the samples
// normalStep mm apart along `normal` (slabHalfCount of them each side), those outside the volume left out.
// NaN when none is inside.
float planeValue(const Volume& v, glm::dvec3 lps, glm::dvec3 normal, const Slab& slab, bool linear);

// A turned view's slice as `ctview export` writes one: the acquired frame's extent (f's width x height at its
// spacings, centred on the plane's origin) in square pixels of the finer in-plane spacing, each pixel the
// planeValue at its centre; NaN where the plane leaves the volume (renderSlice draws it black).
SliceImage extractPlane(const Volume& v, const SliceFrame& f, const SlicePlane& p, const Slab& slab,
                        bool linear);

// Where plane `p` cuts the volume's box (the voxels' outer faces): 3 to 6 LPS corners in order round the
// plane, none when it misses the box. What the 3D view outlines for a turned view.
std::vector<glm::dvec3> planeOutline(const Geometry& g, const SlicePlane& p);

// The letters at a turned view's edges (nearest patient directions, most dominant first).
EdgeLetters planeLetters(const SlicePlane& p);

} // namespace ctview
