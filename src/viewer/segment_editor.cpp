#include "viewer/segment_editor.h"

#include "base/text.h"
#include "edit/mask_ops.h"
#include "edit/morphology.h"
#include "mesh/contour.h"
#include "mesh/smooth.h"
#include "viewer/app_state.h"
#include "volume/camera3d.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ctview::viewer {

namespace {

constexpr const char* kEditorKind = "segment editor";

// The voxels whose centres lie in the 3D view's crop box (all of them when there is none): [lo, hi].
std::pair<glm::ivec3, glm::ivec3> cropVoxels(const AppState& s, glm::ivec3 dims) {
    const glm::dvec3 d(dims);
    const glm::ivec3 lo(glm::ceil(s.view3d.cropMin * d - 0.5));
    const glm::ivec3 hi(glm::floor(s.view3d.cropMax * d - 0.5));
    return {glm::clamp(lo, glm::ivec3(0), dims - 1), glm::clamp(hi, glm::ivec3(0), dims - 1)};
}

std::size_t indexOf(glm::ivec3 dims, int i, int j, int k) {
    return (std::size_t(k) * std::size_t(dims.y) + std::size_t(j)) * std::size_t(dims.x) + std::size_t(i);
}

// `next`, made from the scene's layer `layer` by changing its group `group` within the box [lo, hi] only
// (`before`: the box's bytes as they were; its segments too, when they changed), into the scene and the
// dataset in its place: its statistics brought up to date from the change, and its lineage saying so, so
// that the GPU takes the box, not the layer.
void publish(AppState& s, int layer, std::shared_ptr<LabelLayer> next, int group, glm::ivec3 lo,
             glm::ivec3 hi, const std::vector<std::uint8_t>& before) {
    LabelLayerView& view = s.scene.labels[std::size_t(layer)];
    std::shared_ptr<const LabelLayer>& inScene = view.layer;
    view.visible.resize(next->segments.size(), 1);
    updateStats(*next, s.scene.base->series.volume, group, lo, hi, before);
    next->lineage.editedFrom = inScene->lineage.id;
    next->lineage.group = group;
    next->lineage.lo = lo;
    next->lineage.hi = hi;
    for (auto& held : s.scene.base->labels)
        if (held == inScene)
            held = next;
    inScene = std::move(next);
    s.editor.unsaved = true;
    ++s.editor.revision;
}

// Boxes' bytes of a group: copied out, or written back.
std::vector<std::uint8_t> boxBytes(const std::vector<std::uint8_t>& group, glm::ivec3 dims, glm::ivec3 lo,
                                   glm::ivec3 hi) {
    std::vector<std::uint8_t> out;
    out.reserve(std::size_t(hi.x - lo.x + 1) * std::size_t(hi.y - lo.y + 1) * std::size_t(hi.z - lo.z + 1));
    for (int k = lo.z; k <= hi.z; ++k)
        for (int j = lo.y; j <= hi.y; ++j)
            out.insert(out.end(), group.begin() + std::ptrdiff_t(indexOf(dims, lo.x, j, k)),
                       group.begin() + std::ptrdiff_t(indexOf(dims, hi.x, j, k)) + 1);
    return out;
}
void putBoxBytes(std::vector<std::uint8_t>& group, glm::ivec3 dims, glm::ivec3 lo, glm::ivec3 hi,
                 const std::vector<std::uint8_t>& bytes) {
    std::size_t at = 0;
    const std::size_t row = std::size_t(hi.x) - std::size_t(lo.x) + 1;
    for (int k = lo.z; k <= hi.z; ++k)
        for (int j = lo.y; j <= hi.y; ++j, at += row)
            std::copy_n(bytes.begin() + std::ptrdiff_t(at), row,
                        group.begin() + std::ptrdiff_t(indexOf(dims, lo.x, j, k)));
}

// The change of group `group` from layer `was` to `now` within the box [lo, hi], as undo keeps it (`layer`:
// its number in the scene): the box's bytes before and after.
SegmentChange changeOf(int layer, const LabelLayer& was, const LabelLayer& now, int group, glm::ivec3 lo,
                       glm::ivec3 hi) {
    SegmentChange c;
    c.layer = layer;
    c.group = group;
    c.lo = lo;
    c.hi = hi;
    c.before = boxBytes(was.groups[std::size_t(group)], was.grid.dims, lo, hi);
    c.after = boxBytes(now.groups[std::size_t(group)], now.grid.dims, lo, hi);
    return c;
}

// Makes the selected segment what wanted(v, in) says within the box [lo, hi] (outside it unchanged; `in`:
// whether voxel v is in the segment now): a voxel wanted joins it (leaving the segment of its group that held
// it), one not wanted leaves it. Recorded for undo.
template <class Wanted>
bool commitWith(AppState& s, glm::ivec3 lo, glm::ivec3 hi, const std::string& what, Wanted wanted) {
    SegmentEditor& e = s.editor;
    const LabelLayer& l = *editedLayer(s);
    const Segment& seg = l.segments[std::size_t(e.segment)];
    const glm::ivec3 dims = l.grid.dims;
    // The layer's copy is edited (the renderers hold the one in the scene): one copy of its voxels an edit.
    auto next = std::make_shared<LabelLayer>(l);
    std::vector<std::uint8_t>& group = next->groups[std::size_t(seg.group)];
    glm::ivec3 changedLo(dims), changedHi(-1);
    for (int k = lo.z; k <= hi.z; ++k)
        for (int j = lo.y; j <= hi.y; ++j)
            for (int i = lo.x; i <= hi.x; ++i) {
                const std::size_t v = indexOf(dims, i, j, k);
                const bool in = holds(seg, group[v]);
                const bool want = wanted(v, in);
                if (want == in)
                    continue;
                group[v] = withSegment(seg, group[v], want);
                changedLo = glm::min(changedLo, glm::ivec3(i, j, k));
                changedHi = glm::max(changedHi, glm::ivec3(i, j, k));
            }
    if (changedHi.x < 0) {
        e.lastMessage = what + ": nothing changed";
        return false;
    }
    SegmentChange c = changeOf(e.layer, l, *next, seg.group, changedLo, changedHi);
    c.segment = seg.number;
    c.what = what;
    publish(s, e.layer, std::move(next), c.group, c.lo, c.hi, c.before);
    e.undo.push_back(std::move(c));
    e.redo.clear();
    const LabelLayer& now = *editedLayer(s);
    char text[160];
    std::snprintf(text, sizeof text, "%s: %s now %.2f mL", what.c_str(),
                  now.segments[std::size_t(e.segment)].name.c_str(),
                  now.stats[std::size_t(e.segment)].volumeMl);
    e.lastMessage = text;
    return true;
}

bool commit(AppState& s, const Mask& wanted, glm::ivec3 lo, glm::ivec3 hi, const std::string& what) {
    return commitWith(s, lo, hi, what, [&](std::size_t v, bool) { return wanted[v] != 0; });
}

bool fullGridCommit(AppState& s, const Mask& wanted, const std::string& what) {
    const glm::ivec3 dims = editedLayer(s)->grid.dims;
    return commit(s, wanted, glm::ivec3(0), dims - 1, what);
}

// Edits kept from a session that did not end cleanly are restored or let go before new ones are made: a new
// edit would be kept in their place.
bool decidedOnKeptEdits(AppState& s) {
    if (s.editor.restorable.empty())
        return true;
    s.editor.lastMessage = "first restore the edits kept from last time, or discard them";
    return false;
}

bool ready(AppState& s) {
    if (!decidedOnKeptEdits(s))
        return false;
    if (editedLayer(s) && s.hasVolume() && !s.scene.base->preview)
        return true;
    s.editor.lastMessage = "choose a segment to edit, or make a new one";
    return false;
}

Connectivity connectivityOf(const SegmentEditor& e) {
    return e.connectivity == 26 ? Connectivity::All26 : Connectivity::Faces6;
}

// The segment of `list` numbered `number` (Segment::number), or list.end().
std::vector<Segment>::const_iterator segmentNumbered(const std::vector<Segment>& list, int number) {
    return std::find_if(list.begin(), list.end(), [&](const Segment& x) { return x.number == number; });
}

// The layer's segments with a change's segment list taken from `was` to `becomes`, by segment number: those
// only in `was` go, those only in `becomes` come (at the end), those in both take `becomes`' name and colour.
// Segments made since (a New segment after the change) stay as they are.
std::vector<Segment> segmentsChanged(const std::vector<Segment>& current, const std::vector<Segment>& was,
                                     const std::vector<Segment>& becomes) {
    auto find = [](const std::vector<Segment>& list, int number) { return segmentNumbered(list, number); };
    std::vector<Segment> out;
    for (const Segment& seg : current) {
        const auto after = find(becomes, seg.number);
        if (after != becomes.end())
            out.push_back(*after);
        else if (find(was, seg.number) == was.end())
            out.push_back(seg); // not the change's
    }
    for (const Segment& seg : becomes)
        if (find(out, seg.number) == out.end())
            out.push_back(seg);
    return out;
}

// Redoes (`forward`) or undoes the last change of one list, moving it to the other. The segment being edited
// stays the one it was (by number) when it is still there, else becomes the change's.
bool replay(AppState& s, bool forward) {
    SegmentEditor& e = s.editor;
    std::vector<SegmentChange>& from = forward ? e.redo : e.undo;
    std::vector<SegmentChange>& to = forward ? e.undo : e.redo;
    if (from.empty() || !s.hasVolume())
        return false;
    SegmentChange& c = from.back();
    if (std::size_t(c.layer) >= s.scene.labels.size() ||
        std::size_t(c.group) >= s.scene.labels[std::size_t(c.layer)].layer->groups.size())
        return false;
    const LabelLayer& l = *s.scene.labels[std::size_t(c.layer)].layer;
    const int selected = e.layer == c.layer && std::size_t(e.segment) < l.segments.size()
                             ? l.segments[std::size_t(e.segment)].number
                             : c.segment;
    auto next = std::make_shared<LabelLayer>(l);
    putBoxBytes(next->groups[std::size_t(c.group)], next->grid.dims, c.lo, c.hi,
                forward ? c.after : c.before);
    if (!c.segmentsBefore.empty() || !c.segmentsAfter.empty())
        next->segments = forward ? segmentsChanged(l.segments, c.segmentsBefore, c.segmentsAfter)
                                 : segmentsChanged(l.segments, c.segmentsAfter, c.segmentsBefore);
    publish(s, c.layer, std::move(next), c.group, c.lo, c.hi, forward ? c.before : c.after);
    const std::vector<Segment>& now = s.scene.labels[std::size_t(c.layer)].layer->segments;
    if (e.layer == c.layer) {
        auto at = segmentNumbered(now, selected);
        if (at == now.end())
            at = segmentNumbered(now, c.segment);
        e.segment =
            at == now.end() ? std::max(0, std::min(e.segment, int(now.size()) - 1)) : int(at - now.begin());
    }
    e.lastMessage = std::string(forward ? "Redone: " : "Undone: ") + c.what;
    to.push_back(std::move(c));
    from.pop_back();
    return true;
}

} // namespace

const LabelLayer* editedLayer(const AppState& s) {
    const SegmentEditor& e = s.editor;
    if (!e.editing() || std::size_t(e.layer) >= s.scene.labels.size())
        return nullptr;
    const LabelLayer* l = s.scene.labels[std::size_t(e.layer)].layer.get();
    return l && std::size_t(e.segment) < l->segments.size() ? l : nullptr;
}

Mesh segmentSurface(const LabelLayer& l, const Segment& seg) {
    Mesh mesh = contourSurface(maskField(segmentMask(l, seg), l.grid.dims));
    smoothTaubin(mesh, kSegmentSurfaceSmoothing);
    voxelToPatient(mesh, l.grid, false);
    return mesh;
}

bool syncSegmentSurface(AppState& s) {
    std::vector<SurfaceLayerView>& surfaces = s.scene.surfaces;
    const LabelLayer* l = s.editor.surfaceIn3d ? editedLayer(s) : nullptr;
    if (!l) {
        surfaces.clear();
        return false;
    }
    const Segment& seg = l->segments[std::size_t(s.editor.segment)];
    // The mesh still stands for the segment's voxels when the layer is the one it was made from, or was made
    // from that one by a change that touched none of them: a rename or a new colour (an empty box), or an
    // edit of another group.
    const LayerLineage& lineage = l->lineage;
    const bool voxelsAsMeshed =
        surfaces.size() == 1 && surfaces[0].segmentNumber == seg.number &&
        (surfaces[0].layerId == lineage.id ||
         (surfaces[0].layerId == lineage.editedFrom &&
          (glm::any(glm::lessThan(lineage.hi, lineage.lo)) || lineage.group != seg.group)));
    if (voxelsAsMeshed) {
        surfaces[0].layerId = lineage.id;
        surfaces[0].colour = seg.color;
        surfaces[0].name = seg.name;
        return false;
    }
    static std::uint64_t nextId = 0;
    SurfaceLayerView v;
    v.mesh = std::make_shared<const Mesh>(segmentSurface(*l, seg));
    v.id = ++nextId;
    v.layerId = l->lineage.id;
    v.segmentNumber = seg.number;
    v.name = seg.name;
    v.colour = seg.color;
    surfaces = {std::move(v)};
    return true;
}

const std::vector<ThresholdPreset>& thresholdPresets() {
    static const std::vector<ThresholdPreset> presets = {
        {"Bone", 300, 3071}, {"Soft tissue", -160, 240}, {"Lung", -1000, -400}, {"Air", -1024, -900}};
    return presets;
}

const std::vector<FileFormat>& segmentationFormats() {
    static const std::vector<FileFormat> formats = {{"3D Slicer (.seg.nrrd)", ".seg.nrrd"},
                                                    {"Labelmap (.nii.gz)", ".nii.gz"},
                                                    {"DICOM SEG (.dcm)", ".dcm"}};
    return formats;
}

const std::vector<FileFormat>& surfaceFormats() {
    static const std::vector<FileFormat> formats = {
        {"STL", ".stl"}, {"OBJ (normals)", ".obj"}, {"PLY (normals, colour)", ".ply"}};
    return formats;
}

bool newSegment(AppState& s) {
    if (!s.hasVolume())
        return false;
    if (s.scene.base->preview) {
        s.editor.lastMessage = "the series is still loading: segments can be made once it is here";
        return false;
    }
    if (!decidedOnKeptEdits(s))
        return false;
    const Volume& ct = s.scene.base->series.volume;
    int layer = -1;
    for (std::size_t n = 0; n < s.scene.labels.size(); ++n)
        if (s.scene.labels[n].layer->kind == kEditorKind)
            layer = int(n);
    LabelLayer next;
    if (layer < 0) {
        next.name = "New segmentation";
        next.kind = kEditorKind;
        next.grid = ct.geometry();
    } else {
        next = *s.scene.labels[std::size_t(layer)].layer;
    }
    int number = 1;
    for (const Segment& seg : next.segments)
        number = std::max(number, seg.number + 1);
    // The first value group with a value free (segments made here do not overlap until a group is full;
    // painting one takes the voxels from the others, as in a labelmap).
    Segment seg{number, "Segment " + std::to_string(number), labelColor(number), 0, 0};
    for (std::size_t g = 0; g < next.groups.size() && seg.value == 0; ++g)
        if (next.groupKind(int(g)) == GroupKind::Value)
            seg = {number, seg.name, seg.color, int(g), next.freeValue(int(g))};
    if (seg.value == 0) {
        next.groups.emplace_back(ct.geometry().voxelCount(), 0);
        seg.group = int(next.groups.size()) - 1;
        seg.value = 1;
    }
    next.segments.push_back(seg);
    next.stats = measureSegments(next, ct);
    auto made = std::make_shared<const LabelLayer>(std::move(next));
    if (layer < 0) {
        addLabelLayer(s, made);
        layer = int(s.scene.labels.size()) - 1;
    } else {
        LabelLayerView& view = s.scene.labels[std::size_t(layer)];
        for (auto& held : s.scene.base->labels)
            if (held == view.layer)
                held = made;
        view.layer = made;
        view.visible.push_back(1);
    }
    selectSegment(s, layer, int(s.scene.labels[std::size_t(layer)].layer->segments.size()) - 1);
    s.editor.lastMessage = "New " + seg.name;
    return true;
}

void selectSegment(AppState& s, int layer, int segment) {
    s.editor.layer = layer;
    s.editor.segment = segment;
}

bool setSegmentLook(AppState& s, const std::string& name, glm::vec3 colour) {
    if (!ready(s))
        return false;
    SegmentEditor& e = s.editor;
    const LabelLayer& l = *editedLayer(s);
    const Segment& seg = l.segments[std::size_t(e.segment)];
    if (name.empty()) {
        e.lastMessage = "a segment needs a name";
        return false;
    }
    colour = glm::clamp(colour, 0.0f, 1.0f);
    if (name == seg.name && colour == seg.color)
        return false;
    auto next = std::make_shared<LabelLayer>(l);
    Segment& now = next->segments[std::size_t(e.segment)];
    now.name = name;
    now.color = colour;
    // No voxel changes: an empty box, the segments before and after.
    SegmentChange c;
    c.layer = e.layer;
    c.group = seg.group;
    c.segment = seg.number;
    c.segmentsBefore = l.segments;
    c.segmentsAfter = next->segments;
    c.what = name == seg.name ? "Colour of " + name : "Rename " + seg.name + " to " + name;
    publish(s, e.layer, std::move(next), c.group, c.lo, c.hi, c.before);
    e.lastMessage = c.what;
    e.undo.push_back(std::move(c));
    e.redo.clear();
    return true;
}

bool applyThreshold(AppState& s) {
    if (!ready(s))
        return false;
    SegmentEditor& e = s.editor;
    const Volume& ct = s.scene.base->series.volume;
    const auto [lo, hi] = cropVoxels(s, ct.geometry().dims);
    char what[96];
    std::snprintf(what, sizeof what, "Threshold %g..%g HU", double(e.lo), double(e.hi));
    return commit(s, thresholdMask(ct, e.lo, e.hi), lo, hi, what);
}

bool keepIslandAt(AppState& s, glm::ivec3 at) {
    if (!ready(s))
        return false;
    const LabelLayer& l = *editedLayer(s);
    const Segment& seg = l.segments[std::size_t(s.editor.segment)];
    const Mask kept = ctview::keepIslandAt(segmentMask(l, seg), l.grid.dims, at, connectivityOf(s.editor));
    if (countVoxels(kept) == 0) {
        s.editor.lastMessage = "Keep the part clicked: the voxel clicked is not in " + seg.name;
        return false;
    }
    return fullGridCommit(s, kept, "Keep the part clicked");
}

bool growAt(AppState& s, glm::ivec3 at) {
    if (!ready(s))
        return false;
    SegmentEditor& e = s.editor;
    const Volume& ct = s.scene.base->series.volume;
    const Part grown = ctview::growPart(ct, e.lo, e.hi, at, connectivityOf(e));
    char what[96];
    std::snprintf(what, sizeof what, "Grow %g..%g HU from the click", double(e.lo), double(e.hi));
    if (grown.voxels == 0) {
        e.lastMessage = std::string(what) + ": the voxel clicked is " +
                        std::to_string(int(std::lround(ct.at(at.x, at.y, at.z)))) + " HU, not in the range";
        return false;
    }
    // Only the part's box can change: what is in stays, the part joins.
    return commitWith(s, grown.lo, grown.hi, what,
                      [&](std::size_t v, bool in) { return in || grown.contains(v); });
}

bool keepLargestIsland(AppState& s) {
    if (!ready(s))
        return false;
    const LabelLayer& l = *editedLayer(s);
    const Segment& seg = l.segments[std::size_t(s.editor.segment)];
    return fullGridCommit(
        s, ctview::keepLargestIsland(segmentMask(l, seg), l.grid.dims, connectivityOf(s.editor)),
        "Keep the largest part");
}

bool removeSmallIslands(AppState& s) {
    if (!ready(s))
        return false;
    const LabelLayer& l = *editedLayer(s);
    const Segment& seg = l.segments[std::size_t(s.editor.segment)];
    return fullGridCommit(s,
                          ctview::removeSmallIslands(segmentMask(l, seg), l.grid.dims,
                                                     std::size_t(std::max(1, s.editor.minIsland)),
                                                     connectivityOf(s.editor)),
                          "Remove parts under " + std::to_string(s.editor.minIsland) + " voxels");
}

bool splitIslands(AppState& s) {
    if (!ready(s))
        return false;
    SegmentEditor& e = s.editor;
    const LabelLayer& l = *editedLayer(s);
    const Segment seg = l.segments[std::size_t(e.segment)];
    const glm::ivec3 dims = l.grid.dims;
    const Islands islands = findIslands(segmentMask(l, seg), dims, connectivityOf(e));
    if (islands.sizes.size() < 2) {
        e.lastMessage =
            "Split into islands: " + seg.name + " is " + (islands.sizes.empty() ? "empty" : "one part");
        return false;
    }
    // Parts by size, largest first (the first of equal ones first): the largest stays, the rest of at least
    // minIsland voxels become segments while the group has values free for them.
    std::vector<std::uint32_t> order(islands.sizes.size());
    for (std::size_t n = 0; n < order.size(); ++n)
        order[n] = std::uint32_t(n + 1);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return islands.sizes[a - 1] > islands.sizes[b - 1];
    });
    int number = 0;
    for (const Segment& other : l.segments)
        number = std::max(number, other.number);
    auto next = std::make_shared<LabelLayer>(l);
    std::vector<Segment>& segments = next->segments;
    // Part -> the segment (index in `segments`) it belongs to after; -1: removed.
    const int selected = e.segment;
    std::vector<int> segmentOf(islands.sizes.size() + 1, -1);
    std::size_t dropped = 0, kept = 0;
    for (std::size_t n = 0; n < order.size(); ++n) {
        const std::uint32_t part = order[n];
        const std::uint8_t value = next->freeValue(seg.group); // a value group's or a bit group's
        if (n == 0) {
            segmentOf[part] = selected;
        } else if (islands.sizes[part - 1] < std::size_t(std::max(1, e.minIsland))) {
            ++dropped; // under the size: removed, as Remove smaller parts does
        } else if (value == 0 || int(n) > kMaxSplit) {
            segmentOf[part] = selected; // no value left in the group, or enough segments: stays in this one
            ++kept;
        } else {
            ++number;
            // A name DICOM's LO takes (64 characters): the segment's, shortened to leave room for the count.
            const std::string suffix = " " + std::to_string(n + 1);
            segments.push_back({number, utf8Prefix(seg.name, 64 - suffix.size()) + suffix, labelColor(number),
                                seg.group, value, seg.kind});
            segmentOf[part] = int(segments.size()) - 1;
        }
    }
    std::vector<std::uint8_t>& group = next->groups[std::size_t(seg.group)];
    glm::ivec3 changedLo(dims), changedHi(-1);
    std::size_t v = 0;
    for (int k = 0; k < dims.z; ++k)
        for (int j = 0; j < dims.y; ++j)
            for (int i = 0; i < dims.x; ++i, ++v)
                if (islands.part[v] != 0 && segmentOf[islands.part[v]] != selected) {
                    const int to = segmentOf[islands.part[v]];
                    group[v] = withSegment(seg, group[v], false);
                    if (to >= 0)
                        group[v] = withSegment(segments[std::size_t(to)], group[v], true);
                    changedLo = glm::min(changedLo, glm::ivec3(i, j, k));
                    changedHi = glm::max(changedHi, glm::ivec3(i, j, k));
                }
    if (changedHi.x < 0) {
        e.lastMessage = "Split into islands: no value left in " + seg.name + "'s group for another segment";
        return false;
    }
    SegmentChange c = changeOf(e.layer, l, *next, seg.group, changedLo, changedHi);
    c.segment = seg.number;
    c.segmentsBefore = l.segments;
    c.segmentsAfter = segments;
    const std::size_t made = segments.size() - l.segments.size();
    c.what = "Split " + seg.name + " into " + std::to_string(made + 1) + " segments";
    publish(s, e.layer, std::move(next), c.group, c.lo, c.hi, c.before);
    e.undo.push_back(c);
    e.redo.clear();
    e.lastMessage = c.what + (dropped ? " (" + std::to_string(dropped) + " smaller parts removed)" : "") +
                    (kept ? "; " + std::to_string(kept) + " more parts stay in " + seg.name + " (at most " +
                                std::to_string(kMaxSplit) + " new segments, " +
                                (seg.kind == GroupKind::Bits ? "8 bits a bit group)" : "255 values a group)")
                          : "");
    return true;
}

bool clearSegment(AppState& s) {
    if (!ready(s))
        return false;
    return fullGridCommit(s, Mask(editedLayer(s)->grid.voxelCount(), 0), "Clear");
}

bool changeMargin(AppState& s, MarginEdit edit) {
    if (!ready(s))
        return false;
    const LabelLayer& l = *editedLayer(s);
    const Mask m = segmentMask(l, l.segments[std::size_t(s.editor.segment)]);
    const double mm = std::max(0.0f, s.editor.marginMm);
    char what[64];
    switch (edit) {
    case MarginEdit::Grow:
        std::snprintf(what, sizeof what, "Grow by %g mm", mm);
        return fullGridCommit(s, growMask(m, l.grid, mm), what);
    case MarginEdit::Shrink:
        std::snprintf(what, sizeof what, "Shrink by %g mm", mm);
        return fullGridCommit(s, shrinkMask(m, l.grid, mm), what);
    case MarginEdit::FillHoles:
        std::snprintf(what, sizeof what, "Fill holes (%g mm)", mm);
        return fullGridCommit(s, closeMask(m, l.grid, mm), what);
    case MarginEdit::RemoveThin:
        std::snprintf(what, sizeof what, "Remove thin parts (%g mm)", mm);
        return fullGridCommit(s, openMask(m, l.grid, mm), what);
    case MarginEdit::Median:
        std::snprintf(what, sizeof what, "Smooth (median, %g mm)", mm);
        if (medianRadius(l.grid, mm) == glm::ivec3(0)) {
            char hint[96];
            std::snprintf(hint, sizeof hint, ": the box is less than a voxel; give at least %.1f mm",
                          medianLeastMm(l.grid));
            s.editor.lastMessage = std::string(what) + hint;
            return false;
        }
        return fullGridCommit(s, medianMask(m, l.grid, mm), what);
    }
    return false;
}

void adoptRestoredEdits(AppState& s, const std::shared_ptr<const LabelLayer>& layer) {
    SegmentEditor& e = s.editor;
    e.adopting.clear();
    if (!layer || !s.hasVolume())
        return;
    auto restored = std::make_shared<LabelLayer>(*layer);
    restored->name = "Restored segmentation";
    restored->kind = kEditorKind;
    addLabelLayer(s, restored);
    selectSegment(s, int(s.scene.labels.size()) - 1, restored->segments.empty() ? -1 : 0);
    e.unsaved = true;
    e.autosaved = ++e.revision; // edits of this session now, and the autosave holds them
    e.lastMessage = "Restored the unsaved edits: save them to keep them";
}

void resetSegmentEditor(SegmentEditor& e) {
    e.layer = e.segment = -1;
    e.undo.clear();
    e.redo.clear();
    e.unsaved = false;
    e.revision = e.autosaved = 0;
    e.restorable.clear();
    e.adopting.clear();
    e.lastMessage.clear();
}

namespace {

// Whether screen point p lies inside the closed polygon (even-odd rule: a crossing count along +x).
bool insidePolygon(const std::vector<glm::dvec2>& poly, glm::dvec2 p) {
    bool in = false;
    for (std::size_t a = 0, b = poly.size() - 1; a < poly.size(); b = a++)
        if ((poly[a].y > p.y) != (poly[b].y > p.y) &&
            p.x < poly[b].x + (poly[a].x - poly[b].x) * (p.y - poly[b].y) / (poly[a].y - poly[b].y))
            in = !in;
    return in;
}

} // namespace

bool cutWithScissors(AppState& s, const std::vector<glm::dvec2>& shape) {
    if (!ready(s))
        return false;
    const std::string what = s.editor.keepInside ? "Scissors: keep inside" : "Scissors: remove inside";
    if (shape.size() < 3) {
        s.editor.lastMessage = what + ": draw a shape around what to cut";
        return false;
    }
    const LabelLayer& l = *editedLayer(s);
    const std::size_t segment = std::size_t(s.editor.segment);
    if (segment >= l.stats.size() || l.stats[segment].voxels == 0) {
        s.editor.lastMessage = what + ": the segment is empty";
        return false;
    }
    const Rect& r = s.cells[3];
    const CameraMatrices cm = cameraMatrices(s.view3d.camera, l.grid, {r.w, r.h});
    const bool keepInside = s.editor.keepInside;
    const Geometry& g = l.grid;
    const glm::ivec3 dims = g.dims;
    // Only the segment's own voxels are projected (the others cannot change): within its box.
    return commitWith(
        s, l.stats[segment].voxelMin, l.stats[segment].voxelMax, what, [&](std::size_t v, bool in) {
            if (!in)
                return false;
            const std::size_t nx = std::size_t(dims.x), plane = nx * std::size_t(dims.y);
            const glm::ivec3 ijk(int(v % nx), int(v / nx % std::size_t(dims.y)), int(v / plane));
            glm::dvec2 at;
            const bool inside =
                projectToScreen(cm, r, g.voxelToPatient(glm::dvec3(ijk)), at) && insidePolygon(shape, at);
            return inside == keepInside;
        });
}

namespace {

// Distance from q to the segment [a, b] (a point when they coincide), mm.
double distanceToSegment(glm::dvec3 q, glm::dvec3 a, glm::dvec3 b) {
    const glm::dvec3 ab = b - a;
    const double length2 = glm::dot(ab, ab);
    const double t = length2 > 0 ? std::clamp(glm::dot(q - a, ab) / length2, 0.0, 1.0) : 0.0;
    return glm::length(q - (a + t * ab));
}

} // namespace

bool paintStroke(AppState& s, const std::vector<glm::dvec3>& stroke, int view, bool erase) {
    if (!ready(s) || stroke.empty() || view < 0 || view > 2)
        return false;
    SegmentEditor& e = s.editor;
    const Volume& ct = s.scene.base->series.volume;
    const Geometry& g = ct.geometry();
    const double r = std::max(0.1f, e.brushMm);
    const SlicePlane plane = planeOf(s, view);
    const double halfSlice =
        0.5 * sliceSpacingOf(s, view) * 0.999; // the view's own slice, not its neighbours
    // The stroke's box in voxels (a brush's reach around every point, in every direction: turned grids too).
    const glm::dvec3 reach = glm::dvec3(r / std::min({g.spacing.x, g.spacing.y, g.spacing.z}) + 1.0);
    glm::dvec3 lo(1e30), hi(-1e30);
    for (const glm::dvec3& p : stroke) {
        const glm::dvec3 c = g.patientToVoxel(p);
        lo = glm::min(lo, c - reach);
        hi = glm::max(hi, c + reach);
    }
    const glm::ivec3 boxLo = glm::clamp(glm::ivec3(glm::floor(lo)), glm::ivec3(0), g.dims - 1);
    const glm::ivec3 boxHi = glm::clamp(glm::ivec3(glm::ceil(hi)), glm::ivec3(0), g.dims - 1);
    const std::size_t nx = std::size_t(g.dims.x), plane2 = nx * std::size_t(g.dims.y);
    const std::vector<glm::dvec3> path =
        stroke.size() == 1 ? std::vector<glm::dvec3>{stroke[0], stroke[0]} : stroke;
    char what[96];
    std::snprintf(what, sizeof what, "%s %g mm%s", erase ? "Erase" : "Paint", double(r),
                  e.sphere ? " (ball)" : "");
    const float huLo = e.lo, huHi = e.hi;
    const bool limit = e.limitToRange, sphere = e.sphere;
    return commitWith(s, boxLo, boxHi, what, [&](std::size_t v, bool in) {
        const glm::ivec3 ijk(int(v % nx), int(v / nx % std::size_t(g.dims.y)), int(v / plane2));
        glm::dvec3 q = g.voxelToPatient(glm::dvec3(ijk));
        if (!sphere) { // a disc in the view's plane: the voxels of its slice, measured in the plane
            const double off = plane.distance(q) - plane.distance(path[0]);
            if (std::abs(off) > halfSlice)
                return in;
            q -= off * plane.normal;
        }
        bool brushed = false;
        for (std::size_t n = 0; n + 1 < path.size() && !brushed; ++n)
            brushed = distanceToSegment(q, path[n], path[n + 1]) <= r;
        if (!brushed ||
            (limit && !(ct.at(ijk.x, ijk.y, ijk.z) >= huLo && ct.at(ijk.x, ijk.y, ijk.z) <= huHi)))
            return in;
        return !erase;
    });
}

bool undoSegmentEdit(AppState& s) {
    return replay(s, false);
}

bool redoSegmentEdit(AppState& s) {
    return replay(s, true);
}

} // namespace ctview::viewer
