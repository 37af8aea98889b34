#pragma once
// Making a surface smoother and lighter without changing what it encloses.
#include "mesh/mesh.h"

namespace ctview {

// Taubin's lambda|mu smoothing (SIGGRAPH 1995): per iteration a step towards the mean of each vertex's
// neighbours (lambda 0.5), then one away from it (mu -0.53): a low-pass filter with its pass band at 0.1,
// which irons out voxel steps without the shrinking of plain Laplacian smoothing. On all cores.
void smoothTaubin(Mesh& m, int iterations);
// The iterations a segment's surface gets unless told otherwise (`ctview surface --segment`, the editor's
// Export surface): a segment has only its voxels, and its surface runs between them in steps to iron out.
inline constexpr int kSegmentSurfaceSmoothing = 15;

// About `fraction` of the triangles, by meshoptimizer's edge-collapse simplifier (libmeshoptimizer-dev),
// which keeps a closed surface closed; unused vertices are dropped. Returns the relative error it reports
// (a fraction of the mesh's size).
float decimate(Mesh& m, double fraction);

} // namespace ctview
