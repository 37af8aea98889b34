#pragma once
// Growing and shrinking a segment by a margin in millimetres (a ball, anisotropic voxels honoured), and what
// 3D Slicer's Smoothing and Margin tools build from them: closing (fills gaps and holes narrower than the
// margin) and opening (removes parts thinner than it). Exact: a voxel is within the margin when its centre
// is, found by Euclidean distance transforms (Felzenszwalb and Huttenlocher, 2012) inside the box the change
// can reach, on all cores. And median smoothing, by counts over a box.
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

// Median smoothing, as 3D Slicer's Smoothing tool's Median: a voxel is in when most of the box around it is,
// the box holding the voxels whose centres lie within mm / 2 of it along each axis (so a kernel of `mm` mm;
// outside the grid counts as out). Smooths bumps and dents without growing or shrinking the segment.
// Returns the mask as it is when the box is a single voxel.
Mask medianMask(const Mask& mask, const Geometry& g, double mm);
// That box's half-size in voxels along i, j, k.
glm::ivec3 medianRadius(const Geometry& g, double mm);
// The least mm whose box reaches past a voxel (the nearest neighbours along the finest axis: twice its
// spacing), rounded up to a tenth of a mm: what a user is told to give when the box is a single voxel.
double medianLeastMm(const Geometry& g);

} // namespace ctview
