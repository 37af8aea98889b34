#include "app/voxel_pick.h"

#include "base/error.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace ctview::app {

HuRange thresholdOption(const std::string& text) {
    const std::vector<double> range = parseNumbers(text, "--threshold", 1, 2);
    const HuRange r{float(range[0]),
                    range.size() > 1 ? float(range[1]) : std::numeric_limits<float>::infinity()};
    if (r.hi < r.lo)
        throw UsageError("--threshold " + text + ": the upper bound is below the lower");
    return r;
}

void checkPickOptions(const PickOptions& o) {
    if (!o.threshold.empty())
        thresholdOption(o.threshold);
    if (!o.seed.empty())
        parseNumbers(o.seed, "--seed", 3, 3);
}

Picked thresholdPick(const Volume& ct, float maxHU, const PickOptions& o) {
    const HuRange r = thresholdOption(o.threshold);
    char what[96];
    std::snprintf(what, sizeof what, "%g..%g HU", double(r.lo), double(std::min(r.hi, maxHU)));
    return {thresholdMask(ct, r.lo, r.hi), what};
}

Mask keepIslands(const Picked& picked, const Volume& ct, const PickOptions& o, const std::string& input) {
    if (countVoxels(picked.mask) == 0)
        throw DataError(input + ": no voxel in " + picked.what);
    const Geometry& g = ct.geometry();
    const Connectivity c = o.connectivity == 26 ? Connectivity::All26 : Connectivity::Faces6;
    Mask mask = picked.mask;
    if (!o.seed.empty()) {
        const std::vector<double> seed = parseNumbers(o.seed, "--seed", 3, 3);
        const glm::ivec3 at(glm::round(g.patientToVoxel({seed[0], seed[1], seed[2]})));
        if (glm::any(glm::lessThan(at, glm::ivec3(0))) || glm::any(glm::greaterThanEqual(at, g.dims)))
            throw UsageError("--seed " + o.seed + ": outside the series");
        if (!mask[ct.index(at.x, at.y, at.z)])
            throw DataError("--seed " + o.seed + ": the voxel there is " +
                            std::to_string(int(std::lround(ct.at(at.x, at.y, at.z)))) + " HU, not in " +
                            picked.what);
        mask = keepIslandAt(mask, g.dims, at, c);
    }
    if (o.minIsland > 0)
        mask = removeSmallIslands(mask, g.dims, o.minIsland, c);
    if (o.largest)
        mask = keepLargestIsland(mask, g.dims, c);
    if (countVoxels(mask) == 0)
        throw DataError(input + ": no part of " + picked.what + " is left (--min-island " +
                        std::to_string(o.minIsland) + ")");
    return mask;
}

} // namespace ctview::app
