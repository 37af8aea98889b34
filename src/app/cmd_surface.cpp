// `ctview surface`: the surface of a threshold or of a segment as a mesh file to print or model with
// (mesh/): extracted at the threshold's sub-voxel crossing (a segment's voxel steps smoothed), optionally
// simplified, in patient millimetres (LPS as DICOM and 3D Slicer 5 write models, or RAS), closed and
// manifold.
#include "app/headless.h"
#include "app/subcommands.h"
#include "app/voxel_pick.h"
#include "base/error.h"
#include "mesh/contour.h"
#include "mesh/mesh_io.h"
#include "mesh/smooth.h"

#include <cstdio>

namespace ctview::app {

namespace {

void checkSurfaceOptions(const SurfaceOptions& o) {
    if (o.pick.threshold.empty() == o.segment.empty())
        throw UsageError("give --threshold LO[,HI] or --segment NAME (one of them)");
    checkPickOptions(o.pick);
    if (!(o.decimate > 0 && o.decimate <= 1))
        throw UsageError("--decimate " + std::to_string(o.decimate) +
                         ": give the fraction of triangles to keep, above 0 and at most 1");
    meshFormatFor(o.output);
}

// The mesh, in voxel coordinates, and what it is of.
struct Extracted {
    Mesh mesh;
    std::string what;        // "300..3071 HU", or the segment's name
    glm::u8vec3 colour{255}; // PLY's
    bool segment = false;
};

Extracted thresholdSurface(const Loaded& l, const CommonOptions& common, const PickOptions& pick) {
    const Volume& ct = l.series.volume;
    const HuRange r = thresholdOption(pick.threshold);
    char what[96];
    std::snprintf(what, sizeof what, "%g..%g HU", double(r.lo), double(std::min(r.hi, l.series.maxHU)));
    // The islands tools' mask only limits which voxels of the range are in; the crossing stays sub-voxel.
    // Without them no mask is made: the surface alone says whether any voxel is in the range.
    const bool islands = !pick.seed.empty() || pick.largest || pick.minIsland > 0;
    const Mask kept =
        islands ? keepIslands({thresholdMask(ct, r.lo, r.hi), what}, ct, pick, common.input) : Mask{};
    Mesh mesh = contourSurface(huRangeField(ct, r.lo, r.hi, kept));
    if (mesh.indices.empty()) // a voxel in the range is always enclosed (outside the grid is out)
        throw DataError(common.input + ": no voxel in " + what);
    // Bone-white, as 3D Slicer colours a bone model.
    return {std::move(mesh), what, {241, 214, 145}, false};
}

Extracted segmentSurface(const Dataset& d, const CommonOptions& common, const SurfaceOptions& o) {
    const auto [l, s] = segmentNamed(d, o.segment, "--segment");
    const LabelLayer& layer = *d.labels[l];
    const Segment& segment = layer.segments[s];
    const Picked picked{segmentMask(layer, segment), "the segment " + segment.name};
    const Mask mask = keepIslands(picked, d.series.volume, o.pick, common.input);
    const glm::u8vec3 colour(glm::round(glm::clamp(segment.color, 0.f, 1.f) * 255.f));
    return {contourSurface(maskField(mask, layer.grid.dims)), segment.name, colour, true};
}

} // namespace

int runSurface(const CommonOptions& common, const SurfaceOptions& o) {
    checkSurfaceOptions(o);
    Extracted e;
    Geometry g;
    if (o.segment.empty()) {
        const Loaded l = openAndLoad(common);
        g = l.series.volume.geometry();
        e = thresholdSurface(l, common, o.pick);
    } else {
        const std::shared_ptr<Dataset> d = loadDatasetHeadless(common, false);
        g = d->series.volume.geometry();
        e = segmentSurface(*d, common, o);
    }
    smoothTaubin(e.mesh, o.smooth >= 0 ? o.smooth : e.segment ? kSegmentSurfaceSmoothing : 0);
    if (o.decimate < 1)
        decimate(e.mesh, o.decimate);
    if (e.mesh.triangleCount() > o.maxTriangles)
        throw DataError(o.output + ": the surface of " + e.what + " has " +
                        std::to_string(e.mesh.triangleCount()) + " triangles, over the limit of " +
                        std::to_string(o.maxTriangles) +
                        " (--max-triangles); keep fewer with --decimate, e.g. --decimate 0.25");
    voxelToPatient(e.mesh, g, o.ras);
    const std::string comment = "ctview surface of " + e.what + ", " + (o.ras ? "RAS" : "LPS") + " mm";
    const auto written = writeMesh(e.mesh, o.output, o.force, {comment, e.colour});
    std::printf("%s\n", written.string().c_str());
    if (!common.quiet)
        std::fprintf(stderr, "%s: %zu triangles, %zu vertices, enclosing %.3f mL\n", e.what.c_str(),
                     e.mesh.triangleCount(), e.mesh.positions.size(), enclosedVolume(e.mesh) / 1000.0);
    return 0;
}

} // namespace ctview::app
