#include "edit/morphology.h"

#include "volume/parallel.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

namespace ctview {

namespace {

constexpr float kFar = std::numeric_limits<float>::infinity();

// The box of voxels [lo, hi] (inclusive) of the mask, widened by `reach` voxels per axis and kept in the
// grid; empty (lo > hi) when the mask is.
struct Box {
    glm::ivec3 lo{0}, hi{-1};
    glm::ivec3 size() const { return hi - lo + 1; }
    std::size_t count() const {
        const glm::ivec3 s = size();
        return std::size_t(s.x) * std::size_t(s.y) * std::size_t(s.z);
    }
};
Box maskBox(const Mask& mask, glm::ivec3 dims, glm::ivec3 reach) {
    Box b{dims, glm::ivec3(-1)};
    for (int k = 0; k < dims.z; ++k)
        for (int j = 0; j < dims.y; ++j) {
            const std::size_t row =
                (std::size_t(k) * std::size_t(dims.y) + std::size_t(j)) * std::size_t(dims.x);
            for (int i = 0; i < dims.x; ++i)
                if (mask[row + std::size_t(i)]) {
                    b.lo = glm::min(b.lo, glm::ivec3(i, j, k));
                    b.hi = glm::max(b.hi, glm::ivec3(i, j, k));
                }
        }
    if (b.lo.x > b.hi.x)
        return b;
    b.lo = glm::max(b.lo - reach, glm::ivec3(0));
    b.hi = glm::min(b.hi + reach, dims - 1);
    return b;
}

// One line of the squared distance transform of samples f at positions q * step: d[q] = min over p of
// (q - p)^2 step^2 + f[p], by the lower envelope of the parabolas rooted at the finite samples.
void distanceLine(float* f, int n, std::size_t stride, float step, std::vector<float>& d, std::vector<int>& v,
                  std::vector<float>& z) {
    int k = -1;
    for (int q = 0; q < n; ++q) {
        const float fq = f[std::size_t(q) * stride];
        if (fq == kFar)
            continue;
        const float xq = float(q) * step;
        float s = -kFar;
        while (k >= 0) {
            const float xv = float(v[std::size_t(k)]) * step;
            s = ((fq + xq * xq) - (f[std::size_t(v[std::size_t(k)]) * stride] + xv * xv)) / (2 * (xq - xv));
            if (s > z[std::size_t(k)])
                break;
            --k;
        }
        ++k;
        v[std::size_t(k)] = q;
        z[std::size_t(k)] = k == 0 ? -kFar : s;
    }
    if (k < 0)
        return; // no finite sample: all stay far
    int at = 0;
    for (int q = 0; q < n; ++q) {
        const float xq = float(q) * step;
        while (at < k && z[std::size_t(at) + 1] < xq)
            ++at;
        const float xv = float(v[std::size_t(at)]) * step;
        d[std::size_t(q)] = (xq - xv) * (xq - xv) + f[std::size_t(v[std::size_t(at)]) * stride];
    }
    for (int q = 0; q < n; ++q)
        f[std::size_t(q) * stride] = d[std::size_t(q)];
}

// Squared distance in mm from each voxel of the box to the nearest voxel of the box where `seed` holds.
template <class Seed> std::vector<float> squaredDistance(const Box& b, const glm::dvec3& spacing, Seed seed) {
    const glm::ivec3 s = b.size();
    std::vector<float> f(b.count());
    for (int k = 0; k < s.z; ++k)
        for (int j = 0; j < s.y; ++j)
            for (int i = 0; i < s.x; ++i)
                f[(std::size_t(k) * std::size_t(s.y) + std::size_t(j)) * std::size_t(s.x) + std::size_t(i)] =
                    seed(b.lo + glm::ivec3(i, j, k)) ? 0.f : kFar;
    // Along i, then j, then k: each pass one line at a time, the lines split across the cores.
    for (int axis = 0; axis < 3; ++axis) {
        const int n = s[axis];
        const std::size_t stride = axis == 0   ? 1
                                   : axis == 1 ? std::size_t(s.x)
                                               : std::size_t(s.x) * std::size_t(s.y);
        const int u = axis == 0 ? 1 : 0, w = axis == 2 ? 1 : 2; // the other two axes
        const int lines = s[u] * s[w];
        parallelFor(lines, [&](int from, int to) {
            std::vector<float> d(static_cast<std::size_t>(n)), z(static_cast<std::size_t>(n) + 1);
            std::vector<int> v(static_cast<std::size_t>(n));
            for (int line = from; line < to; ++line) {
                glm::ivec3 at(0);
                at[u] = line % s[u];
                at[w] = line / s[u];
                float* start = f.data() +
                               (std::size_t(at.z) * std::size_t(s.y) + std::size_t(at.y)) * std::size_t(s.x) +
                               std::size_t(at.x);
                distanceLine(start, n, stride, float(spacing[axis]), d, v, z);
            }
        });
    }
    return f;
}

glm::ivec3 reachOf(const Geometry& g, double mm) {
    return glm::ivec3(glm::ceil(glm::dvec3(mm) / g.spacing)) + 1;
}

std::size_t at(const Geometry& g, glm::ivec3 v) {
    return (std::size_t(v.z) * std::size_t(g.dims.y) + std::size_t(v.y)) * std::size_t(g.dims.x) +
           std::size_t(v.x);
}

// A voxel is within the margin when its squared distance is at most mm^2 (a hair over, for the rounding of
// sums of squares of exact spacings).
float limitOf(double mm) {
    return float(mm * mm) * (1 + 1e-5f);
}

// Sets out[v] = value at the voxels v of box b whose squared distance d is within the margin.
void setWithin(const Box& b, const std::vector<float>& d, double mm, const Geometry& g, Mask& out,
               std::uint8_t value) {
    const glm::ivec3 s = b.size();
    const float limit = limitOf(mm);
    for (int k = 0; k < s.z; ++k)
        for (int j = 0; j < s.y; ++j)
            for (int i = 0; i < s.x; ++i)
                if (d[(std::size_t(k) * std::size_t(s.y) + std::size_t(j)) * std::size_t(s.x) +
                      std::size_t(i)] <= limit)
                    out[at(g, b.lo + glm::ivec3(i, j, k))] = value;
}

} // namespace

Mask growMask(const Mask& mask, const Geometry& g, double mm) {
    const Box b = maskBox(mask, g.dims, reachOf(g, mm));
    Mask out(mask.size(), 0);
    if (b.lo.x <= b.hi.x)
        setWithin(b, squaredDistance(b, g.spacing, [&](glm::ivec3 v) { return mask[at(g, v)] != 0; }), mm, g,
                  out, 1);
    return out;
}

Mask shrinkMask(const Mask& mask, const Geometry& g, double mm) {
    // Only the mask's voxels can go, and only to an outside voxel within mm: the box of the mask, widened.
    const Box b = maskBox(mask, g.dims, reachOf(g, mm));
    Mask out = mask;
    if (b.lo.x <= b.hi.x)
        setWithin(b, squaredDistance(b, g.spacing, [&](glm::ivec3 v) { return mask[at(g, v)] == 0; }), mm, g,
                  out, 0);
    return out;
}

Mask closeMask(const Mask& mask, const Geometry& g, double mm) {
    // On a grid padded by the margin (as ITK's closing with SafeBorder): what grows past the border shrinks
    // back from there, instead of staying as a rim along the border.
    const glm::ivec3 pad = reachOf(g, mm);
    Geometry padded = g;
    padded.dims = g.dims + 2 * pad;
    Mask big(padded.voxelCount(), 0);
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            std::copy_n(mask.begin() + std::ptrdiff_t(at(g, {0, j, k})), g.dims.x,
                        big.begin() + std::ptrdiff_t(at(padded, pad + glm::ivec3(0, j, k))));
    big = shrinkMask(growMask(big, padded, mm), padded, mm);
    Mask out(mask.size());
    for (int k = 0; k < g.dims.z; ++k)
        for (int j = 0; j < g.dims.y; ++j)
            std::copy_n(big.begin() + std::ptrdiff_t(at(padded, pad + glm::ivec3(0, j, k))), g.dims.x,
                        out.begin() + std::ptrdiff_t(at(g, {0, j, k})));
    return out;
}

Mask openMask(const Mask& mask, const Geometry& g, double mm) {
    return growMask(shrinkMask(mask, g, mm), g, mm);
}

glm::ivec3 medianRadius(const Geometry& g, double mm) {
    glm::ivec3 r;
    for (int a = 0; a < 3; ++a) // no wider than the grid (a box past it counts nothing more)
        r[a] = int(std::clamp(std::floor(mm / 2 / g.spacing[a] + 1e-9), 0.0, double(std::max(g.dims[a], 0))));
    return r;
}

double medianLeastMm(const Geometry& g) {
    const double least = 2 * std::min({g.spacing.x, g.spacing.y, g.spacing.z});
    return std::ceil(least * 10 - 1e-9) / 10;
}

Mask medianMask(const Mask& mask, const Geometry& g, double mm) {
    const glm::ivec3 d = g.dims, r = medianRadius(g, mm);
    if (r == glm::ivec3(0))
        return mask;
    const Box b = maskBox(mask, d, r);
    Mask out(mask.size(), 0);
    if (b.hi.x < b.lo.x)
        return out;
    const glm::ivec3 lo = b.lo, box = b.size();
    const std::size_t plane = std::size_t(box.x) * std::size_t(box.y);
    const std::uint64_t kernel =
        std::uint64_t(2 * r.x + 1) * std::uint64_t(2 * r.y + 1) * std::uint64_t(2 * r.z + 1);
    auto at = [&](int i, int j, int k) { // grid index of box voxel (i, j, k)
        return (std::size_t(k + lo.z) * std::size_t(d.y) + std::size_t(j + lo.y)) * std::size_t(d.x) +
               std::size_t(i + lo.x);
    };
    // The output slices [first, last): a ring of the in-plane box counts of the 2 rz + 1 slices around the
    // one at hand, and their sum; a slice's counts are made once per part, in two running sums.
    const int window = 2 * r.z + 1;
    auto medianSlices = [&](int first, int last) {
        std::vector<std::uint32_t> ring(std::size_t(window) * plane), total(plane, 0), rows(plane);
        auto countSlice = [&](int k, std::uint32_t* counts) {
            for (int j = 0; j < box.y; ++j) { // along i: the row's voxels within rx
                std::uint32_t* dst = rows.data() + std::size_t(j) * std::size_t(box.x);
                const std::uint8_t* src = mask.data() + at(0, j, k);
                std::uint32_t sum = 0;
                for (int i = 0; i < std::min(r.x, box.x); ++i)
                    sum += src[i];
                for (int i = 0; i < box.x; ++i) {
                    if (i + r.x < box.x)
                        sum += src[i + r.x];
                    dst[i] = sum;
                    if (i - r.x >= 0)
                        sum -= src[i - r.x];
                }
            }
            for (int i = 0; i < box.x; ++i) { // along j: those rows' counts within ry
                std::uint32_t sum = 0;
                auto row = [&](int j) { return rows[std::size_t(j) * std::size_t(box.x) + std::size_t(i)]; };
                for (int j = 0; j < std::min(r.y, box.y); ++j)
                    sum += row(j);
                for (int j = 0; j < box.y; ++j) {
                    if (j + r.y < box.y)
                        sum += row(j + r.y);
                    counts[std::size_t(j) * std::size_t(box.x) + std::size_t(i)] = sum;
                    if (j - r.y >= 0)
                        sum -= row(j - r.y);
                }
            }
        };
        auto slot = [&](int k) { return ring.data() + std::size_t(k % window) * plane; };
        auto add = [&](int k, bool remove) {
            if (k < 0 || k >= box.z)
                return;
            std::uint32_t* counts = slot(k);
            if (!remove)
                countSlice(k, counts);
            for (std::size_t v = 0; v < plane; ++v)
                total[v] = remove ? total[v] - counts[v] : total[v] + counts[v];
        };
        for (int k = first - r.z; k <= first + r.z; ++k)
            add(k, false);
        for (int k = first; k < last; ++k) {
            for (int j = 0; j < box.y; ++j) {
                std::uint8_t* dst = out.data() + at(0, j, k);
                const std::uint32_t* t = total.data() + std::size_t(j) * std::size_t(box.x);
                for (int i = 0; i < box.x; ++i)
                    dst[i] = 2 * std::uint64_t(t[i]) > kernel;
            }
            if (k + 1 < last) {
                add(k - r.z, true);
                add(k + r.z + 1, false);
            }
        }
    };
    // A part of the slices a thread, each thread holding 2 rz + 1 planes of counts: as many parts as cores,
    // fewer when that would take more than about 512 MiB (a wide kernel on thin slices).
    const std::size_t threadBytes = (std::size_t(window) + 2) * plane * sizeof(std::uint32_t);
    const int cores = threadCount();
    const int parts = std::clamp(int((std::size_t(512) << 20) / std::max<std::size_t>(threadBytes, 1)), 1,
                                 std::min(cores, box.z));
    std::exception_ptr failed;
    std::mutex failing;
    parallelFor(parts, [&](int partA, int partB) {
        for (int part = partA; part < partB; ++part)
            try {
                medianSlices(part * box.z / parts, (part + 1) * box.z / parts);
            } catch (...) { // out of memory: said by the caller, not std::terminate
                const std::lock_guard lock(failing);
                failed = std::current_exception();
            }
    });
    if (failed)
        std::rethrow_exception(failed);
    return out;
}

} // namespace ctview
