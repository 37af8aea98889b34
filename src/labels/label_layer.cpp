#include "labels/label_layer.h"

#include "base/error.h"
#include "volume/parallel.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>

namespace ctview {

LabelLayerBuilder::LabelLayerBuilder(const Geometry& grid, bool bitGroups) : bitGroups_(bitGroups) {
    layer_.grid = grid;
}

void LabelLayerBuilder::add(Segment s, const std::vector<std::uint8_t>& mask) {
    if (mask.size() != layer_.grid.voxelCount())
        throw DataError("segment \"" + s.name + "\": its mask is not on the layer's grid");
    std::vector<std::uint32_t> voxels;
    for (std::size_t i = 0; i < mask.size(); ++i)
        if (mask[i])
            voxels.push_back(std::uint32_t(i));
    add(std::move(s), voxels);
}

void LabelLayerBuilder::checkOnGrid(const Segment& s, const std::vector<std::uint32_t>& voxels) const {
    if (!voxels.empty() && *std::max_element(voxels.begin(), voxels.end()) >= layer_.grid.voxelCount())
        throw DataError("segment \"" + s.name + "\": a voxel off the layer's grid");
}

void LabelLayerBuilder::numberUniquely(Segment& s) {
    const auto taken = [&](int n) {
        return std::any_of(layer_.segments.begin(), layer_.segments.end(),
                           [&](const Segment& o) { return o.number == n; });
    };
    if (!taken(s.number))
        return;
    int next = 0;
    for (const Segment& o : layer_.segments)
        next = std::max(next, o.number);
    s.number = next + 1;
}

void LabelLayerBuilder::add(Segment s, const std::vector<std::uint32_t>& voxels) {
    // Not sorted: a repeat tests and writes the same byte twice (sorting 100 million voxels of a whole-body
    // SEG took a second).
    checkOnGrid(s, voxels);
    numberUniquely(s);
    const std::size_t g = std::size_t(groupFor(voxels));
    s.group = int(g);
    s.kind = kinds_[g];
    s.value = s.kind == GroupKind::Bits ? std::uint8_t(1u << used_[g]++) : std::uint8_t(++used_[g]);
    // The SEG load's hot loop: each kind's write without withSegment's switch per voxel.
    std::vector<std::uint8_t>& group = layer_.groups[g];
    if (s.kind == GroupKind::Bits) {
        for (std::uint32_t v : voxels)
            group[v] |= s.value;
    } else {
        for (std::uint32_t v : voxels)
            group[v] = s.value;
    }
    layer_.segments.push_back(std::move(s));
}

void LabelLayerBuilder::addFraction(Segment s, const std::vector<std::uint32_t>& voxels,
                                    const std::vector<std::uint8_t>& fractions) {
    if (fractions.size() != voxels.size())
        throw DataError("segment \"" + s.name + "\": a fraction per voxel is needed");
    checkOnGrid(s, voxels);
    numberUniquely(s);
    layer_.groups.emplace_back(layer_.grid.voxelCount(), std::uint8_t(0));
    used_.push_back(1);
    kinds_.push_back(GroupKind::Fraction);
    std::vector<std::uint8_t>& group = layer_.groups.back();
    for (std::size_t i = 0; i < voxels.size(); ++i)
        group[voxels[i]] = std::max(group[voxels[i]], fractions[i]);
    s.group = int(layer_.groups.size()) - 1;
    s.value = 128;
    s.kind = GroupKind::Fraction;
    layer_.segments.push_back(std::move(s));
}

int LabelLayerBuilder::groupFor(const std::vector<std::uint32_t>& voxels) {
    std::size_t valueGroups = 0, valueSegments = 0;
    for (std::size_t g = 0; g < layer_.groups.size(); ++g) {
        if (kinds_[g] != GroupKind::Value)
            continue;
        ++valueGroups;
        valueSegments += std::size_t(used_[g]);
        if (used_[g] >= 255)
            continue;
        const std::vector<std::uint8_t>& group = layer_.groups[g];
        if (std::none_of(voxels.begin(), voxels.end(), [&](std::uint32_t v) { return group[v] != 0; }))
            return int(g);
    }
    for (std::size_t g = 0; g < layer_.groups.size(); ++g)
        if (kinds_[g] == GroupKind::Bits && used_[g] < 8)
            return int(g);
    // A value group costs a byte a voxel as a bit group does, and holds one segment where the new one
    // overlaps every value group so far: past the first two, one pays only while value groups fill up.
    const bool valueGroup = !bitGroups_ || valueGroups < 2 || valueSegments >= 8 * valueGroups;
    layer_.groups.emplace_back(layer_.grid.voxelCount(), std::uint8_t(0));
    used_.push_back(0);
    kinds_.push_back(valueGroup ? GroupKind::Value : GroupKind::Bits);
    return int(layer_.groups.size()) - 1;
}

LabelLayer LabelLayerBuilder::take(std::string name, std::string path, std::string kind) {
    layer_.name = std::move(name);
    layer_.path = std::move(path);
    layer_.kind = std::move(kind);
    used_.clear();
    kinds_.clear();
    return std::move(layer_);
}

LabelLayer layerFromLabelValues(const Geometry& grid, const std::int16_t* values,
                                const std::vector<LabelTableEntry>& table) {
    const std::size_t n = grid.voxelCount();
    // The distinct values, and where each goes: groups of up to 255 values, in increasing order. Labels of
    // one labelmap never overlap, so any split into groups works; most labelmaps have one.
    std::map<std::int16_t, std::pair<int, std::uint8_t>> slot;
    for (std::size_t i = 0; i < n; ++i)
        if (values[i] != 0)
            slot.emplace(values[i], std::pair<int, std::uint8_t>{0, 0});
    LabelLayer layer;
    layer.grid = grid;
    int index = 0;
    for (auto& [value, where] : slot) {
        where = {index / 255, std::uint8_t(index % 255 + 1)};
        ++index;
        Segment s;
        s.number = value;
        s.group = where.first;
        s.value = where.second;
        s.name = "Label " + std::to_string(value);
        s.color = labelColor(value);
        const int number = value;
        const auto entry = std::find_if(table.begin(), table.end(),
                                        [&](const LabelTableEntry& e) { return e.value == number; });
        if (entry != table.end()) {
            if (!entry->name.empty())
                s.name = entry->name;
            if (entry->hasColor)
                s.color = entry->color;
        }
        layer.segments.push_back(std::move(s));
    }
    layer.groups.assign(std::size_t((index + 254) / 255), std::vector<std::uint8_t>(n, 0));
    if (layer.groups.size() == 1) {
        // The common case in one pass through a small table: value -> slot.
        std::vector<std::uint8_t>& group = layer.groups[0];
        for (std::size_t i = 0; i < n; ++i)
            if (values[i] != 0)
                group[i] = slot.find(values[i])->second.second;
    } else {
        for (std::size_t i = 0; i < n; ++i)
            if (values[i] != 0) {
                const auto& where = slot.find(values[i])->second;
                layer.groups[std::size_t(where.first)][i] = where.second;
            }
    }
    return layer;
}

glm::vec3 labelColor(int n) {
    // Hues a golden angle apart, at the saturation and value of a clearly coloured overlay.
    const double h = std::fmod(double(n) * 137.508, 360.0) / 60.0;
    const double s = 0.75, v = 0.95;
    const double c = v * s, x = c * (1 - std::fabs(std::fmod(h, 2.0) - 1)), m = v - c;
    glm::dvec3 rgb;
    switch (int(h)) {
    case 0:
        rgb = {c, x, 0};
        break;
    case 1:
        rgb = {x, c, 0};
        break;
    case 2:
        rgb = {0, c, x};
        break;
    case 3:
        rgb = {0, x, c};
        break;
    case 4:
        rgb = {x, 0, c};
        break;
    default:
        rgb = {c, 0, x};
        break;
    }
    return glm::vec3(rgb + m);
}

bool sameGrid(const Geometry& a, const Geometry& b) {
    if (a.dims != b.dims)
        return false;
    for (int c = 0; c < 3; ++c) {
        if (std::fabs(a.spacing[c] - b.spacing[c]) > 1e-3 || std::fabs(a.origin[c] - b.origin[c]) > 1e-3)
            return false;
        for (int r = 0; r < 3; ++r)
            if (std::fabs(a.direction[c][r] - b.direction[c][r]) > 1e-6)
                return false;
    }
    return true;
}

namespace {
// The labelled voxels of `from` whose centres lie outside the boxes of `to`'s voxels: those that no voxel of
// `to` can show. (Not those no centre of `to` lands nearest: a finer labelmap has many of those inside.)
std::size_t labelledOutside(const Geometry& from, const std::int16_t* values, const Geometry& to) {
    const glm::dmat3 fromTo = glm::inverse(to.voxelSteps()) * from.voxelSteps();
    const glm::dvec3 origin = to.patientToVoxel(from.origin);
    const glm::dvec3 lo(-0.5), hi = glm::dvec3(to.dims) - 0.5;
    std::size_t count = 0, n = 0;
    for (int k = 0; k < from.dims.z; ++k)
        for (int j = 0; j < from.dims.y; ++j) {
            const glm::dvec3 row = origin + fromTo * glm::dvec3(0, j, k);
            for (int i = 0; i < from.dims.x; ++i, ++n) {
                if (values[n] == 0)
                    continue;
                const glm::dvec3 p = row + fromTo[0] * double(i);
                count += glm::any(glm::lessThan(p, lo)) || glm::any(glm::greaterThanEqual(p, hi));
            }
        }
    return count;
}
} // namespace

std::vector<std::int16_t> resampleLabels(const Geometry& from, const std::int16_t* values, const Geometry& to,
                                         std::size_t* outside) {
    std::vector<std::int16_t> out(to.voxelCount(), 0);
    // `to` voxel -> `from` voxel is affine: its columns are the steps of one voxel along i, j, k.
    const glm::dmat3 toFrom = glm::inverse(from.voxelSteps()) * to.voxelSteps();
    const glm::dvec3 origin = from.patientToVoxel(to.origin);
    std::size_t n = 0;
    for (int k = 0; k < to.dims.z; ++k)
        for (int j = 0; j < to.dims.y; ++j) {
            const glm::dvec3 row = origin + toFrom * glm::dvec3(0, j, k);
            for (int i = 0; i < to.dims.x; ++i, ++n) {
                const glm::dvec3 p = row + toFrom[0] * double(i);
                const glm::ivec3 v(int(std::floor(p.x + 0.5)), int(std::floor(p.y + 0.5)),
                                   int(std::floor(p.z + 0.5)));
                if (glm::any(glm::lessThan(v, glm::ivec3(0))) ||
                    glm::any(glm::greaterThanEqual(v, from.dims)))
                    continue;
                const std::size_t src = (std::size_t(v.z) * std::size_t(from.dims.y) + std::size_t(v.y)) *
                                            std::size_t(from.dims.x) +
                                        std::size_t(v.x);
                out[n] = values[src];
            }
        }
    if (outside)
        *outside = labelledOutside(from, values, to);
    return out;
}

std::vector<std::uint8_t> segmentMask(const LabelLayer& layer, const Segment& s) {
    const std::vector<std::uint8_t>& group = layer.groups[std::size_t(s.group)];
    std::vector<std::uint8_t> mask(group.size());
    for (std::size_t v = 0; v < group.size(); ++v)
        mask[v] = holds(s, group[v]) ? 1 : 0;
    return mask;
}

GroupKind LabelLayer::groupKind(int group) const {
    for (const Segment& s : segments)
        if (s.group == group)
            return s.kind;
    return GroupKind::Value; // a group of no segment (none yet): any kind would do
}

std::size_t LabelLayer::bitGroupCount() const {
    std::size_t n = 0;
    for (std::size_t g = 0; g < groups.size(); ++g)
        n += isBitGroup(int(g));
    return n;
}

std::uint8_t LabelLayer::freeValue(int group) const {
    const GroupKind type = groupKind(group);
    if (type == GroupKind::Fraction)
        return 0;
    const bool bits = type == GroupKind::Bits;
    unsigned used = 0; // a bit group: the bits taken; a value group: the largest value
    for (const Segment& s : segments)
        if (s.group == group)
            used = bits ? used | s.value : std::max(used, unsigned(s.value));
    if (!bits)
        return used < 255 ? std::uint8_t(used + 1) : std::uint8_t(0);
    for (unsigned bit = 1; bit < 256; bit <<= 1)
        if (!(used & bit))
            return std::uint8_t(bit);
    return 0;
}

LabelLayer withValueGroupsOnly(const LabelLayer& layer) {
    LabelLayer out;
    out.name = layer.name;
    out.path = layer.path;
    out.kind = layer.kind;
    out.grid = layer.grid;
    out.notes = layer.notes;
    out.problems = layer.problems;
    out.references = layer.references;
    out.stats = layer.stats;
    out.marks = layer.marks;
    out.segments = layer.segments;
    std::vector<int> movedTo(layer.groups.size(), -1);
    for (std::size_t g = 0; g < layer.groups.size(); ++g)
        if (layer.groupKind(int(g)) == GroupKind::Value) {
            movedTo[g] = int(out.groups.size());
            out.groups.push_back(layer.groups[g]);
        }
    LabelLayerBuilder rest(layer.grid, /*bitGroups=*/false);
    std::vector<std::size_t> restOf; // the index in `rest` -> the segment's index
    for (std::size_t s = 0; s < layer.segments.size(); ++s) {
        Segment& seg = out.segments[s];
        if (seg.kind == GroupKind::Value) {
            seg.group = movedTo[std::size_t(seg.group)];
            continue;
        }
        const std::vector<std::uint8_t>& group = layer.groups[std::size_t(seg.group)];
        std::vector<std::uint32_t> voxels;
        for (std::size_t v = 0; v < group.size(); ++v)
            if (holds(seg, group[v]))
                voxels.push_back(std::uint32_t(v));
        rest.add(seg, voxels);
        restOf.push_back(s);
    }
    LabelLayer moved = rest.take("", "", "");
    for (std::size_t r = 0; r < restOf.size(); ++r) {
        Segment& seg = out.segments[restOf[r]];
        seg.group = moved.segments[r].group + int(out.groups.size());
        seg.value = moved.segments[r].value;
        seg.kind = GroupKind::Value;
    }
    for (std::vector<std::uint8_t>& g : moved.groups)
        out.groups.push_back(std::move(g));
    return out;
}

namespace {

float huAt(const Volume& ct, std::size_t n) {
    return ct.type() == ScalarType::Int16 ? float(ct.int16Data()[n]) : ct.float32Data()[n];
}

// What follows from a segment's count, sums and voxel box: its volume, mean, SD and LPS box.
void finishStats(SegmentStats& st, const Geometry& g) {
    st.volumeMl = double(st.voxels) * g.spacing.x * g.spacing.y * g.spacing.z / 1000.0;
    if (st.voxels == 0) {
        st = SegmentStats{};
        return;
    }
    const double n = double(st.voxels);
    st.mean = st.sum / n;
    st.sd = std::sqrt(std::max(0.0, st.sumSquares / n - st.mean * st.mean));
    // The LPS box of the voxel box's corner centres: exact for axis-aligned grids, a little larger than the
    // voxels' own box for a tilted one.
    st.bboxMin = glm::dvec3(std::numeric_limits<double>::max());
    st.bboxMax = glm::dvec3(std::numeric_limits<double>::lowest());
    for (int c = 0; c < 8; ++c) {
        const glm::dvec3 ijk((c & 1) ? st.voxelMax.x : st.voxelMin.x, (c & 2) ? st.voxelMax.y : st.voxelMin.y,
                             (c & 4) ? st.voxelMax.z : st.voxelMin.z);
        const glm::dvec3 p = g.voxelToPatient(ijk);
        st.bboxMin = glm::min(st.bboxMin, p);
        st.bboxMax = glm::max(st.bboxMax, p);
    }
}

} // namespace

ByteSegments::ByteSegments(const LabelLayer& layer, int group) {
    of_.fill(-1);
    for (std::size_t s = 0; s < layer.segments.size(); ++s)
        if (layer.segments[s].group == group) {
            of_[layer.segments[s].value] = int(s);
            bits_ = layer.segments[s].kind == GroupKind::Bits;
            if (layer.segments[s].kind == GroupKind::Fraction)
                std::fill(of_.begin() + 128, of_.end(), int(s));
        }
}

std::vector<SegmentStats> measureSegments(const LabelLayer& layer, const Volume& ct,
                                          const std::vector<char>* only) {
    struct Acc {
        std::size_t n = 0;
        double sum = 0, sum2 = 0;
        float min = std::numeric_limits<float>::max(), max = std::numeric_limits<float>::lowest();
        glm::ivec3 lo{std::numeric_limits<int>::max()}, hi{std::numeric_limits<int>::min()};
        void add(const Acc& o) {
            n += o.n;
            sum += o.sum;
            sum2 += o.sum2;
            min = std::min(min, o.min);
            max = std::max(max, o.max);
            lo = glm::min(lo, o.lo);
            hi = glm::max(hi, o.hi);
        }
    };
    const Geometry& g = layer.grid;
    if (ct.geometry().dims != g.dims)
        throw DataError(layer.name + ": not on the CT's grid");
    std::vector<SegmentStats> out(layer.segments.size());
    auto wanted = [&](std::size_t s) { return !only || (s < only->size() && (*only)[s]); };
    for (std::size_t gi = 0; gi < layer.groups.size(); ++gi) {
        ByteSegments seg(layer, int(gi));
        seg.keepOnly(wanted);
        if (seg.empty())
            continue;
        std::vector<Acc> acc(256);
        const std::vector<std::uint8_t>& group = layer.groups[gi];
        std::mutex merging;
        // Slabs of slices on each core, each with its own sums, merged at the end.
        parallelFor(g.dims.z, [&](int kA, int kB) {
            std::vector<Acc> part(256);
            std::size_t n = std::size_t(kA) * std::size_t(g.dims.y) * std::size_t(g.dims.x);
            for (int k = kA; k < kB; ++k)
                for (int j = 0; j < g.dims.y; ++j)
                    for (int i = 0; i < g.dims.x; ++i, ++n) {
                        // Most of a group is empty: eight zero bytes are eight voxels passed at once.
                        if (i + 8 <= g.dims.x) {
                            std::uint64_t eight;
                            std::memcpy(&eight, group.data() + n, 8);
                            if (eight == 0) {
                                i += 7;
                                n += 7;
                                continue;
                            }
                        }
                        const std::uint8_t v = group[n];
                        if (v == 0)
                            continue;
                        Acc& a = part[v];
                        const float hu = huAt(ct, n);
                        ++a.n;
                        a.sum += hu;
                        a.sum2 += double(hu) * hu;
                        a.min = std::min(a.min, hu);
                        a.max = std::max(a.max, hu);
                        a.lo = glm::min(a.lo, glm::ivec3(i, j, k));
                        a.hi = glm::max(a.hi, glm::ivec3(i, j, k));
                    }
            const std::lock_guard lock(merging);
            for (std::size_t v = 1; v < 256; ++v) {
                acc[v].add(part[v]);
            }
        });
        // Each byte's sums go to every segment it holds (one in a value group, any of eight in a bit group).
        std::vector<Acc> ofSegment(layer.segments.size());
        for (int v = 1; v < 256; ++v) {
            const Acc& a = acc[std::size_t(v)];
            if (a.n == 0)
                continue;
            seg.forEach(std::uint8_t(v), [&](std::size_t s) { ofSegment[s].add(a); });
        }
        for (std::size_t s = 0; s < layer.segments.size(); ++s) {
            if (layer.segments[s].group != int(gi) || !wanted(s))
                continue;
            const Acc& a = ofSegment[s];
            SegmentStats& st = out[s];
            st.voxels = a.n;
            st.sum = a.sum;
            st.sumSquares = a.sum2;
            st.min = a.min;
            st.max = a.max;
            st.voxelMin = a.lo;
            st.voxelMax = a.hi;
            finishStats(st, g);
        }
    }
    return out;
}

void updateStats(LabelLayer& layer, const Volume& ct, int group, glm::ivec3 lo, glm::ivec3 hi,
                 const std::vector<std::uint8_t>& before) {
    const Geometry& g = layer.grid;
    layer.stats.resize(layer.segments.size());
    const ByteSegments seg(layer, group);
    std::vector<char> again(layer.segments.size(), 0); // lost a voxel that may have held its min, max or box
    const std::vector<std::uint8_t>& now = layer.groups[std::size_t(group)];
    std::size_t at = 0;
    for (int k = lo.z; k <= hi.z; ++k)
        for (int j = lo.y; j <= hi.y; ++j) {
            const std::size_t row =
                (std::size_t(k) * std::size_t(g.dims.y) + std::size_t(j)) * std::size_t(g.dims.x);
            for (int i = lo.x; i <= hi.x; ++i, ++at) {
                const std::uint8_t was = before[at], is = now[row + std::size_t(i)];
                if (was == is)
                    continue;
                const float hu = huAt(ct, row + std::size_t(i));
                const glm::ivec3 v(i, j, k);
                seg.forEachLeft(was, is, [&](std::size_t s) {
                    SegmentStats& st = layer.stats[s];
                    --st.voxels;
                    st.sum -= hu;
                    st.sumSquares -= double(hu) * hu;
                    if (hu <= st.min || hu >= st.max || glm::any(glm::equal(v, st.voxelMin)) ||
                        glm::any(glm::equal(v, st.voxelMax)))
                        again[s] = 1;
                });
                seg.forEachLeft(is, was, [&](std::size_t s) {
                    SegmentStats& st = layer.stats[s];
                    if (st.voxels == 0) {
                        st.min = st.max = hu;
                        st.voxelMin = st.voxelMax = v;
                    }
                    ++st.voxels;
                    st.sum += hu;
                    st.sumSquares += double(hu) * hu;
                    st.min = std::min(st.min, hu);
                    st.max = std::max(st.max, hu);
                    st.voxelMin = glm::min(st.voxelMin, v);
                    st.voxelMax = glm::max(st.voxelMax, v);
                });
            }
        }
    for (std::size_t s = 0; s < layer.segments.size(); ++s)
        if (layer.segments[s].group == group && !again[s])
            finishStats(layer.stats[s], g);
    if (std::find(again.begin(), again.end(), 1) == again.end())
        return;
    const std::vector<SegmentStats> measured = measureSegments(layer, ct, &again);
    for (std::size_t s = 0; s < again.size(); ++s)
        if (again[s])
            layer.stats[s] = measured[s];
}

namespace {
std::uint64_t nextLayerId() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
}
} // namespace

LayerLineage::LayerLineage() : id(nextLayerId()) {}

LayerLineage& LayerLineage::operator=(const LayerLineage&) {
    id = nextLayerId();
    editedFrom = 0;
    group = -1;
    lo = glm::ivec3(0);
    hi = glm::ivec3(-1);
    return *this;
}

} // namespace ctview
