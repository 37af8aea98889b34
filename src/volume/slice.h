#pragma once
// Axial, coronal and sagittal slices of a volume, in radiological display convention, at physical aspect
// ratio.
//
// Whatever the acquisition, "axial" is the voxel plane whose normal is closest to the patient's S axis (LPS
// z), "coronal" closest to A/P (y), "sagittal" closest to L/R (x). Displayed as radiologists expect: axial
// with the patient's right on the image's left and anterior up; coronal with right on the left and superior
// up; sagittal with anterior on the left and superior up.
#include "volume/colormap.h"
#include "volume/rgb_image.h"
#include "volume/volume.h"
#include "volume/window.h"

#include <glm/glm.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ctview {

enum class Axis { Axial, Coronal, Sagittal };
const char* axisName(Axis a);
bool parseAxis(const std::string& s, Axis& out);

// How a view maps screen pixels to voxels: along screen x (left to right) and y (top to bottom) we step along
// voxel axes hAxis / vAxis (0 = i, 1 = j, 2 = k), forwards or backwards; the slice index runs along nAxis.
// The slice *number* the user sees (overlays, keys, `--slice N`, file names) runs along nAxis too, backwards
// when nFlip: see sliceNumber.
struct SliceFrame {
    int hAxis = 0, vAxis = 1, nAxis = 2;
    bool hFlip = false, vFlip = false, nFlip = false;
    int width = 0, height = 0, count = 0; // voxels across, down, and number of slices
    double hSpacing = 1, vSpacing = 1;    // mm
    double nSpacing = 1;                  // mm between slices
};
SliceFrame sliceFrame(const Geometry& g, Axis axis);

// Slice numbers as RadiAnt, Horos and OHIF number a series' images: from 1, the most superior axial slice,
// the most anterior coronal one, the patient's rightmost sagittal one, growing towards the feet, posterior
// and the patient's left, whichever way the voxel index k (or j, i), which counts from 0, runs. The one
// conversion between the voxel index along nAxis and the number shown (1..count), both ways.
inline int sliceNumber(const SliceFrame& f, int index) {
    return (f.nFlip ? f.count - 1 - index : index) + 1;
}
inline int sliceIndex(const SliceFrame& f, int number) {
    return f.nFlip ? f.count - number : number - 1;
}

// A thick slab: the slices whose centres lie within thickness / 2 mm of the view's slice (along its normal),
// combined per pixel by their maximum (MIP), minimum (MinIP) or mean. Slices past the volume's ends are left
// out, so that a slab at the first slice is the half that exists. Thickness 0 (or below one slice spacing)
// is the thin slice itself. As RadiAnt and Horos number it: a 20 mm slab at 1 mm spacing covers 21 slices,
// the centre one and 10 each side.
enum class SlabMode { Mip, MinIp, Average };
const char* slabModeName(SlabMode m);  // "mip", "minip", "average": options, file names, JSON
const char* slabModeLabel(SlabMode m); // "MIP", "MinIP", "average": what the panel and the overlay say
bool parseSlabMode(const std::string& s, SlabMode& out);
struct Slab {
    double thickness = 0; // mm
    SlabMode mode = SlabMode::Mip;
    bool operator==(const Slab& o) const { return thickness == o.thickness && mode == o.mode; }
};
// The slices each side of the centre one that a slab covers at `spacing` mm between slices (0: thin).
int slabHalfCount(const Slab& slab, double spacing);
inline bool isThick(const Slab& slab, double spacing) {
    return slabHalfCount(slab, spacing) > 0;
}
// The slices a slab around slice `k` of frame `f` covers, as offsets from k: [x, y] within 0..count-1.
glm::ivec2 slabRange(const Slab& slab, const SliceFrame& f, int k);
// The value the view shows at voxel `ijk` with `slab` around it along the frame's normal: the voxel itself
// when thin. What the probe shows.
float slabValue(const Volume& v, const SliceFrame& f, glm::ivec3 ijk, const Slab& slab);
// "MIP 20 mm (21 slices)": what the overlay says of a thick slab; "" when thin.
std::string slabLabel(const Slab& slab, double spacing);

// Where slice `k` of `axis` lies: the LPS position of its centre (the volume's centre moved onto the slice)
// and, of that, the coordinate along the patient axis the view looks down (z axial, y coronal, x sagittal):
// what the overlay and the sidecar say.
struct SlicePosition {
    glm::dvec3 centreLps{0.0};
    int lpsAxis = 2; // 0 x, 1 y, 2 z
    double mm = 0;   // centreLps[lpsAxis]
};
SlicePosition slicePosition(const Geometry& g, Axis axis, int k);

// A view's plane in patient space (volume/mpr.h turns them; the acquired ones are acquiredPlane). `origin` is
// the image centre (what sits at the view's centre at zero pan): the volume's centre moved onto the plane
// along its normal, so that turning or stepping a view never moves the image sideways. `normal` points
// towards higher slice numbers (the feet, posterior, the patient's left for axial, coronal, sagittal, as
// sliceNumber counts).
struct SlicePlane {
    glm::dvec3 origin{0.0};
    glm::dvec3 right{1, 0, 0}, down{0, 1, 0}, normal{0, 0, 1}; // unit LPS: screen x, screen y, slice order
    // The LPS point at plane coordinates (mm along right, down from the origin).
    glm::dvec3 at(glm::dvec2 mm) const { return origin + right * mm.x + down * mm.y; }
    // Plane coordinates of the orthogonal projection of an LPS point.
    glm::dvec2 coordinates(glm::dvec3 lps) const {
        return {glm::dot(lps - origin, right), glm::dot(lps - origin, down)};
    }
    double distance(glm::dvec3 lps) const { return glm::dot(lps - origin, normal); } // signed, mm
};

// HU values of one slice, resampled to square pixels (the finer spacing of the two) so the aspect is
// physical. At equal in-plane spacing (axial slices of most CTs) the values are the voxels themselves,
// uninterpolated.
struct SliceImage {
    int width = 0, height = 0;
    double pixelSize = 1; // mm
    std::vector<float> hu;
};
// With a thick `slab`, each pixel is the slab's value (slabValue) before the resampling.
SliceImage extractSlice(const Volume& v, Axis axis, int index, const Slab& slab = {});

// Window/level then colour map: the pixels the viewer shows.
RgbImage renderSlice(const SliceImage& s, const WindowLevel& wl, const ColormapTable& map);

} // namespace ctview
