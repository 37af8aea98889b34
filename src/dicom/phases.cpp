#include "dicom/phases.h"

#include <glm/glm.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace ctview {

namespace {

// Each plane's position along the first plane's normal, as an index of the distinct positions (planes
// within 0.01 mm share one, as the stack planner's duplicates do); empty when a plane has no position.
std::vector<std::size_t> positionIndex(const std::vector<PlaneRef>& planes, std::size_t& count) {
    count = 0;
    if (planes.empty() ||
        !std::all_of(planes.begin(), planes.end(), [](const PlaneRef& p) { return p.header.hasPosition; }))
        return {};
    const glm::dvec3 normal = sliceNormal(planes.front().header);
    std::vector<double> d(planes.size());
    for (std::size_t i = 0; i < planes.size(); ++i) {
        const auto& p = planes[i].header.position;
        d[i] = glm::dot(glm::dvec3(p[0], p[1], p[2]), normal);
    }
    std::vector<std::size_t> order(planes.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return d[a] < d[b]; });
    std::vector<std::size_t> index(planes.size());
    for (std::size_t r = 0; r < order.size(); ++r) {
        if (r == 0 || d[order[r]] - d[order[r - 1]] >= 0.01)
            ++count;
        index[order[r]] = count - 1;
    }
    return index;
}

// The planes' values of key `k` (times of day made continuous across midnight: a value more than 12 h before
// the latest is taken as the next day's).
std::vector<double> valuesOf(const std::vector<PlaneRef>& planes, std::size_t k) {
    std::vector<double> v(planes.size());
    for (std::size_t i = 0; i < planes.size(); ++i)
        v[i] = planes[i].header.time[k];
    if (std::string(kTemporalKeys[k].unit) == "s" && !v.empty()) {
        const double latest = *std::max_element(v.begin(), v.end());
        for (double& x : v)
            if (latest - x > 12 * 3600)
                x += 24 * 3600;
    }
    return v;
}

// The phases by key `k`: its values cut into `count` runs at the count - 1 widest gaps between them, in time
// order. A run is a phase when it holds at most one plane per position and every gap between runs is wider
// than any within one (a trigger time that drifts from slice to slice stays in its phase; a phase that lacks
// a position does not shift the others). None when the key does not part the planes so.
std::vector<Phase> byKey(const std::vector<PlaneRef>& planes, const std::vector<std::size_t>& position,
                         std::size_t positions, std::size_t count, std::size_t k) {
    const unsigned bit = 1u << k;
    if (!std::all_of(planes.begin(), planes.end(),
                     [&](const PlaneRef& p) { return p.header.timeKnown & bit; }))
        return {};
    const std::vector<double> value = valuesOf(planes, k);
    std::vector<std::size_t> order(planes.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return value[a] < value[b]; });
    // The gaps between neighbours in time, widest first; the count - 1 widest (each > 0) are the cuts.
    std::vector<std::size_t> gaps; // gap r: between order[r - 1] and order[r]
    for (std::size_t r = 1; r < order.size(); ++r)
        gaps.push_back(r);
    const auto width = [&](std::size_t r) { return value[order[r]] - value[order[r - 1]]; };
    std::stable_sort(gaps.begin(), gaps.end(),
                     [&](std::size_t a, std::size_t b) { return width(a) > width(b); });
    if (gaps.size() < count - 1 || width(gaps[count - 2]) <= 0)
        return {};
    const double narrowestCut = width(gaps[count - 2]);
    const double widestKept = gaps.size() >= count ? width(gaps[count - 1]) : 0.0;
    if (widestKept >= narrowestCut)
        return {}; // no clear parting: as wide a gap inside a phase as between two
    std::vector<std::size_t> cuts(gaps.begin(), gaps.begin() + std::ptrdiff_t(count - 1));
    std::sort(cuts.begin(), cuts.end());
    std::vector<Phase> phases(count);
    std::size_t phase = 0;
    for (std::size_t r = 0; r < order.size(); ++r) {
        if (phase < cuts.size() && r == cuts[phase])
            ++phase;
        phases[phase].planes.push_back(order[r]);
    }
    for (Phase& p : phases) {
        std::vector<bool> seen(positions, false);
        double sum = 0;
        for (std::size_t i : p.planes) {
            if (seen[position[i]])
                return {}; // two planes of one phase at one position: not this key
            seen[position[i]] = true;
            sum += value[i];
        }
        p.positions = p.planes.size();
        p.value = sum / double(p.planes.size());
        if (std::string(kTemporalKeys[k].unit) == "s")
            p.value = std::fmod(p.value, 24 * 3600.0); // a time of day again (after midnight)
    }
    return phases;
}

} // namespace

PhaseSplit splitPhases(const std::vector<PlaneRef>& planes) {
    PhaseSplit split;
    const std::vector<std::size_t> position = positionIndex(planes, split.positions);
    if (position.empty() || split.positions == planes.size())
        return split; // no positions, or none shared: a 3D series
    // As many phases as planes at the fullest position, and most positions that full: else a stack with a
    // repeated slice or two overlapping acquisitions, not phases (the stack planner's duplicate rule holds).
    std::vector<std::size_t> at(split.positions, 0);
    for (std::size_t p : position)
        ++at[p];
    const std::size_t count = *std::max_element(at.begin(), at.end());
    if (2 * std::size_t(std::count(at.begin(), at.end(), count)) < split.positions)
        return split;
    for (std::size_t k = 0; k < kTemporalKeys.size(); ++k) {
        std::vector<Phase> phases = byKey(planes, position, split.positions, count, k);
        if (!phases.empty()) {
            split.key = int(k);
            split.phases = std::move(phases);
            return split;
        }
    }
    return split;
}

std::string phaseValueText(int key, double value) {
    char text[64];
    const std::string unit = key >= 0 ? kTemporalKeys[std::size_t(key)].unit : "";
    if (unit == "s") {
        const int h = int(value / 3600), m = int(std::fmod(value, 3600) / 60);
        std::snprintf(text, sizeof text, "%02d:%02d:%05.2f", h, m, std::fmod(value, 60));
    } else {
        std::snprintf(text, sizeof text, "%g%s%s", value, unit.empty() ? "" : " ", unit.c_str());
    }
    return text;
}

} // namespace ctview
