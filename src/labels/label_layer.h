#pragma once
// Segmentations on the base image's voxel grid: a label layer is the segments one file holds (a labelmap, a
// DICOM SEG, an RTSTRUCT), each a set of voxels of the CT, with a name and a colour.
//
// Storage. Segments may overlap (a voxel in the liver and in a tumour; a SEG's segments are independent), so
// one label value per voxel cannot hold them. A layer keeps its segments in groups of one byte per voxel of
// the grid, of two kinds:
// - a value group holds 0 or the value (1..255) of the one segment of the group at that voxel: segments that
//   do not overlap share it, up to 255 of them. A labelmap is one whatever its number of labels; the 117
//   mostly disjoint segments of a TotalSegmentator SEG are one or two.
// - a bit group holds eight segments that may overlap one another, a bit each: where segments
//   overlap every value group, eight of them cost the byte one of them would cost in a value group of its
//   own (96 heavily overlapping ellipsoids: 2 value groups and 10 bit groups, not 39 value groups).
// - a fraction group holds one segment of a FRACTIONAL SEG (a probability or an occupancy), the byte its
//   fraction scaled to 0..255: in the segment at 128 (0.5) and over, drawn with the fraction as opacity (a
//   soft edge).
// A layer costs (groups x voxels) bytes: 150 MiB a group on 512 x 512 x 600, not a mask per segment.
#include "volume/volume.h"

#include <glm/glm.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ctview {

enum class GroupKind { Value, Bits, Fraction };

struct Segment {
    int number = 0;           // the file's own: the label value, SEG's SegmentNumber, RTSTRUCT's ROINumber
    std::string name;         // as the file says, else "Segment N"
    glm::vec3 color{1, 0, 0}; // sRGB, 0..1
    int group = 0;            // which of the layer's groups holds it,
    std::uint8_t value = 0;   //   with this value (1..255), this bit (1, 2, ..., 128) of a bit group, or
                              //   from 128 (0.5) up in a fraction group
    GroupKind kind = GroupKind::Value; // its group's (every segment of a group has the same)
};

// Whether a group's byte `b` holds segment `s` (of that group).
inline bool holds(const Segment& s, std::uint8_t b) {
    switch (s.kind) {
    case GroupKind::Value:
        return b == s.value;
    case GroupKind::Bits:
        return (b & s.value) != 0;
    case GroupKind::Fraction:
        return b >= 128;
    }
    return false;
}
// Byte `b` of segment `s`'s group with `s` present or not (`in`) and the group's other segments as they are;
// in a value group a voxel holds one segment, so joining takes the voxel from the one there. An edit makes a
// fraction whole: 255 in, 0 out (what lies under 0.5 stays as it was).
inline std::uint8_t withSegment(const Segment& s, std::uint8_t b, bool in) {
    switch (s.kind) {
    case GroupKind::Value:
        return in ? s.value : (b == s.value ? std::uint8_t(0) : b);
    case GroupKind::Bits:
        return in ? std::uint8_t(b | s.value) : std::uint8_t(b & ~s.value);
    case GroupKind::Fraction:
        return holds(s, b) == in ? b : std::uint8_t(in ? 255 : 0);
    }
    return b;
}

// What `ctview segments` and the Segments panel show of one segment, measured on the CT.
struct SegmentStats {
    std::size_t voxels = 0;
    double volumeMl = 0;               // voxels x the voxel's volume (mm3 / 1000)
    double mean = 0, sd = 0;           // HU (population SD)
    float min = 0, max = 0;            // HU
    glm::dvec3 bboxMin{0}, bboxMax{0}; // LPS mm of the voxel centres (equal when one voxel)
    glm::ivec3 voxelMin{0}, voxelMax{0};
    double sum = 0, sumSquares = 0; // of the HU: what an edit's change is added to (updateStats)
};
// What a layer shows besides voxels, in patient space (LPS mm): an RTSTRUCT's POINT contours (a mark at each
// point) and OPEN_PLANAR / OPEN_NONPLANAR ones (a line through the points), drawn in their segment's colour
// on the slices they lie on.
struct LayerMark {
    std::size_t segment = 0; // index in the layer's segments
    bool point = false;      // POINT: each point a mark; else an open polyline
    std::vector<glm::dvec3> points;
};

// Which layer object this is, for what is kept of it elsewhere (the GPU's textures of its groups): every
// layer has its own number, a copy a new one. And, when the segment editor made it from another by changing
// one group within a box only, which one and where: what was made of that one is then brought up to date by
// the box alone. A copy is none of that: it is a layer of its own.
struct LayerLineage {
    std::uint64_t id;
    std::uint64_t editedFrom = 0; // 0: made whole
    int group = -1;
    glm::ivec3 lo{0}, hi{-1}; // voxels, inclusive

    LayerLineage();
    LayerLineage(const LayerLineage&) : LayerLineage() {}
    LayerLineage& operator=(const LayerLineage&);
    ~LayerLineage() = default;
};

struct LabelLayer {
    LayerLineage lineage;
    std::string name; // what the Segments panel and `ctview segments` call it: the file's name
    std::string path; // where it came from
    std::string kind; // "labelmap", "DICOM SEG", "RTSTRUCT"
    Geometry grid;    // the base image's
    std::vector<Segment> segments;
    std::vector<std::vector<std::uint8_t>> groups; // grid.voxelCount() bytes each, index as Volume::index
    std::vector<std::string> notes;                // what the load says (resampled onto the CT's grid, ...)
    std::vector<std::string> problems;   // what the load could not show (voxels, contours, files left out)
    std::vector<std::string> references; // SeriesInstanceUIDs of the series it was drawn on, when it says
    std::vector<SegmentStats> stats; // per segment, measured on the series it was opened on (measureSegments)
    std::vector<LayerMark> marks;    // RTSTRUCT points and open contours (no voxels)

    bool contains(const Segment& s, std::size_t voxel) const {
        return holds(s, groups[std::size_t(s.group)][voxel]);
    }
    std::size_t bytes() const { return groups.size() * grid.voxelCount(); }
    GroupKind groupKind(int group) const;
    bool isBitGroup(int group) const { return groupKind(group) == GroupKind::Bits; }
    std::size_t bitGroupCount() const;
    // A value (1..255) or bit of group `group` that no segment uses, 0 when the group is full (a fraction
    // group always is).
    std::uint8_t freeValue(int group) const;
};

// Which segments a byte of one group stands for: the one table by which a pass over a group's bytes serves
// all of its segments at once (a value group: the segment of that value; a bit group: one per bit set).
class ByteSegments {
  public:
    ByteSegments(const LabelLayer& layer, int group); // a fraction group: its segment for 128..255
    bool bits() const { return bits_; }
    // f(index in layer.segments) for each segment that byte `b` holds.
    template <class F> void forEach(std::uint8_t b, F&& f) const {
        if (!bits_) {
            if (of_[b] >= 0)
                f(std::size_t(of_[b]));
            return;
        }
        for (int bit = 0; bit < 8; ++bit)
            if ((b >> bit) & 1 && of_[std::size_t(1) << bit] >= 0)
                f(std::size_t(of_[std::size_t(1) << bit]));
    }
    // The segments that byte `was` held and byte `is` does not.
    template <class F> void forEachLeft(std::uint8_t was, std::uint8_t is, F&& f) const {
        forEach(bits_ ? std::uint8_t(was & ~is) : (was == is ? std::uint8_t(0) : was), f);
    }
    // Keeps only the segments `keep(index)` says.
    template <class Keep> void keepOnly(Keep&& keep) {
        for (int& s : of_)
            s = s >= 0 && keep(std::size_t(s)) ? s : -1;
    }
    bool empty() const {
        return std::all_of(of_.begin(), of_.end(), [](int s) { return s < 0; });
    }

  private:
    bool bits_ = false;
    std::array<int, 256> of_; // byte value (a bit group: a single bit) -> segment index, -1: none
};

// Builds a layer a segment at a time, each into the first value group where it overlaps no voxel already
// taken, else into a bit group with a bit free. A new group is a value group while value groups pay (the
// first two, then while they hold eight segments each on average), else a bit group. Readers hand each
// segment's voxels as a list of voxel indices, or as a mask.
class LabelLayerBuilder {
  public:
    // `bitGroups` false: value groups only (as many as the overlaps need), for files whose layers are
    // labelmaps (3D Slicer's .seg.nrrd).
    explicit LabelLayerBuilder(const Geometry& grid, bool bitGroups = true);
    // Adds `s` (its group and value are set here) holding the voxels n with mask[n] != 0 (grid.voxelCount()
    // bytes; fewer than 2^32). A segment with no voxel is kept (it is listed, with 0 mL). A number a segment
    // before it has (a .seg.nrrd's label value in two of its layers) becomes the next free one: the editor's
    // undo and `--segment N` tell a layer's segments apart by number.
    void add(Segment s, const std::vector<std::uint8_t>& mask);
    // The same with the segment's voxels as indices (any order, repeats allowed): for sparse segments (a
    // SEG's), whose work is their voxels, not the grid's.
    void add(Segment s, const std::vector<std::uint32_t>& voxels);
    // A FRACTIONAL segment in a fraction group of its own: fractions[n] (0..255, in at 128) at voxels[n];
    // a voxel given twice keeps the larger.
    void addFraction(Segment s, const std::vector<std::uint32_t>& voxels,
                     const std::vector<std::uint8_t>& fractions);
    LabelLayer take(std::string name, std::string path, std::string kind);
    std::size_t segmentCount() const { return layer_.segments.size(); }

  private:
    int groupFor(const std::vector<std::uint32_t>& voxels);
    void checkOnGrid(const Segment& s, const std::vector<std::uint32_t>& voxels) const;
    void numberUniquely(Segment& s);
    LabelLayer layer_;
    bool bitGroups_ = true;
    std::vector<int> used_;        // values (bits) used per group
    std::vector<GroupKind> kinds_; // per group
};

// A labelmap's values (grid.voxelCount() of them; one segment per distinct non-zero value, in increasing
// order) as a layer on the same grid: one group when there are at most 255 values, more otherwise.
// `names`/`colors` by label value; missing ones get "Label N" and labelColor(N).
struct LabelTableEntry {
    int value = 0;
    std::string name;
    bool hasColor = false;
    glm::vec3 color{0};
    int layer = 0; // 3D Slicer's Segment<N>_Layer: which labelmap of a layered .seg.nrrd holds the value
};
LabelLayer layerFromLabelValues(const Geometry& grid, const std::int16_t* values,
                                const std::vector<LabelTableEntry>& table);

// A distinct colour for label `n` when the file gives none (golden-angle hues, as many viewers do).
glm::vec3 labelColor(int n);

// Label values on grid `from` (a labelmap in its own geometry, from.voxelCount() of them) resampled
// nearest-neighbour onto grid `to`: each voxel of `to` takes the value at the `from` voxel whose centre is
// nearest its centre in patient space (0 outside `from`). `outside` counts the voxels of `from` with a label
// whose centres fall outside `to` (past the boxes of its edge voxels).
std::vector<std::int16_t> resampleLabels(const Geometry& from, const std::int16_t* values, const Geometry& to,
                                         std::size_t* outside = nullptr);
// Whether two grids are the same voxel for voxel (within a micrometre and a millionth of a direction).
bool sameGrid(const Geometry& a, const Geometry& b);

// `layer` with the segments of its bit groups moved to value groups of their own (as few as their overlaps
// allow): for files whose layers are labelmaps. Value groups, and the segments' order, stay as they were.
LabelLayer withValueGroupsOnly(const LabelLayer& layer);
// Segment `s`'s voxels on the layer's grid: 1 in it, 0 elsewhere (Volume's order).
std::vector<std::uint8_t> segmentMask(const LabelLayer& layer, const Segment& s);

// Every segment of `layer` measured on `ct` (of the layer's grid), in the layer's order: one pass per group.
// With `only` (a flag per segment), those segments alone, the others' entries left empty: one pass over
// each group that holds one of them.
std::vector<SegmentStats> measureSegments(const LabelLayer& layer, const Volume& ct,
                                          const std::vector<char>* only = nullptr);
// After an edit of group `group` within the box [lo, hi] (voxels, inclusive; `before`: the box's bytes as
// they were, in Volume's order), layer.stats (as they were, one per segment: new segments empty) brought up
// to date from the voxels that changed: what joined a segment is added; what left it is taken off, and the
// segment is measured again only when its minimum, maximum or box may have gone with it.
void updateStats(LabelLayer& layer, const Volume& ct, int group, glm::ivec3 lo, glm::ivec3 hi,
                 const std::vector<std::uint8_t>& before);

} // namespace ctview
