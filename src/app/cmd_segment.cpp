// `ctview segment`: a segment made from the series by threshold, then the part at a seed, the largest part,
// or the parts over a size (edit/mask_ops.h), written as a labelmap (1 in the segment, 0 elsewhere) on the
// series' grid with its geometry, and named in a label table beside it (NAME.json, which ctview, 3D Slicer's
// importers and TotalSegmentator's tools read).
#include "app/subcommands.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "edit/mask_ops.h"
#include "nrrd_nifti/volume_io.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace ctview::app {

namespace {

// "A[,B[,C]]": from `least` to `most` numbers; throws UsageError naming the option.
std::vector<double> numbers(const std::string& text, const std::string& option, std::size_t least,
                            std::size_t most) {
    std::vector<double> out;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        char* end = nullptr;
        const double v = std::strtod(part.c_str(), &end);
        if (part.empty() || *end != '\0' || !std::isfinite(v))
            throw UsageError(option + " " + text + ": not a number: \"" + part + "\"");
        out.push_back(v);
    }
    if (out.size() < least || out.size() > most)
        throw UsageError(
            option + " " + text + ": give " +
            (least == most ? std::to_string(least) : std::to_string(least) + " or " + std::to_string(most)) +
            " numbers, comma-separated");
    return out;
}

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
    const std::vector<double> range = numbers(o.threshold, "--threshold", 1, 2);
    const float lo = float(range[0]),
                hi = range.size() > 1 ? float(range[1]) : std::numeric_limits<float>::infinity();
    if (hi < lo)
        throw UsageError("--threshold " + o.threshold + ": the upper bound is below the lower");
    // The seed as LPS mm, when given (empty otherwise).
    const std::vector<double> seed = o.seed.empty() ? std::vector<double>{} : numbers(o.seed, "--seed", 3, 3);
    volumeFormatFor(o.output); // a usage error before loading
    const Connectivity c = o.connectivity == 26 ? Connectivity::All26 : Connectivity::Faces6;

    const Loaded l = openAndLoad(common);
    const Volume& ct = l.series.volume;
    const Geometry& g = ct.geometry();
    char what[96];
    std::snprintf(what, sizeof what, "%g..%g HU", double(lo), double(std::min(hi, l.series.maxHU)));
    Mask mask = thresholdMask(ct, lo, hi);
    if (countVoxels(mask) == 0)
        throw DataError(common.input + ": no voxel in " + what);
    if (!seed.empty()) {
        const glm::dvec3 lps(seed[0], seed[1], seed[2]);
        const glm::ivec3 at(glm::round(g.patientToVoxel(lps)));
        if (glm::any(glm::lessThan(at, glm::ivec3(0))) || glm::any(glm::greaterThanEqual(at, g.dims)))
            throw UsageError("--seed " + o.seed + ": outside the series");
        const float hu = ct.at(at.x, at.y, at.z);
        if (hu < lo || hu > hi)
            throw DataError("--seed " + o.seed + ": the voxel there is " +
                            std::to_string(int(std::lround(hu))) + " HU, not in " + what);
        mask = keepIslandAt(mask, g.dims, at, c);
    }
    if (o.minIsland > 0)
        mask = removeSmallIslands(mask, g.dims, o.minIsland, c);
    if (o.largest)
        mask = keepLargestIsland(mask, g.dims, c);
    const std::size_t voxels = countVoxels(mask);
    if (voxels == 0)
        throw DataError(common.input + ": no part of " + what + " is left (--min-island " +
                        std::to_string(o.minIsland) + ")");

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
