#include "dicom/phases.h"

#include <glm/glm.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
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

// The phases by key `k`, or none when it does not tell the planes at each position apart.
std::vector<Phase> byKey(const std::vector<PlaneRef>& planes, const std::vector<std::size_t>& position,
                         std::size_t positions, std::size_t k) {
    const unsigned bit = 1u << k;
    if (!std::all_of(planes.begin(), planes.end(),
                     [&](const PlaneRef& p) { return p.header.timeKnown & bit; }))
        return {};
    // The planes at each position in the key's order; a value twice at one position: not this key.
    std::vector<std::vector<std::size_t>> at(positions);
    for (std::size_t i = 0; i < planes.size(); ++i)
        at[position[i]].push_back(i);
    const auto value = [&](std::size_t i) { return planes[i].header.time[k]; };
    for (auto& list : at) {
        std::stable_sort(list.begin(), list.end(),
                         [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
        for (std::size_t r = 1; r < list.size(); ++r)
            if (value(list[r]) == value(list[r - 1]))
                return {};
    }
    std::vector<Phase> phases;
    if (kTemporalKeys[k].byRank) {
        // The r-th plane in time at each position is phase r (each slice of a phase has its own time).
        for (const auto& list : at)
            for (std::size_t r = 0; r < list.size(); ++r) {
                if (phases.size() <= r)
                    phases.resize(r + 1);
                phases[r].planes.push_back(list[r]);
            }
        for (Phase& p : phases) {
            double sum = 0;
            for (std::size_t i : p.planes)
                sum += value(i);
            p.value = sum / double(p.planes.size());
        }
    } else {
        std::map<double, Phase> byValue;
        for (std::size_t i = 0; i < planes.size(); ++i) {
            Phase& p = byValue[value(i)];
            p.value = value(i);
            p.planes.push_back(i);
        }
        for (auto& [v, p] : byValue)
            phases.push_back(std::move(p));
    }
    if (phases.size() < 2)
        return {};
    for (Phase& p : phases)
        p.positions = p.planes.size(); // one plane per position (no value twice at one)
    return phases;
}

} // namespace

PhaseSplit splitPhases(const std::vector<PlaneRef>& planes) {
    PhaseSplit split;
    const std::vector<std::size_t> position = positionIndex(planes, split.positions);
    if (position.empty() || split.positions == planes.size())
        return split; // no positions, or none shared: a 3D series
    for (std::size_t k = 0; k < kTemporalKeys.size(); ++k) {
        std::vector<Phase> phases = byKey(planes, position, split.positions, k);
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
