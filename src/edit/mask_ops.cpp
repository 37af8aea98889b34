#include "edit/mask_ops.h"

#include "volume/parallel.h"

#include <algorithm>
#include <array>
#include <cmath>

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

namespace {

// The voxels connected to `seed` through voxels where in(index) holds (the seed's own included), by a flood
// fill from the seed alone: its work is the part's voxels, not the grid's (a bit per voxel of the grid to
// mark them, a byte of it zeroed per 8 voxels). Empty when the seed is out.
template <class In> Part floodFrom(glm::ivec3 dims, glm::ivec3 seed, Connectivity c, In in) {
    const std::size_t nx = std::size_t(dims.x), plane = nx * std::size_t(dims.y);
    Part out;
    out.in.assign((plane * std::size_t(dims.z) + 63) / 64, 0);
    if (glm::any(glm::lessThan(seed, glm::ivec3(0))) || glm::any(glm::greaterThanEqual(seed, dims)))
        return out;
    const std::size_t start = std::size_t(seed.z) * plane + std::size_t(seed.y) * nx + std::size_t(seed.x);
    if (!in(start))
        return out;
    const std::vector<glm::ivec3> around = neighbours(c);
    std::vector<std::size_t> stack{start};
    out.in[start / 64] |= std::uint64_t(1) << (start % 64);
    out.lo = out.hi = seed;
    while (!stack.empty()) {
        const std::size_t n = stack.back();
        stack.pop_back();
        ++out.voxels;
        const glm::ivec3 v(int(n % nx), int((n / nx) % std::size_t(dims.y)), int(n / plane));
        out.lo = glm::min(out.lo, v);
        out.hi = glm::max(out.hi, v);
        // Inside the grid's interior no neighbour needs a bounds check.
        const bool interior =
            glm::all(glm::greaterThan(v, glm::ivec3(0))) && glm::all(glm::lessThan(v, dims - 1));
        for (const glm::ivec3& o : around) {
            const glm::ivec3 w = v + o;
            if (!interior &&
                (w.x < 0 || w.y < 0 || w.z < 0 || w.x >= dims.x || w.y >= dims.y || w.z >= dims.z))
                continue;
            const std::size_t m = std::size_t(w.z) * plane + std::size_t(w.y) * nx + std::size_t(w.x);
            const std::uint64_t bit = std::uint64_t(1) << (m % 64);
            if (!(out.in[m / 64] & bit) && in(m)) {
                out.in[m / 64] |= bit;
                stack.push_back(m);
            }
        }
    }
    return out;
}

Mask maskOf(const Part& p, std::size_t voxels) {
    Mask m(voxels, 0);
    if (p.voxels == 0)
        return m;
    for (std::size_t n = 0; n < voxels; ++n)
        m[n] = p.contains(n) ? 1 : 0;
    return m;
}

} // namespace

Part growPart(const Volume& ct, float lo, float hi, glm::ivec3 seed, Connectivity c) {
    if (ct.type() == ScalarType::Int16) {
        // In integers: the range's whole HU values.
        const int from = int(std::ceil(std::clamp(lo, -40000.f, 40000.f)));
        const int to = int(std::floor(std::clamp(hi, -40000.f, 40000.f)));
        const std::int16_t* hu = ct.int16Data();
        return floodFrom(ct.geometry().dims, seed, c,
                         [=](std::size_t n) { return hu[n] >= from && hu[n] <= to; });
    }
    const float* hu = ct.float32Data();
    return floodFrom(ct.geometry().dims, seed, c, [=](std::size_t n) { return hu[n] >= lo && hu[n] <= hi; });
}

Mask keepIslandAt(const Mask& mask, glm::ivec3 dims, glm::ivec3 seed, Connectivity c) {
    return maskOf(floodFrom(dims, seed, c, [&](std::size_t n) { return mask[n] != 0; }), mask.size());
}

Mask growFromSeed(const Volume& ct, float lo, float hi, glm::ivec3 seed, Connectivity c) {
    return maskOf(growPart(ct, lo, hi, seed, c), ct.geometry().voxelCount());
}

std::size_t countVoxels(const Mask& mask) {
    return std::size_t(std::count_if(mask.begin(), mask.end(), [](std::uint8_t v) { return v != 0; }));
}

} // namespace ctview
