#include "volume/register.h"

#include "volume/parallel.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <mutex>
#include <vector>

namespace ctview {

namespace {

// One pyramid level of a volume: HU as floats on a coarser grid.
struct Grid {
    Geometry g;
    std::vector<float> v;
    float at(int i, int j, int k) const {
        return v[(std::size_t(k) * std::size_t(g.dims.y) + std::size_t(j)) * std::size_t(g.dims.x) +
                 std::size_t(i)];
    }
    // Trilinear at voxel coordinate u, which must lie in [0, dims - 1] on every axis.
    float sample(const glm::dvec3& u) const {
        const glm::ivec3 a = glm::min(glm::ivec3(u), glm::max(g.dims - 2, glm::ivec3(0)));
        const glm::dvec3 f = u - glm::dvec3(a);
        const glm::ivec3 b = glm::min(a + 1, g.dims - 1);
        const double c00 = at(a.x, a.y, a.z) * (1 - f.x) + at(b.x, a.y, a.z) * f.x;
        const double c10 = at(a.x, b.y, a.z) * (1 - f.x) + at(b.x, b.y, a.z) * f.x;
        const double c01 = at(a.x, a.y, b.z) * (1 - f.x) + at(b.x, a.y, b.z) * f.x;
        const double c11 = at(a.x, b.y, b.z) * (1 - f.x) + at(b.x, b.y, b.z) * f.x;
        return float((c00 * (1 - f.y) + c10 * f.y) * (1 - f.z) + (c01 * (1 - f.y) + c11 * f.y) * f.z);
    }
    bool inside(const glm::dvec3& u) const {
        return u.x >= 0 && u.y >= 0 && u.z >= 0 && u.x <= g.dims.x - 1 && u.y <= g.dims.y - 1 &&
               u.z <= g.dims.z - 1;
    }
};

// Block averages of `v` with blocks of about `mm` per side (whole voxels, at least one; a side that would
// leave fewer than 4 voxels keeps more). The grid's origin is the first block's centre.
template <class T> Grid downsample(const Volume& v, const T* voxels, double mm) {
    const Geometry& src = v.geometry();
    glm::ivec3 f(1);
    for (int a = 0; a < 3; ++a)
        f[a] = std::clamp(int(std::lround(mm / src.spacing[a])), 1, std::max(1, src.dims[a] / 4));
    Grid out;
    out.g = src;
    out.g.dims = src.dims / f;
    out.g.spacing = src.spacing * glm::dvec3(f);
    out.g.origin = src.voxelToPatient((glm::dvec3(f) - 1.0) * 0.5);
    out.v.assign(out.g.voxelCount(), 0.0f);
    const double norm = 1.0 / double(f.x * f.y * f.z);
    const std::size_t row = std::size_t(src.dims.x), plane = row * std::size_t(src.dims.y);
    parallelFor(out.g.dims.z, [&](int z0, int z1) {
        for (int k = z0; k < z1; ++k)
            for (int j = 0; j < out.g.dims.y; ++j)
                for (int i = 0; i < out.g.dims.x; ++i) {
                    double sum = 0;
                    for (int c = 0; c < f.z; ++c)
                        for (int b = 0; b < f.y; ++b) {
                            const T* p = voxels + std::size_t(k * f.z + c) * plane +
                                         std::size_t(j * f.y + b) * row + std::size_t(i * f.x);
                            for (int a = 0; a < f.x; ++a)
                                sum += double(p[a]);
                        }
                    out.v[(std::size_t(k) * std::size_t(out.g.dims.y) + std::size_t(j)) *
                              std::size_t(out.g.dims.x) +
                          std::size_t(i)] = float(sum * norm);
                }
    });
    return out;
}

Grid downsample(const Volume& v, double mm) {
    return v.type() == ScalarType::Int16 ? downsample(v, v.int16Data(), mm)
                                         : downsample(v, v.float32Data(), mm);
}

// Central differences along i, j and k (HU per voxel), one-sided at the borders.
std::array<Grid, 3> gradients(const Grid& m) {
    std::array<Grid, 3> g{m, m, m};
    const glm::ivec3 d = m.g.dims;
    parallelFor(d.z, [&](int z0, int z1) {
        for (int k = z0; k < z1; ++k)
            for (int j = 0; j < d.y; ++j)
                for (int i = 0; i < d.x; ++i) {
                    const std::size_t n =
                        (std::size_t(k) * std::size_t(d.y) + std::size_t(j)) * std::size_t(d.x) +
                        std::size_t(i);
                    const glm::ivec3 p(i, j, k);
                    for (int a = 0; a < 3; ++a) {
                        glm::ivec3 lo = p, hi = p;
                        lo[a] = std::max(0, p[a] - 1);
                        hi[a] = std::min(d[a] - 1, p[a] + 1);
                        const int span = hi[a] - lo[a];
                        g[std::size_t(a)].v[n] =
                            span > 0 ? (m.at(hi.x, hi.y, hi.z) - m.at(lo.x, lo.y, lo.z)) / float(span) : 0.0f;
                    }
                }
    });
    return g;
}

// The rigid map p -> R(w) (p - c) + c + t of fixed LPS points (R: w's axis, |w| radians).
glm::dmat4 rigidStep(const glm::dvec3& w, const glm::dvec3& t, const glm::dvec3& c) {
    glm::dmat3 r(1.0);
    const double angle = glm::length(w);
    if (angle > 0) {
        const glm::dvec3 a = w / angle;
        const glm::dmat3 k(0, a.z, -a.y, -a.z, 0, a.x, a.y, -a.x, 0); // columns: [a]x
        r = glm::dmat3(1.0) + std::sin(angle) * k + (1 - std::cos(angle)) * (k * k);
    }
    glm::dmat4 m(r);
    m[3] = glm::dvec4(c - r * c + t, 1.0);
    return m;
}

// Solves the 6 x 6 system a x = b (Gaussian elimination, partial pivoting); false when singular.
bool solve6(std::array<std::array<double, 6>, 6> a, std::array<double, 6> b, std::array<double, 6>& x) {
    for (int c = 0; c < 6; ++c) {
        int pivot = c;
        for (int r = c + 1; r < 6; ++r)
            if (std::abs(a[std::size_t(r)][std::size_t(c)]) > std::abs(a[std::size_t(pivot)][std::size_t(c)]))
                pivot = r;
        if (std::abs(a[std::size_t(pivot)][std::size_t(c)]) < 1e-300)
            return false;
        std::swap(a[std::size_t(c)], a[std::size_t(pivot)]);
        std::swap(b[std::size_t(c)], b[std::size_t(pivot)]);
        for (int r = c + 1; r < 6; ++r) {
            const double f = a[std::size_t(r)][std::size_t(c)] / a[std::size_t(c)][std::size_t(c)];
            for (int k = c; k < 6; ++k)
                a[std::size_t(r)][std::size_t(k)] -= f * a[std::size_t(c)][std::size_t(k)];
            b[std::size_t(r)] -= f * b[std::size_t(c)];
        }
    }
    for (int r = 5; r >= 0; --r) {
        double s = b[std::size_t(r)];
        for (int k = r + 1; k < 6; ++k)
            s -= a[std::size_t(r)][std::size_t(k)] * x[std::size_t(k)];
        x[std::size_t(r)] = s / a[std::size_t(r)][std::size_t(r)];
    }
    return true;
}

// What one pass over the fixed level's samples gathers.
struct Sums {
    double f = 0, m = 0, ff = 0, mm = 0, fm = 0, n = 0; // for the NCC
    std::array<std::array<double, 6>, 6> h{};           // J^T J
    std::array<double, 6> b{};                          // J^T r
    void add(const Sums& o) {
        f += o.f, m += o.m, ff += o.ff, mm += o.mm, fm += o.fm, n += o.n;
        for (std::size_t r = 0; r < 6; ++r) {
            b[r] += o.b[r];
            for (std::size_t c = 0; c < 6; ++c)
                h[r][c] += o.h[r][c];
        }
    }
    double ncc() const {
        if (n < 2)
            return -1;
        const double cf = ff - f * f / n, cm = mm - m * m / n, cfm = fm - f * m / n;
        return cf > 0 && cm > 0 ? cfm / std::sqrt(cf * cm) : 0;
    }
};

// One level's images and where they meet.
struct LevelPair {
    Grid fixed, moving;
    std::array<Grid, 3> gradient;
    glm::dmat3 movingToVoxel; // LPS offsets from the moving grid's origin -> its voxel coordinates
    glm::dvec3 centre;        // the rotation's centre: the fixed volume's
    int stride = 1;           // every stride-th fixed voxel along each axis is a sample
};

// The NCC of the overlap under `link`, and with `jacobian` the Gauss-Newton sums of the squared difference.
Sums gather(const LevelPair& l, const glm::dmat4& link, bool jacobian) {
    const glm::dmat3 r(link);
    // d(moving HU)/d(LPS of the moving series) from the gradient per voxel: through movingToVoxel^T.
    const glm::dmat3 toLps = glm::transpose(l.movingToVoxel);
    const glm::dmat3 pullBack = glm::transpose(r) * toLps;
    const Geometry& fg = l.fixed.g;
    const int nz = (fg.dims.z + l.stride - 1) / l.stride;
    Sums total;
    std::mutex merge;
    parallelFor(nz, [&](int z0, int z1) {
        Sums s;
        for (int zk = z0; zk < z1; ++zk) {
            const int k = zk * l.stride;
            for (int j = 0; j < fg.dims.y; j += l.stride)
                for (int i = 0; i < fg.dims.x; i += l.stride) {
                    const glm::dvec3 p = fg.voxelToPatient(glm::dvec3(i, j, k));
                    const glm::dvec3 q = glm::dvec3(link * glm::dvec4(p, 1.0));
                    const glm::dvec3 u = l.movingToVoxel * (q - l.moving.g.origin);
                    if (!l.moving.inside(u))
                        continue;
                    const double f = l.fixed.at(i, j, k), m = l.moving.sample(u);
                    s.f += f, s.m += m, s.ff += f * f, s.mm += m * m, s.fm += f * m, s.n += 1;
                    if (!jacobian)
                        continue;
                    const glm::dvec3 grad(l.gradient[0].sample(u), l.gradient[1].sample(u),
                                          l.gradient[2].sample(u));
                    const glm::dvec3 g = pullBack * grad; // d m / d (fixed LPS)
                    const glm::dvec3 w = glm::cross(p - l.centre, g);
                    const std::array<double, 6> jac{w.x, w.y, w.z, g.x, g.y, g.z};
                    const double res = m - f;
                    for (std::size_t a = 0; a < 6; ++a) {
                        s.b[a] += jac[a] * res;
                        for (std::size_t c = a; c < 6; ++c)
                            s.h[a][c] += jac[a] * jac[c];
                    }
                }
        }
        std::lock_guard lock(merge);
        total.add(s);
    });
    for (std::size_t a = 0; a < 6; ++a)
        for (std::size_t c = 0; c < a; ++c)
            total.h[a][c] = total.h[c][a];
    return total;
}

// The mean LPS point of the voxels above -500 HU (tissue and bone, not air), or the grid's centre.
glm::dvec3 tissueCentre(const Grid& g) {
    glm::dvec3 sum(0.0);
    double n = 0;
    for (int k = 0; k < g.g.dims.z; ++k)
        for (int j = 0; j < g.g.dims.y; ++j)
            for (int i = 0; i < g.g.dims.x; ++i)
                if (g.at(i, j, k) > -500) {
                    sum += g.g.voxelToPatient(glm::dvec3(i, j, k));
                    n += 1;
                }
    return n > 0 ? sum / n : volumeCentre(g.g);
}

// Levenberg-Marquardt over one level from `link`; returns the link and counts the steps kept.
glm::dmat4 refine(const LevelPair& l, glm::dmat4 link, int iterations, int& steps) {
    const double spacing = std::min({l.fixed.g.spacing.x, l.fixed.g.spacing.y, l.fixed.g.spacing.z});
    const double radius = 0.5 * glm::length(glm::dvec3(l.fixed.g.dims) * l.fixed.g.spacing);
    double lambda = 1e-3;
    Sums now = gather(l, link, true);
    for (int it = 0; it < iterations && now.n > 0; ++it) {
        std::array<std::array<double, 6>, 6> h = now.h;
        for (std::size_t a = 0; a < 6; ++a)
            h[a][a] *= 1 + lambda;
        std::array<double, 6> minusB{}, x{};
        for (std::size_t a = 0; a < 6; ++a)
            minusB[a] = -now.b[a];
        if (!solve6(h, minusB, x))
            break;
        const glm::dvec3 w(x[0], x[1], x[2]), t(x[3], x[4], x[5]);
        const glm::dmat4 candidate = link * rigidStep(w, t, l.centre);
        const Sums tried = gather(l, candidate, false);
        const bool small = glm::length(t) + glm::length(w) * radius < 0.01 * spacing;
        if (tried.n > 0.5 * now.n && tried.ncc() > now.ncc()) {
            link = candidate;
            ++steps;
            lambda = std::max(1e-6, lambda / 10);
            if (small)
                break;
            now = gather(l, link, true);
        } else {
            lambda *= 10;
            if (lambda > 1e8 || small)
                break;
        }
    }
    return link;
}

} // namespace

double rotationDegrees(const glm::dmat4& link) {
    const glm::dmat3 r(link);
    const double c = std::clamp((r[0][0] + r[1][1] + r[2][2] - 1) / 2, -1.0, 1.0);
    return std::acos(c) * 180.0 / 3.14159265358979323846;
}

Registration registerRigid(const Volume& fixed, const Volume& moving, const glm::dmat4& start,
                           const RegistrationOptions& options) {
    const auto begin = std::chrono::steady_clock::now();
    Registration result;
    glm::dmat4 link = start;
    // Levels from coarsest to finest, halving the voxel size.
    std::vector<double> sizes;
    for (double mm = options.coarsestMm; mm >= options.finestMm * 0.99; mm /= 2)
        sizes.push_back(mm);
    if (sizes.empty())
        sizes.push_back(options.finestMm);
    for (std::size_t level = 0; level < sizes.size(); ++level) {
        LevelPair l;
        l.fixed = downsample(fixed, sizes[level]);
        l.moving = downsample(moving, sizes[level]);
        l.gradient = gradients(l.moving);
        l.movingToVoxel = glm::inverse(l.moving.g.voxelSteps());
        l.centre = volumeCentre(fixed.geometry());
        // At most about a million samples a pass.
        l.stride = std::max(1, int(std::ceil(std::cbrt(double(l.fixed.g.voxelCount()) / 1e6))));
        if (level == 0) {
            // The tissue centres aligned, when that overlaps better than the coordinates as written.
            const glm::dvec3 shift =
                tissueCentre(l.moving) - glm::dvec3(start * glm::dvec4(tissueCentre(l.fixed), 1));
            const glm::dmat4 centred = rigidStep(glm::dvec3(0.0), shift, l.centre) * start;
            if (gather(l, centred, false).ncc() > gather(l, start, false).ncc())
                link = centred;
        }
        if (level + 1 == sizes.size())
            result.nccBefore = gather(l, start, false).ncc();
        link = refine(l, link, options.iterations, result.steps);
        if (level + 1 == sizes.size())
            result.ncc = gather(l, link, false).ncc();
    }
    result.link = link;
    const glm::dmat4 change = glm::inverse(start) * link;
    result.degrees = rotationDegrees(change);
    const glm::dvec3 c = volumeCentre(fixed.geometry());
    result.moved = glm::dvec3(change * glm::dvec4(c, 1.0)) - c;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    return result;
}

} // namespace ctview
