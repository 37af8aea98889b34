#include "core/geometry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

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

StackPlan planStack(const std::vector<PlaneRef>& planes, bool allowResample, double gantryTiltTag) {
    StackPlan plan;
    const std::size_t n = planes.size();
    if (n == 0)
        return plan;
    const FrameHeader& first = planes[0].header;
    const glm::dvec3 row(first.orientation[0], first.orientation[1], first.orientation[2]);
    const glm::dvec3 col(first.orientation[3], first.orientation[4], first.orientation[5]);
    glm::dvec3 normal = glm::cross(row, col);
    const double nlen = glm::length(normal);
    normal = nlen > 1e-6 ? normal / nlen : glm::dvec3(0, 0, 1);
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
    if (uneven)
        plan.warnings.push_back(fmt("uneven slice spacing: steps from %.3f to %.3f mm (usual %.3f mm)",
                                    plan.minStep, plan.maxStep, plan.measuredStep));

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
    if (irregular && allowResample) {
        plan.resample = true;
        const double span = plan.distances.back() - plan.distances.front();
        const int slices = int(std::lround(span / plan.measuredStep)) + 1;
        plan.grid.spacing.z = plan.measuredStep;
        plan.grid.direction = glm::dmat3(row, col, normal);
        plan.grid.dims.z = slices;
        plan.warnings.push_back(
            fmt("resampled onto a regular grid of %.0f slices %.3f mm apart in patient space "
                "(use --no-resample to keep the acquired slices)",
                slices, plan.measuredStep));
    } else if (irregular) {
        plan.warnings.push_back(fmt(
            "not resampled (--no-resample): the volume keeps the %.0f acquired slices with a mean step of "
            "%.3f mm, so positions between them are approximate",
            double(m), rawStep));
    }
    return plan;
}

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
    auto sampleRaw = [&](std::size_t s, const glm::dvec3& x, bool& inside) -> double {
        const glm::dvec3 d = x - pos[s];
        const double u = glm::dot(d, row) / rg.spacing.x, v = glm::dot(d, col) / rg.spacing.y;
        if (u < -0.5 || v < -0.5 || u > rg.dims.x - 0.5 || v > rg.dims.y - 0.5) {
            inside = false;
            return 0;
        }
        const double uc = std::clamp(u, 0.0, double(rg.dims.x - 1)),
                     vc = std::clamp(v, 0.0, double(rg.dims.y - 1));
        const int i0 = std::min(int(uc), rg.dims.x - 1), j0 = std::min(int(vc), rg.dims.y - 1);
        const int i1 = std::min(i0 + 1, rg.dims.x - 1), j1 = std::min(j0 + 1, rg.dims.y - 1);
        const double fu = uc - i0, fv = vc - j0;
        const int k = int(s);
        return (1 - fv) * ((1 - fu) * raw.at(i0, j0, k) + fu * raw.at(i1, j0, k)) +
               fv * ((1 - fu) * raw.at(i0, j1, k) + fu * raw.at(i1, j1, k));
    };
    const double d0 = plan.distances.front();
    std::size_t s = 0;
    for (int k = 0; k < g.dims.z; ++k) {
        const double d = d0 + k * g.spacing.z;
        while (s + 2 < m && plan.distances[s + 1] < d)
            ++s;
        const std::size_t s1 = std::min(s + 1, m - 1);
        const double span = plan.distances[s1] - plan.distances[s];
        const double t = span > 0 ? std::clamp((d - plan.distances[s]) / span, 0.0, 1.0) : 0.0;
        for (int j = 0; j < g.dims.y; ++j)
            for (int i = 0; i < g.dims.x; ++i) {
                const glm::dvec3 x =
                    g.origin + row * (i * g.spacing.x) + col * (j * g.spacing.y) + normal * (d - d0);
                bool in0 = true, in1 = true;
                const double a = sampleRaw(s, x, in0);
                const double b = sampleRaw(s1, x, in1);
                float v = fill;
                if (in0 && in1)
                    v = float(a + t * (b - a));
                else if (in0 && t < 0.5)
                    v = float(a);
                else if (in1 && t >= 0.5)
                    v = float(b);
                out.set(i, j, k, v);
            }
    }
}

} // namespace ctview
