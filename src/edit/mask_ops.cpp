#include "edit/mask_ops.h"

#include "volume/parallel.h"

#include <algorithm>
#include <array>

namespace ctview {

Mask thresholdMask(const Volume& ct, float lo, float hi) {
    const glm::ivec3 d = ct.geometry().dims;
    Mask out(ct.geometry().voxelCount(), 0);
    const std::size_t plane = std::size_t(d.x) * std::size_t(d.y);
    parallelFor(d.z, [&](int kA, int kB) {
        for (std::size_t n = std::size_t(kA) * plane; n < std::size_t(kB) * plane; ++n) {
            const float hu = ct.type() == ScalarType::Int16 ? float(ct.int16Data()[n]) : ct.float32Data()[n];
            out[n] = hu >= lo && hu <= hi;
        }
    });
    return out;
}

namespace {
// The neighbour offsets (di, dj, dk) of a connectivity.
std::vector<glm::ivec3> neighbours(Connectivity c) {
    std::vector<glm::ivec3> out;
    for (int dk = -1; dk <= 1; ++dk)
        for (int dj = -1; dj <= 1; ++dj)
            for (int di = -1; di <= 1; ++di) {
                const int steps = std::abs(di) + std::abs(dj) + std::abs(dk);
                if (steps == 0 || (c == Connectivity::Faces6 && steps > 1))
                    continue;
                out.emplace_back(di, dj, dk);
            }
    return out;
}
} // namespace

Islands findIslands(const Mask& mask, glm::ivec3 dims, Connectivity c) {
    // A flood fill from each unnumbered voxel of the mask, with an explicit stack (a whole-body bone mask is
    // millions of voxels deep for recursion).
    Islands out;
    out.part.assign(mask.size(), 0);
    const std::vector<glm::ivec3> around = neighbours(c);
    const std::size_t nx = std::size_t(dims.x), plane = nx * std::size_t(dims.y);
    std::vector<std::size_t> stack;
    for (std::size_t start = 0; start < mask.size(); ++start) {
        if (!mask[start] || out.part[start])
            continue;
        const auto number = std::uint32_t(out.sizes.size() + 1);
        std::size_t size = 0;
        out.part[start] = number;
        stack.push_back(start);
        while (!stack.empty()) {
            const std::size_t n = stack.back();
            stack.pop_back();
            ++size;
            const glm::ivec3 v(int(n % nx), int((n / nx) % std::size_t(dims.y)), int(n / plane));
            for (const glm::ivec3& o : around) {
                const glm::ivec3 w = v + o;
                if (w.x < 0 || w.y < 0 || w.z < 0 || w.x >= dims.x || w.y >= dims.y || w.z >= dims.z)
                    continue;
                const std::size_t m = std::size_t(w.z) * plane + std::size_t(w.y) * nx + std::size_t(w.x);
                if (mask[m] && !out.part[m]) {
                    out.part[m] = number;
                    stack.push_back(m);
                }
            }
        }
        out.sizes.push_back(size);
    }
    return out;
}

namespace {
// The voxels of the parts `keep` says yes to.
template <class F> Mask selectIslands(const Islands& islands, F keep) {
    Mask out(islands.part.size(), 0);
    for (std::size_t n = 0; n < out.size(); ++n)
        out[n] = islands.part[n] != 0 && keep(islands.part[n]);
    return out;
}
} // namespace

Mask keepLargestIsland(const Mask& mask, glm::ivec3 dims, Connectivity c) {
    const Islands islands = findIslands(mask, dims, c);
    if (islands.sizes.empty())
        return Mask(mask.size(), 0);
    const auto largest = std::uint32_t(std::max_element(islands.sizes.begin(), islands.sizes.end()) -
                                       islands.sizes.begin() + 1);
    return selectIslands(islands, [&](std::uint32_t p) { return p == largest; });
}

Mask removeSmallIslands(const Mask& mask, glm::ivec3 dims, std::size_t minVoxels, Connectivity c) {
    const Islands islands = findIslands(mask, dims, c);
    return selectIslands(islands, [&](std::uint32_t p) { return islands.sizes[p - 1] >= minVoxels; });
}

Mask keepIslandAt(const Mask& mask, glm::ivec3 dims, glm::ivec3 seed, Connectivity c) {
    if (glm::any(glm::lessThan(seed, glm::ivec3(0))) || glm::any(glm::greaterThanEqual(seed, dims)))
        return Mask(mask.size(), 0);
    const Islands islands = findIslands(mask, dims, c);
    const std::uint32_t at =
        islands.part[(std::size_t(seed.z) * std::size_t(dims.y) + std::size_t(seed.y)) * std::size_t(dims.x) +
                     std::size_t(seed.x)];
    return selectIslands(islands, [&](std::uint32_t p) { return at != 0 && p == at; });
}

std::size_t countVoxels(const Mask& mask) {
    return std::size_t(std::count_if(mask.begin(), mask.end(), [](std::uint8_t v) { return v != 0; }));
}

} // namespace ctview
