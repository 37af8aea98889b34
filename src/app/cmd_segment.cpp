// `ctview segment`: a segment made from the series by threshold, then the part at a seed, the largest part,
// or the parts over a size (edit/mask_ops.h), closed by a margin, written on the series' grid as 3D Slicer's
// .seg.nrrd, a labelmap with its label table, or a DICOM SEG (sources/layer_write.h).
#include "app/subcommands.h"
#include "app/voxel_pick.h"
#include "base/error.h"
#include "base/text.h"
#include "edit/morphology.h"
#include "sources/layer_write.h"

#include <cstdio>

namespace ctview::app {

namespace {

// A new segment's colour: 3D Slicer's first (its "tissue" green), which its users know.
constexpr glm::vec3 kNewSegmentColour(128 / 255.f, 174 / 255.f, 128 / 255.f);

} // namespace

int runSegment(const CommonOptions& common, const SegmentOptions& o) {
    checkPickOptions(o.pick);
    if (!(o.closeMm >= 0) || o.closeMm > 100)
        throw UsageError("--close " + std::to_string(o.closeMm) + ": give a margin in mm, 0 to 100");
    if (!(o.medianMm >= 0) || o.medianMm > 100)
        throw UsageError("--median " + std::to_string(o.medianMm) + ": give a kernel size in mm, 0 to 100");
    segmentationFormatFor(o.output); // a usage error before loading

    const Loaded l = openAndLoad(common);
    const Volume& ct = l.series.volume;
    const Geometry& g = ct.geometry();
    Mask mask = keepIslands(thresholdPick(ct, l.series.maxHU, o.pick), ct, o.pick, common.input);
    if (o.closeMm > 0)
        mask = closeMask(mask, g, o.closeMm);
    if (o.medianMm > 0) {
        if (medianRadius(g, o.medianMm) == glm::ivec3(0))
            throw UsageError(format(
                "--median %g: the kernel is less than a voxel (%g x %g x %g mm); give at least %.1f mm",
                o.medianMm, g.spacing.x, g.spacing.y, g.spacing.z, medianLeastMm(g)));
        mask = medianMask(mask, g, o.medianMm);
    }
    const std::size_t voxels = countVoxels(mask);

    LabelLayerBuilder builder(g);
    builder.add(Segment{.number = 1, .name = o.name, .color = kNewSegmentColour}, mask);
    const LabelLayer layer = builder.take(o.name, "", "ctview segment");
    std::vector<std::string> notes;
    const std::filesystem::path written = writeSegmentationFile(layer, l.series, o.output, o.force, &notes);
    for (const std::string& n : notes)
        std::fprintf(stderr, "ctview: %s\n", n.c_str());
    std::printf("%s\n", written.string().c_str());
    if (!common.quiet)
        std::fprintf(stderr, "%s: %zu voxels, %.3f mL\n", o.name.c_str(), voxels,
                     double(voxels) * g.spacing.x * g.spacing.y * g.spacing.z / 1000.0);
    return 0;
}

} // namespace ctview::app
