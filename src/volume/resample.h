#pragma once
// One volume's HU on another's voxel grid: what a second series fused over the first shows (issue 31's
// fusion and comparison). Both grids are in patient space (LPS mm); a rigid link between them (one frame of
// reference: the identity; else a shift the user set or a registration found) maps the target's LPS points
// into the moving volume's.
#include "volume/volume.h"

#include <glm/glm.hpp>

namespace ctview {

// HU the resampled volume holds where the target voxel's centre falls outside the moving volume (no data):
// below any HU a scanner writes, so that the fusion shader leaves those voxels out.
inline constexpr float kOutsideHu = -32768.0f;

// `moving` sampled trilinearly at each voxel centre of `target`, its LPS point p taken to `link * p` in the
// moving volume's patient space (homogeneous, rigid). Centres outside the moving volume's voxel box (beyond
// its outer voxel centres by more than half a voxel) get kOutsideHu; within that half voxel the nearest
// border voxel is taken. The result has `moving`'s scalar type (int16 rounded by huToInt16) and the target's
// geometry; on all cores.
Volume resampleOnto(const Volume& moving, const Geometry& target, const glm::dmat4& link = glm::dmat4(1.0));

// The rigid link that maps LPS point p to p + shift (mm): a known offset between two series.
glm::dmat4 shiftLink(const glm::dvec3& shift);

} // namespace ctview
