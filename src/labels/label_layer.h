#pragma once
// Segmentations on the base image's voxel grid: a label layer is the segments one file holds (a labelmap, a
// DICOM SEG, an RTSTRUCT), each a set of voxels of the CT, with a name and a colour.
//
// Storage. Segments may overlap (a voxel in the liver and in a tumour; a SEG's segments are independent), so
// one label value per voxel cannot hold them. A layer keeps its segments in groups: each group is one byte
// per voxel of the grid, holding 0 or the value (1..255) of the one segment of the group at that voxel, and
// segments that overlap go to different groups. A labelmap is one group whatever its number of labels (at
// most 255 distinct values per group); the 117 mostly disjoint segments of a TotalSegmentator SEG are one or
// two groups. A layer costs (groups x voxels) bytes: 150 MiB a group on 512 x 512 x 600, not a mask per
// segment.
#include "volume/volume.h"

#include <glm/glm.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ctview {

struct Segment {
    int number = 0;           // the file's own: the label value, SEG's SegmentNumber, RTSTRUCT's ROINumber
    std::string name;         // as the file says, else "Segment N"
    glm::vec3 color{1, 0, 0}; // sRGB, 0..1
    int group = 0;            // which of the layer's groups holds it,
    std::uint8_t value = 0;   //   with this value (1..255)
};

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
    std::vector<std::string> references; // SeriesInstanceUIDs of the series it was drawn on, when it says
    std::vector<SegmentStats> stats; // per segment, measured on the series it was opened on (measureSegments)
    std::vector<LayerMark> marks;    // RTSTRUCT points and open contours (no voxels)

    bool contains(const Segment& s, std::size_t voxel) const {
        return groups[std::size_t(s.group)][voxel] == s.value;
    }
    std::size_t bytes() const { return groups.size() * grid.voxelCount(); }
};

// Builds a layer a segment at a time, each into the first group where it overlaps no voxel already taken.
// Readers hand each segment's voxels as a predicate over the grid's voxel indices, or as a mask.
class LabelLayerBuilder {
  public:
    explicit LabelLayerBuilder(const Geometry& grid);
    // Adds `s` (its group and value are set here) holding the voxels n with mask[n] != 0 (grid.voxelCount()
    // bytes; fewer than 2^32). A segment with no voxel is kept (it is listed, with 0 mL).
    void add(Segment s, const std::vector<std::uint8_t>& mask);
    // The same with the segment's voxels as indices (any order, repeats allowed): for sparse segments (a
    // SEG's), whose work is their voxels, not the grid's.
    void add(Segment s, std::vector<std::uint32_t> voxels);
    LabelLayer take(std::string name, std::string path, std::string kind);

  private:
    LabelLayer layer_;
    std::vector<int> used_; // values used per group
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
// that fall outside `to`.
std::vector<std::int16_t> resampleLabels(const Geometry& from, const std::int16_t* values, const Geometry& to,
                                         std::size_t* outside = nullptr);
// Whether two grids are the same voxel for voxel (within a micrometre and a millionth of a direction).
bool sameGrid(const Geometry& a, const Geometry& b);

// Group `group`'s byte values -> the index in layer.segments of the segment each stands for (-1: none): the
// one table by which a pass over a group's bytes serves all of its segments at once.
std::array<int, 256> segmentOfValue(const LabelLayer& layer, int group);
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
