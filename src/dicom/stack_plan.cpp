#include "dicom/stack_plan.h"

#include "base/text.h"
#include "volume/parallel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <thread>
#include <type_traits>

namespace ctview {

namespace {

std::string fmt(const char* f, double a, double b = 0, double c = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b, c);
    return buf;
}

double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

glm::dvec3 sliceNormal(const FrameHeader& f) {
    const glm::dvec3 row(f.orientation[0], f.orientation[1], f.orientation[2]);
    const glm::dvec3 col(f.orientation[3], f.orientation[4], f.orientation[5]);
    const glm::dvec3 normal = glm::cross(row, col);
    const double length = glm::length(normal);
    return length > 1e-6 ? normal / length : glm::dvec3(0, 0, 1);
}

StackPlan planStack(const std::vector<PlaneRef>& planes, bool allowResample, double gantryTiltTag) {
    StackPlan plan;
    const std::size_t n = planes.size();
    if (n == 0)
        return plan;
    const FrameHeader& first = planes[0].header;
    const glm::dvec3 row(first.orientation[0], first.orientation[1], first.orientation[2]);
    const glm::dvec3 col(first.orientation[3], first.orientation[4], first.orientation[5]);
    const glm::dvec3 normal = sliceNormal(first);
    // PixelSpacing (0028,0030) is [between rows, between columns]: i (along a row) steps by the second value.
    const glm::dvec3 inPlane(first.pixelSpacing[1], first.pixelSpacing[0], 0);

    bool allPositions =
        std::all_of(planes.begin(), planes.end(), [](auto& p) { return p.header.hasPosition; });
    if (!first.hasOrientation)
        plan.warnings.push_back("ImageOrientationPatient (0020,0037) is missing: axial orientation assumed");
    if (!first.hasPixelSpacing)
        plan.warnings.push_back(
            "PixelSpacing (0028,0030) is missing: 1 mm pixels assumed, sizes are approximate");

    std::vector<std::size_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    std::vector<double> dist(n, 0.0);
    if (allPositions) {
        for (std::size_t i = 0; i < n; ++i) {
            const auto& p = planes[i].header.position;
            dist[i] = glm::dot(glm::dvec3(p[0], p[1], p[2]), normal);
        }
        // Along the normal; ties (duplicates) by InstanceNumber so that the kept copy is deterministic.
        std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
            if (dist[a] != dist[b])
                return dist[a] < dist[b];
            if (planes[a].instanceNumber != planes[b].instanceNumber)
                return planes[a].instanceNumber < planes[b].instanceNumber;
            return planes[a].header.frame < planes[b].header.frame;
        });
        // Duplicate positions: keep the first of each.
        const double dupTol = 0.01; // mm; positions are written with limited decimals
        std::vector<std::size_t> kept;
        for (std::size_t i : idx) {
            if (!kept.empty() && std::abs(dist[i] - dist[kept.back()]) < dupTol) {
                plan.duplicates++;
                continue;
            }
            kept.push_back(i);
        }
        idx = kept;
        if (plan.duplicates)
            plan.warnings.push_back(std::to_string(plan.duplicates) +
                                    " slice(s) share a position with another slice: kept the first of each "
                                    "(lowest InstanceNumber)");
    } else {
        plan.orderedByInstance = true;
        std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
            if (planes[a].instanceNumber != planes[b].instanceNumber)
                return planes[a].instanceNumber < planes[b].instanceNumber;
            return planes[a].header.frame < planes[b].header.frame;
        });
        const double step = first.sliceThickness > 0 ? first.sliceThickness : 1.0;
        for (std::size_t r = 0; r < n; ++r)
            dist[idx[r]] = double(r) * step;
        plan.warnings.push_back(std::string("slice positions (0020,0032) are missing: slices ordered by "
                                            "InstanceNumber (0020,0013), slice step taken from ") +
                                (first.sliceThickness > 0 ? "SliceThickness" : "nothing (1 mm assumed)") +
                                "; the geometry is approximate");
    }
    plan.order = idx;
    const std::size_t m = idx.size();
    for (std::size_t i : idx)
        plan.distances.push_back(dist[i]);

    std::vector<double> steps;
    for (std::size_t r = 1; r < m; ++r)
        steps.push_back(plan.distances[r] - plan.distances[r - 1]);
    plan.measuredStep =
        steps.empty() ? (first.sliceThickness > 0 ? first.sliceThickness : 1.0) : median(steps);
    plan.minStep = steps.empty() ? plan.measuredStep : *std::min_element(steps.begin(), steps.end());
    plan.maxStep = steps.empty() ? plan.measuredStep : *std::max_element(steps.begin(), steps.end());

    // Gaps: a step of about k times the usual one means k-1 slices are missing.
    bool uneven = false;
    const double tol = std::max(0.01, 0.01 * plan.measuredStep);
    for (std::size_t r = 0; r < steps.size(); ++r) {
        const double s = steps[r];
        const double k = std::round(s / plan.measuredStep);
        if (k >= 2 && std::abs(s - k * plan.measuredStep) < 0.1 * plan.measuredStep) {
            plan.missing += int(k) - 1;
            plan.warnings.push_back(
                fmt("about %.0f slice(s) missing between %.2f and %.2f mm along the normal", k - 1,
                    plan.distances[r], plan.distances[r + 1]));
        } else if (std::abs(s - plan.measuredStep) > tol) {
            uneven = true;
        }
    }
    if (uneven) {
        plan.uneven = true;
        plan.twoSteps = std::all_of(steps.begin(), steps.end(), [&](double s) {
            return std::abs(s - plan.minStep) <= tol || std::abs(s - plan.maxStep) <= tol;
        });
        plan.warnings.push_back(fmt("uneven slice spacing: steps from %.3f to %.3f mm (usual %.3f mm)",
                                    plan.minStep, plan.maxStep, plan.measuredStep));
    }

    // Raw stack geometry: origin at the first plane, k along the mean stacking vector.
    const auto& p0 = planes[idx.front()].header.position;
    const auto& p1 = planes[idx.back()].header.position;
    glm::dvec3 stackDir = normal;
    double rawStep = plan.measuredStep;
    if (allPositions && m > 1) {
        const glm::dvec3 v = glm::dvec3(p1[0], p1[1], p1[2]) - glm::dvec3(p0[0], p0[1], p0[2]);
        const double len = glm::length(v);
        if (len > 1e-6) {
            stackDir = v / len;
            rawStep = len / double(m - 1);
            plan.tiltDegrees =
                glm::degrees(std::acos(std::clamp(std::abs(glm::dot(stackDir, normal)), 0.0, 1.0)));
        }
    }
    const bool tilted = plan.tiltDegrees > 0.01;
    if (tilted) {
        std::string w =
            fmt("gantry tilt: the slices are stacked %.2f degrees off their normal", plan.tiltDegrees);
        if (gantryTiltTag != 0)
            w += fmt(" (GantryDetectorTilt 0018,1120 says %.2f)", gantryTiltTag);
        plan.warnings.push_back(w);
    } else if (gantryTiltTag != 0 && allPositions) {
        plan.warnings.push_back(
            fmt("GantryDetectorTilt (0018,1120) says %.2f degrees, but the slice positions "
                "show no tilt: positions used",
                gantryTiltTag));
    }

    plan.raw.dims = glm::ivec3(0, 0, int(m)); // rows and columns are filled in by the loader
    plan.raw.spacing = glm::dvec3(inPlane.x, inPlane.y, rawStep > 0 ? rawStep : 1.0);
    plan.raw.origin = allPositions ? glm::dvec3(p0[0], p0[1], p0[2]) : glm::dvec3(0.0);
    plan.raw.direction = glm::dmat3(row, col, stackDir);
    plan.grid = plan.raw;

    const bool irregular = tilted || uneven || plan.missing > 0;
    plan.irregular = irregular;
    if (irregular && allowResample) {
        plan.resample = true;
        const double span = plan.distances.back() - plan.distances.front();
        const int slices = int(std::lround(span / plan.measuredStep)) + 1;
        plan.grid.spacing.z = plan.measuredStep;
        plan.grid.direction = glm::dmat3(row, col, normal);
        plan.grid.dims.z = slices; // the loader says so once it knows which slices are interpolated
    } else if (irregular) {
        plan.warnings.push_back(fmt(
            "not resampled (--no-resample): the volume keeps the %.0f acquired slices with a mean step of "
            "%.3f mm, so positions between them are approximate",
            double(m), rawStep));
    }
    return plan;
}

std::string resampleSummary(const StackPlan& plan, std::size_t interpolated, int displayed) {
    if (!plan.irregular)
        return "";
    std::vector<std::string> why;
    if (plan.missing > 0)
        why.push_back(format("%d slice%s missing", plan.missing, plan.missing == 1 ? "" : "s"));
    if (plan.uneven)
        why.push_back(format("uneven spacing (%.1f %s %.1f mm)", plan.minStep, plan.twoSteps ? "and" : "to",
                             plan.maxStep));
    if (plan.tiltDegrees > 0.01)
        why.push_back(format("gantry tilt %.1f°", plan.tiltDegrees));
    std::string text;
    for (std::size_t n = 0; n < why.size(); ++n)
        text += (n == 0 ? "" : n + 1 == why.size() ? " and " : ", ") + why[n];
    if (!plan.resample)
        return text + ": kept as acquired (resampling off), so positions between its slices are approximate";
    text += format(": resampled to %.1f mm", plan.grid.spacing.z);
    if (interpolated > 0)
        text += format("; %zu of %d displayed slice%s %s interpolated", interpolated, displayed,
                       displayed == 1 ? "" : "s", interpolated == 1 ? "is" : "are");
    else
        text += " in patient space";
    return text;
}

void growGridToPlanes(StackPlan& plan, const std::vector<PlaneRef>& planes) {
    if (!plan.resample || plan.order.empty())
        return;
    Geometry& g = plan.grid;
    const glm::dvec3 row = g.direction[0], col = g.direction[1];
    // Each plane's corner pixel centres, in the grid's in-plane voxel units from its origin.
    glm::dvec2 lo(0.0), hi(double(g.dims.x - 1), double(g.dims.y - 1));
    for (std::size_t r : plan.order) {
        const FrameHeader& f = planes[r].header;
        const glm::dvec3 p(f.position[0], f.position[1], f.position[2]);
        for (int corner = 0; corner < 4; ++corner) {
            const glm::dvec3 q = p + row * ((corner & 1) ? (g.dims.x - 1) * g.spacing.x : 0.0) +
                                 col * ((corner & 2) ? (g.dims.y - 1) * g.spacing.y : 0.0);
            const glm::dvec2 at(glm::dot(q - g.origin, row) / g.spacing.x,
                                glm::dot(q - g.origin, col) / g.spacing.y);
            lo = glm::min(lo, at);
            hi = glm::max(hi, at);
        }
    }
    // Whole voxels (a hair of tolerance so that rounding does not add one), the first plane's lattice kept.
    const glm::ivec2 before(int(std::ceil(-lo.x - 1e-6)), int(std::ceil(-lo.y - 1e-6)));
    const glm::ivec2 after(int(std::ceil(hi.x - (g.dims.x - 1) - 1e-6)),
                           int(std::ceil(hi.y - (g.dims.y - 1) - 1e-6)));
    g.origin -= row * (before.x * g.spacing.x) + col * (before.y * g.spacing.y);
    g.dims.x += before.x + after.x;
    g.dims.y += before.y + after.y;
}

namespace {

// Where output voxel (i, j) of one output slice falls in acquired plane s, in that plane's pixel units:
// u = u0 + i * ui + j * uj (and v likewise). Affine in (i, j), so a row costs additions, not dot products.
struct PlaneMap {
    double u0, ui, uj, v0, vi, vj;
};

// Output slice k lies between acquired planes s and s1, at fraction t of the way from s.
struct SliceMap {
    std::size_t s = 0, s1 = 0;
    double t = 0;
    PlaneMap a{}, b{}; // into s and s1
};

template <typename Out> inline void store(Out* out, std::size_t n, double v) {
    if constexpr (std::is_same_v<Out, std::int16_t>) {
        out[n] = huToInt16(float(v)); // as Volume::set
    } else {
        out[n] = float(v);
    }
}

// A coordinate in pixel units as a whole pixel and a fraction in [0, 1). Within a millionth of a pixel of a
// pixel centre it is that centre: an untilted regular stack samples exactly (exact HU), whatever the
// rounding of the positions. No libm call (floor by truncation): this runs twice for every output voxel.
inline void splitPixel(double x, int& whole, double& frac) {
    constexpr double eps = 1e-6;
    whole = int(x);
    if (double(whole) > x)
        --whole;
    frac = x - whole;
    if (frac > 1 - eps)
        ++whole, frac = 0;
    else if (frac < eps)
        frac = 0;
}

// Bilinear interpolation within one acquired plane (rdims.x by rdims.y pixels) at (u, v) in its pixel units;
// false outside the plane (beyond half a pixel of its edge pixels).
template <typename In>
inline bool bilinear(const In* p, glm::ivec3 rdims, double u, double v, double& value) {
    if (u < -0.5 || v < -0.5 || u > rdims.x - 0.5 || v > rdims.y - 0.5)
        return false;
    const double uc = std::clamp(u, 0.0, double(rdims.x - 1)), vc = std::clamp(v, 0.0, double(rdims.y - 1));
    int i0 = 0, j0 = 0;
    double fu = 0, fv = 0;
    splitPixel(uc, i0, fu);
    splitPixel(vc, j0, fv);
    i0 = std::min(i0, rdims.x - 1);
    j0 = std::min(j0, rdims.y - 1);
    const std::size_t w = std::size_t(rdims.x);
    const In* r0 = p + std::size_t(j0) * w;
    if (fu == 0 && fv == 0) {
        value = double(r0[i0]);
        return true;
    }
    const int i1 = std::min(i0 + 1, rdims.x - 1);
    const In* r1 = p + std::size_t(std::min(j0 + 1, rdims.y - 1)) * w;
    value = (1 - fv) * ((1 - fu) * double(r0[i0]) + fu * double(r0[i1])) +
            fv * ((1 - fu) * double(r1[i0]) + fu * double(r1[i1]));
    return true;
}

// One output row's samples in one acquired plane when the row runs along the plane's own rows at its pixel
// pitch (u = u(0) + i, v constant: any stack whose planes share the output's in-plane axes and spacing, as
// tilted and unevenly spaced CT stacks do). The bilinear weights are then the same for the whole row, and
// pixel i reads the 2x2 block at column i + base of row j0: a loop the compiler vectorises. `lo..hi` are
// the i whose whole block lies inside the plane (the edges go through bilinear()).
struct RowRun {
    int base = 0, j0 = 0;
    double w00 = 0, w01 = 0, w10 = 0, w11 = 0;
    int lo = 0, hi = -1;
};

RowRun rowRun(double u, double v, glm::ivec3 rdims, int width) {
    RowRun r;
    double fu = 0, fv = 0;
    splitPixel(u, r.base, fu);
    splitPixel(v, r.j0, fv);
    if (r.j0 < 0 || r.j0 + 1 > rdims.y - 1)
        return r; // the row's block would leave the plane: no run
    r.w00 = (1 - fv) * (1 - fu);
    r.w01 = (1 - fv) * fu;
    r.w10 = fv * (1 - fu);
    r.w11 = fv * fu;
    r.lo = std::max(0, -r.base);
    r.hi = std::min(width - 1, rdims.x - 2 - r.base);
    return r;
}

template <typename In> inline double runSample(const In* plane, std::size_t w, const RowRun& r, int i) {
    const In* q = plane + std::size_t(r.j0) * w + std::size_t(i + r.base);
    return r.w00 * double(q[0]) + r.w01 * double(q[1]) + r.w10 * double(q[w]) + r.w11 * double(q[w + 1]);
}

// The shared run of one output row: both planes' 2x2 blocks with the row's weights, blended at t.
template <typename In, typename Out>
__attribute__((always_inline)) inline void runRow(const In* p0, const In* p1, std::size_t w, const RowRun& ra,
                                                  const RowRun& rb, double t, int lo, int hi, Out* row) {
    for (int i = lo; i <= hi; ++i) {
        const double x0 = runSample(p0, w, ra, i), x1 = runSample(p1, w, rb, i);
        store(row, std::size_t(i), double(float(x0 + t * (x1 - x0))));
    }
}

// The common case (int16 stack, int16 output) also compiled for AVX2, chosen at run time.
__attribute__((target_clones("avx2", "default"))) void runRow16(const std::int16_t* p0,
                                                                const std::int16_t* p1, std::size_t w,
                                                                const RowRun& ra, const RowRun& rb, double t,
                                                                int lo, int hi, std::int16_t* row) {
    runRow(p0, p1, w, ra, rb, t, lo, hi, row);
}

// Output slices [k0, k1) of the resampling, for the stack's and the output's scalar types.
template <typename In, typename Out>
void resampleSlices(const In* raw, glm::ivec3 rdims, const std::vector<SliceMap>& maps, glm::ivec3 dims,
                    Out* out, float fill, int k0, int k1) {
    const std::size_t planeSize = std::size_t(rdims.x) * std::size_t(rdims.y), w = std::size_t(rdims.x);
    for (int k = k0; k < k1; ++k) {
        const SliceMap& sm = maps[std::size_t(k)];
        const In* p0 = raw + sm.s * planeSize;
        const In* p1 = raw + sm.s1 * planeSize;
        const double t = sm.t;
        const PlaneMap &a = sm.a, &b = sm.b;
        const auto alongRows = [](const PlaneMap& m) {
            return std::abs(m.ui - 1) < 1e-9 && std::abs(m.vi) < 1e-9;
        };
        const bool runs = alongRows(a) && alongRows(b);
        for (int j = 0; j < dims.y; ++j) {
            Out* row = out + (std::size_t(k) * std::size_t(dims.y) + std::size_t(j)) * std::size_t(dims.x);
            const double ua = a.u0 + j * a.uj, va = a.v0 + j * a.vj, ub = b.u0 + j * b.uj,
                         vb = b.v0 + j * b.vj;
            auto one = [&](int i) {
                double x0 = 0, x1 = 0;
                const bool in0 = bilinear(p0, rdims, ua + i * a.ui, va + i * a.vi, x0);
                const bool in1 = bilinear(p1, rdims, ub + i * b.ui, vb + i * b.vi, x1);
                double v = fill;
                if (in0 && in1)
                    v = double(float(x0 + t * (x1 - x0)));
                else if (in0 && t < 0.5)
                    v = x0;
                else if (in1 && t >= 0.5)
                    v = x1;
                store(row, std::size_t(i), v);
            };
            int lo = dims.x, hi = -1; // the run both planes share
            RowRun ra, rb;
            if (runs) {
                ra = rowRun(ua, va, rdims, dims.x);
                rb = rowRun(ub, vb, rdims, dims.x);
                lo = std::max(ra.lo, rb.lo);
                hi = std::min(ra.hi, rb.hi);
            }
            if (hi < lo) {
                for (int i = 0; i < dims.x; ++i)
                    one(i);
                continue;
            }
            for (int i = 0; i < lo; ++i)
                one(i);
            if constexpr (std::is_same_v<In, std::int16_t> && std::is_same_v<Out, std::int16_t>)
                runRow16(p0, p1, w, ra, rb, t, lo, hi, row);
            else
                runRow(p0, p1, w, ra, rb, t, lo, hi, row);
            for (int i = hi + 1; i < dims.x; ++i)
                one(i);
        }
    }
}

} // namespace

void resampleStack(const Volume& raw, const StackPlan& plan, const std::vector<PlaneRef>& planes, Volume& out,
                   float fill) {
    const Geometry& g = out.geometry();
    const Geometry& rg = raw.geometry();
    const glm::dvec3 row = g.direction[0], col = g.direction[1], normal = g.direction[2];
    const std::size_t m = plan.order.size();
    std::vector<glm::dvec3> pos(m);
    for (std::size_t r = 0; r < m; ++r) {
        const auto& p = planes[plan.order[r]].header.position;
        pos[r] = glm::dvec3(p[0], p[1], p[2]);
    }
    // For each output slice k, the two acquired planes that bracket it along the normal and the maps into
    // them.
    const double d0 = plan.distances.front();
    std::vector<SliceMap> maps(std::size_t(g.dims.z));
    std::size_t s = 0;
    for (int k = 0; k < g.dims.z; ++k) {
        const double d = d0 + k * g.spacing.z;
        while (s + 2 < m && plan.distances[s + 1] < d)
            ++s;
        SliceMap& sm = maps[std::size_t(k)];
        sm.s = s;
        sm.s1 = std::min(s + 1, m - 1);
        const double span = plan.distances[sm.s1] - plan.distances[s];
        sm.t = span > 0 ? std::clamp((d - plan.distances[s]) / span, 0.0, 1.0) : 0.0;
        const glm::dvec3 x0 = g.origin + normal * (d - d0); // output voxel (0, 0, k), LPS mm
        for (PlaneMap* pm : {&sm.a, &sm.b}) {
            const glm::dvec3 rel = x0 - pos[pm == &sm.a ? sm.s : sm.s1];
            pm->u0 = glm::dot(rel, row) / rg.spacing.x;
            pm->ui = g.spacing.x * glm::dot(row, row) / rg.spacing.x;
            pm->uj = g.spacing.y * glm::dot(col, row) / rg.spacing.x;
            pm->v0 = glm::dot(rel, col) / rg.spacing.y;
            pm->vi = g.spacing.x * glm::dot(row, col) / rg.spacing.y;
            pm->vj = g.spacing.y * glm::dot(col, col) / rg.spacing.y;
        }
    }
    // Output slices are independent: one band of them per core.
    const int threads = std::clamp(threadCount(), 1, 64);
    std::vector<std::thread> pool;
    auto band = [&](int t) {
        const int k0 = g.dims.z * t / threads, k1 = g.dims.z * (t + 1) / threads;
        const bool in16 = raw.type() == ScalarType::Int16, out16 = out.type() == ScalarType::Int16;
        if (in16 && out16)
            resampleSlices(raw.int16Data(), rg.dims, maps, g.dims, static_cast<std::int16_t*>(out.data()),
                           fill, k0, k1);
        else if (in16)
            resampleSlices(raw.int16Data(), rg.dims, maps, g.dims, static_cast<float*>(out.data()), fill, k0,
                           k1);
        else if (out16)
            resampleSlices(raw.float32Data(), rg.dims, maps, g.dims, static_cast<std::int16_t*>(out.data()),
                           fill, k0, k1);
        else
            resampleSlices(raw.float32Data(), rg.dims, maps, g.dims, static_cast<float*>(out.data()), fill,
                           k0, k1);
    };
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(band, t);
    band(0);
    for (std::thread& th : pool)
        th.join();
}

} // namespace ctview
