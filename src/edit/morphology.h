#pragma once
// Growing and shrinking a segment by a margin in millimetres (a ball, anisotropic voxels honoured), and what
// 3D Slicer's Smoothing and Margin tools build from them: closing (fills gaps and holes narrower than the
// margin) and opening (removes parts thinner than it). Exact: a voxel is within the margin when its centre
// is, found by Euclidean distance transforms (Felzenszwalb and Huttenlocher, 2012) inside the box the change
// can reach, on all cores.
#include "edit/mask_ops.h"

namespace ctview {

// The voxels whose centre lies within `mm` of a voxel of the mask.
Mask growMask(const Mask& mask, const Geometry& g, double mm);
// The voxels of the mask farther than `mm` from every voxel outside it (the grid's outside does not count:
// a segment cut by the border is not eaten from there).
Mask shrinkMask(const Mask& mask, const Geometry& g, double mm);
// Grow, then shrink: gaps and holes up to about twice `mm` across are filled (nothing is added along the
// grid's border: the grid is padded by the margin meanwhile).
Mask closeMask(const Mask& mask, const Geometry& g, double mm);
// Shrink, then grow: parts thinner than about twice `mm` are removed.
Mask openMask(const Mask& mask, const Geometry& g, double mm);

} // namespace ctview
