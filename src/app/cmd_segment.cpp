// `ctview segment`: a segment made from the series by threshold, then the part at a seed, the largest part,
// or the parts over a size (edit/mask_ops.h), written as a labelmap (1 in the segment, 0 elsewhere) on the
// series' grid with its geometry, and named in a label table beside it (NAME.json, which ctview, 3D Slicer's
// importers and TotalSegmentator's tools read).
#include "app/subcommands.h"
#include "app/voxel_pick.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "nrrd_nifti/volume_io.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace ctview::app {

namespace {

// The label table beside a labelmap, as findLabelTable looks for it: NAME.json for NAME.nii.gz.
std::filesystem::path tableBeside(const std::filesystem::path& labelmap) {
    std::string name = labelmap.filename().string();
    for (const char* ext : {".nii.gz", ".nii", ".nrrd"})
        if (name.size() > std::string(ext).size() && name.ends_with(ext)) {
            name.resize(name.size() - std::string(ext).size());
            break;
        }
    return labelmap.parent_path() / (name + ".json");
}

} // namespace

int runSegment(const CommonOptions& common, const SegmentOptions& o) {
    checkPickOptions(o.pick);
    volumeFormatFor(o.output); // a usage error before loading

    const Loaded l = openAndLoad(common);
    const Volume& ct = l.series.volume;
    const Geometry& g = ct.geometry();
    const Mask mask = keepIslands(thresholdPick(ct, l.series.maxHU, o.pick), ct, o.pick, common.input);
    const std::size_t voxels = countVoxels(mask);

    Volume out(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
    auto* v = static_cast<std::int16_t*>(out.data());
    for (std::size_t n = 0; n < mask.size(); ++n)
        v[n] = mask[n];
    const std::filesystem::path written = writeVolume(out, o.output, o.force);
    writeTextFileAtomically(tableBeside(written), nlohmann::json({{"1", o.name}}).dump() + "\n");
    std::printf("%s\n", written.string().c_str());
    if (!common.quiet)
        std::fprintf(stderr, "%s: %zu voxels, %.3f mL\n", o.name.c_str(), voxels,
                     double(voxels) * g.spacing.x * g.spacing.y * g.spacing.z / 1000.0);
    return 0;
}

} // namespace ctview::app
