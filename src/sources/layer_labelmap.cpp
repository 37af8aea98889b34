// Labelmaps as layers: NIfTI-1 and NRRD files of integer label values, one segment per value (nnU-Net,
// TotalSegmentator's --ml output, ITK-SNAP, 3D Slicer's .seg.nrrd, in one layer or several). Names and
// colours from the .seg.nrrd's own fields, else from a label table beside the file (labels/label_table.h). A
// labelmap on another grid than the series' is resampled onto it, nearest voxel. Teem and nifticlib run in an
// isolated worker, as for the volume files.
#include "base/error.h"
#include "base/text.h"
#include "labels/label_table.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/isolated_file.h"
#include "sources/layers.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

namespace ctview {

namespace {

// What a load says of a file: notes (what it did: names from a table, resampled) and problems (what it could
// not show: voxels left out); and whether a table shared by the folder (labels.json, dataset.json) may name
// the file's labels (not for a mask of a folder of masks: each is named for its file).
struct Said {
    std::vector<std::string> notes, problems;
    bool folderTables = true;
};

// More distinct values than this is an image (a CT's HU), not a labelmap.
constexpr std::size_t kMaxLabels = 4000;

std::string gridText(const Geometry& g) {
    char spacing[96];
    std::snprintf(spacing, sizeof spacing, "%.3g x %.3g x %.3g mm", g.spacing.x, g.spacing.y, g.spacing.z);
    return std::to_string(g.dims.x) + "x" + std::to_string(g.dims.y) + "x" + std::to_string(g.dims.z) +
           " at " + spacing;
}

// What the load says of a labelmap resampled from its grid `from` onto the series'.
void noteResampled(const Geometry& from, std::size_t outside, Said& said) {
    said.notes.push_back(
        "resampled onto the series' grid, nearest voxel (the file's grid: " + gridText(from) + ")");
    if (outside > 0)
        said.problems.push_back(counted(outside, "labelled voxel lies", "labelled voxels lie") +
                                " outside the series");
}

std::vector<LabelTableEntry> tableFor(const std::filesystem::path& file, const VolumeFileHeader& h,
                                      Said& said) {
    std::vector<LabelTableEntry> table = slicerSegmentTable(h.fields);
    if (!table.empty())
        return table;
    const std::filesystem::path side = findLabelTable(file, said.folderTables);
    if (side.empty())
        return {};
    try {
        table = readLabelTable(side);
        said.notes.push_back("names from " + side.filename().string());
    } catch (const DataError& e) {
        said.notes.push_back(std::string(e.what()) + ": labels numbered instead");
    }
    return table;
}

// The table's labels that no voxel has (a label table lists every structure a model knows; a scan shows
// some): not segments, but said, so that a name looked for is not simply missing.
void noteAbsentLabels(const std::vector<LabelTableEntry>& table, const LabelLayer& layer, Said& said) {
    std::vector<std::string> absent;
    for (const LabelTableEntry& e : table)
        if (std::none_of(layer.segments.begin(), layer.segments.end(),
                         [&](const Segment& s) { return s.number == e.value; }))
            absent.push_back(e.name.empty() ? std::to_string(e.value) : e.name);
    if (absent.empty())
        return;
    constexpr std::size_t kNamed = 8;
    std::string list;
    for (std::size_t i = 0; i < std::min(absent.size(), kNamed); ++i)
        list += (i ? ", " : "") + absent[i];
    if (absent.size() > kNamed)
        list += ", ... (" + std::to_string(absent.size() - kNamed) + " more)";
    said.notes.push_back(std::to_string(absent.size()) + (absent.size() == 1 ? " label" : " labels") +
                         " of the table with no voxel here: " + list);
}

// Layer `layer` of the file's label values (all of a one-layer file), read in an isolated worker into memory
// shared with it. Throws DataError for values that are not whole, or negative (an image, not labels).
Volume readLabelValues(const std::filesystem::path& file, const VolumeFileHeader& h, int layer,
                       const LoadOptions& options) {
    Volume values(h.geometry, ScalarType::Int16);
    const std::uint64_t budget =
        std::uint64_t(h.geometry.voxelCount()) * (8 + std::uint64_t(h.layers)) + (1ull << 30);
    if (isolatedOnFile(
            file, [&] { return readVolumeData(file, h, values, layer) ? "ok" : "not integers"; },
            std::max(600.0, options.timeoutSeconds), budget) != "ok")
        throw DataError(file.string() +
                        ": not a labelmap: its values are not whole numbers from -32768 to 32767");
    const std::int16_t* v = values.int16Data();
    if (std::any_of(v, v + h.geometry.voxelCount(), [](std::int16_t x) { return x < 0; }))
        throw DataError(file.string() +
                        ": not a labelmap: it has negative values (an image? open it as a series)");
    return values;
}

// 3D Slicer's .seg.nrrd of overlapping segments: a labelmap per layer, each segment a value of one layer
// (Segment<N>_Layer, _LabelValue). The segments keep their overlaps (the builder's groups) and the file's
// order; each layer is resampled onto the series' grid when the file's is another.
LabelLayer layeredLabelmap(const std::filesystem::path& file, const VolumeFileHeader& h, const Series& base,
                           const LoadOptions& options, Said& said) {
    const std::vector<LabelTableEntry> table = slicerSegmentTable(h.fields);
    if (table.empty())
        throw DataError(file.string() + ": " + std::to_string(h.layers) +
                        " layers of labels, and no Segment<N>_Layer fields to say which segment each holds");
    const Geometry& to = base.volume.geometry();
    const bool same = sameGrid(h.geometry, to);
    // Each layer's voxels by label value, on the series' grid: one pass over a layer, when a segment first
    // needs it (not one pass per segment).
    using Buckets = std::map<std::int16_t, std::vector<std::uint32_t>>;
    std::vector<std::optional<Buckets>> layers(std::size_t(h.layers));
    std::size_t outside = 0;
    auto bucketsOf = [&](int l) -> Buckets& {
        std::optional<Buckets>& out = layers[std::size_t(l)];
        if (!out) {
            const Volume values = readLabelValues(file, h, l, options);
            std::vector<std::int16_t> resampled;
            const std::int16_t* v = values.int16Data();
            if (!same) {
                resampled = resampleLabels(h.geometry, v, to, &outside);
                v = resampled.data();
            }
            out.emplace();
            for (std::size_t n = 0; n < to.voxelCount(); ++n)
                if (v[n] != 0)
                    (*out)[v[n]].push_back(std::uint32_t(n));
        }
        return *out;
    };
    LabelLayerBuilder builder(to);
    std::size_t labelled = 0;
    for (const LabelTableEntry& e : table) {
        if (e.layer >= h.layers)
            throw DataError(file.string() + ": segment \"" + e.name + "\" is in layer " +
                            std::to_string(e.layer) + ", and the file has " + std::to_string(h.layers));
        Buckets& buckets = bucketsOf(e.layer);
        std::vector<std::uint32_t> voxels;
        if (auto it = buckets.find(std::int16_t(e.value)); it != buckets.end()) {
            voxels = std::move(it->second);
            buckets.erase(it);
        }
        labelled += voxels.size();
        Segment s;
        s.number = e.value;
        s.name = e.name.empty() ? "Segment " + std::to_string(e.value) : e.name;
        s.color = e.hasColor ? e.color : labelColor(e.value);
        builder.add(std::move(s), voxels);
    }
    // Values that no Segment field names: left out, and said so.
    std::size_t unnamed = 0;
    for (const std::optional<Buckets>& b : layers)
        if (b)
            for (const auto& [value, voxels] : *b)
                unnamed += voxels.size();
    if (unnamed > 0)
        said.problems.push_back(counted(unnamed, "labelled voxel", "labelled voxels") +
                                " of values no Segment field names left out");
    if (labelled == 0 && outside > 0)
        throw DataError(file.string() + ": its labels do not overlap the series (its grid: " +
                        gridText(h.geometry) + ", the series': " + gridText(to) + ")");
    if (!same)
        noteResampled(h.geometry, outside, said);
    said.notes.push_back(std::to_string(h.layers) + " layers of overlapping segments");
    return builder.take("", "", "");
}

// A one-layer labelmap: its values, a segment each, named from the file or a table beside it.
LabelLayer singleLabelmap(const std::filesystem::path& file, const VolumeFileHeader& h, const Series& base,
                          const LoadOptions& options, Said& said) {
    const Geometry& from = h.geometry;
    const Volume values = readLabelValues(file, h, 0, options);
    const std::int16_t* v = values.int16Data();
    const std::vector<LabelTableEntry> table = tableFor(file, h, said);
    const Geometry& to = base.volume.geometry();
    LabelLayer layer;
    if (sameGrid(from, to)) {
        layer = layerFromLabelValues(to, v, table);
    } else {
        std::size_t outside = 0;
        const std::vector<std::int16_t> resampled = resampleLabels(from, v, to, &outside);
        layer = layerFromLabelValues(to, resampled.data(), table);
        const bool labelled = std::any_of(v, v + from.voxelCount(), [](std::int16_t x) { return x != 0; });
        if (labelled && layer.segments.empty())
            throw DataError(file.string() + ": its labels do not overlap the series (its grid: " +
                            gridText(from) + ", the series': " + gridText(to) + ")");
        noteResampled(from, outside, said);
    }
    if (layer.segments.size() > kMaxLabels)
        throw DataError(file.string() + ": not a labelmap: " + std::to_string(layer.segments.size()) +
                        " different values (an image? open it as a series)");
    if (layer.segments.empty())
        said.notes.push_back("no labelled voxel");
    // A mask of one organ (TotalSegmentator's default output: liver.nii.gz, a 0/1 file per structure; or
    // 0/255): its segment is named for the file, as 3D Slicer names it.
    if (table.empty() && layer.segments.size() == 1)
        layer.segments[0].name = labelmapStem(file);
    noteAbsentLabels(table, layer, said);
    return layer;
}

LabelLayer openLabelmapWith(const std::filesystem::path& file, const Series& base, const LoadOptions& options,
                            Said said) {
    const VolumeFileHeader h = deserializeVolumeHeader(isolatedOnFile(
        file, [&] { return serialize(readVolumeHeader(file)); }, options.timeoutSeconds, 256u << 20));
    checkMemory(file.string(), double(h.geometry.voxelCount()) * (3.0 + h.layers), gridText(h.geometry),
                options);
    LabelLayer layer = h.layers > 1 ? layeredLabelmap(file, h, base, options, said)
                                    : singleLabelmap(file, h, base, options, said);
    for (const std::string& w : h.warnings)
        said.notes.push_back(w);
    layer.name = file.filename().string();
    layer.path = file.string();
    layer.kind = "labelmap";
    layer.notes = std::move(said.notes);
    layer.problems = std::move(said.problems);
    return layer;
}

LabelLayer openLabelmap(const std::filesystem::path& file, const Series& base, const LoadOptions& options) {
    return openLabelmapWith(file, base, options, Said{});
}

} // namespace

// A mask of a folder of masks (layer_mask_folder.cpp): as the labelmap kind opens it, but never named by a
// table the folder shares.
LabelLayer openMaskOfFolder(const std::filesystem::path& file, const Series& base,
                            const LoadOptions& options) {
    Said said;
    said.folderTables = false;
    return openLabelmapWith(file, base, options, std::move(said));
}

extern const LayerKind labelmapLayer;
const LayerKind labelmapLayer{
    "labelmap (NIfTI-1, NRRD, .seg.nrrd)",
    [](const std::filesystem::path& file) { return isVolumeFile(file); },
    openLabelmap,
    true,
};

} // namespace ctview
