#pragma once
// The surface of what is "in" on a voxel grid: marching cubes whose cases are worked out from the cube's
// faces (no copied table), made closed and manifold by construction, on all cores.
//
// The field is sampled at voxel centres, in where >= 0; the surface crosses an edge between an in and an out
// voxel where the field, linear between them, is 0 (the threshold's sub-voxel position). Outside the grid
// everything is out, and the surface closes half a voxel past the border voxels (the volume's edge), so an
// object cut by the volume's border is still closed there.
//
// Why it is closed and manifold: on each cube face the crossing points are joined by segments decided by that
// face's four corners alone (where diagonal corners are in and the others out, the in corners stay apart), so
// the two cubes that share a face draw the same segments; in each cube the segments chain into loops, each
// filled as a fan whose inner edges cross the cube (never along a face, where the neighbour might draw the
// same edge), or around a vertex at its middle when no fan does, wound so that its normal points from in to
// out. Every mesh edge is then shared by exactly
// two triangles running along it in opposite directions, and the triangles around a vertex form one fan.
// In stays connected only across faces (as 6-connected islands, edit/mask_ops.h Connectivity::Faces6).
#include "mesh/mesh.h"

#include <functional>
#include <span>

namespace ctview {

struct ScalarField {
    glm::ivec3 dims{0};
    // Row j of slice k: 1 where the voxel is in (field >= 0), else 0 (dims.x values). Called from several
    // threads at once, for every row: the one pass over the whole volume, so it should be cheap.
    std::function<void(int j, int k, std::uint8_t* in)> inside;
    // The field at voxel `index` (Volume::index), asked only at the ends of the edges the surface crosses.
    std::function<float(std::size_t index)> value;
};

// The surface in voxel coordinates (i, j, k); voxelToPatient (mesh.h) takes it to millimetres.
Mesh contourSurface(const ScalarField& field);

// Fields for the surface tools. In: HU in [lo, hi] (and, when `keep` is given, a 1 there: a part kept by the
// islands tools), with the threshold crossed at its sub-voxel position. A voxel of the range that `keep`
// leaves out gets the negative of its margin in the range, so that the surface passes about halfway between
// it and a kept neighbour of like HU.
ScalarField huRangeField(const Volume& ct, float lo, float hi, std::span<const std::uint8_t> keep = {});
// A mask's voxels (1 in, 0 out): the surface halfway between in and out voxels, a staircase to smooth.
ScalarField maskField(std::span<const std::uint8_t> mask, glm::ivec3 dims);

} // namespace ctview
