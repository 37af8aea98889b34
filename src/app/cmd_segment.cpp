// `ctview segment`: a segment made from the series by threshold, then the part at a seed, the largest part,
// or the parts over a size (edit/mask_ops.h), written as a labelmap (1 in the segment, 0 elsewhere) on the
// series' grid with its geometry, and named in a label table beside it (NAME.json, which ctview, 3D Slicer's
// importers and TotalSegmentator's tools read).
#include "app/subcommands.h"
#include "app/voxel_pick.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "edit/morphology.h"
#include "nrrd_nifti/volume_io.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace ctview::app {

namespace {

// A new segment's colour: 3D Slicer's first (its "tissue" green), which its users know.
constexpr glm::vec3 kNewSegmentColour(128 / 255.f, 174 / 255.f, 128 / 255.f);

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
    if (!(o.closeMm >= 0) || o.closeMm > 100)
        throw UsageError("--close " + std::to_string(o.closeMm) + ": give a margin in mm, 0 to 100");
    const bool segNrrd = isSegNrrdName(o.output);
    volumeFormatFor(o.output); // a usage error before loading

    const Loaded l = openAndLoad(common);
    const Volume& ct = l.series.volume;
    const Geometry& g = ct.geometry();
    Mask mask = keepIslands(thresholdPick(ct, l.series.maxHU, o.pick), ct, o.pick, common.input);
    if (o.closeMm > 0)
        mask = closeMask(mask, g, o.closeMm);
    const std::size_t voxels = countVoxels(mask);

    std::filesystem::path written;
    if (segNrrd) {
        // 3D Slicer's own format: the name and colour in the file.
        written = writeSegNrrd({&mask}, g, {{o.name, kNewSegmentColour, 1, 0}}, o.output, o.force);
    } else {
        Volume out(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
        auto* v = static_cast<std::int16_t*>(out.data());
        for (std::size_t n = 0; n < mask.size(); ++n)
            v[n] = mask[n];
        written = writeVolume(out, o.output, o.force);
        writeTextFileAtomically(tableBeside(written), nlohmann::json({{"1", o.name}}).dump() + "\n");
    }
    std::printf("%s\n", written.string().c_str());
    if (!common.quiet)
        std::fprintf(stderr, "%s: %zu voxels, %.3f mL\n", o.name.c_str(), voxels,
                     double(voxels) * g.spacing.x * g.spacing.y * g.spacing.z / 1000.0);
    return 0;
}

} // namespace ctview::app
