// Labelmaps as layers: NIfTI-1 and NRRD files of integer label values, one segment per value (nnU-Net,
// TotalSegmentator's --ml output, ITK-SNAP, 3D Slicer's one-layer .seg.nrrd). Names and colours from the
// .seg.nrrd's own fields, else from a label table beside the file (labels/label_table.h). A labelmap on
// another grid than the series' is resampled onto it, nearest voxel. Teem and nifticlib run in an isolated
// worker, as for the volume files.
#include "base/error.h"
#include "labels/label_table.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/isolated_file.h"
#include "sources/layers.h"

#include <algorithm>
#include <cstdio>

namespace ctview {

namespace {

// More distinct values than this is an image (a CT's HU), not a labelmap.
constexpr std::size_t kMaxLabels = 4000;

std::string gridText(const Geometry& g) {
    char spacing[96];
    std::snprintf(spacing, sizeof spacing, "%.3g x %.3g x %.3g mm", g.spacing.x, g.spacing.y, g.spacing.z);
    return std::to_string(g.dims.x) + "x" + std::to_string(g.dims.y) + "x" + std::to_string(g.dims.z) +
           " at " + spacing;
}

std::vector<LabelTableEntry> tableFor(const std::filesystem::path& file, const VolumeFileHeader& h,
                                      std::vector<std::string>& notes) {
    std::vector<LabelTableEntry> table = slicerSegmentTable(h.fields);
    if (!table.empty())
        return table;
    const std::filesystem::path side = findLabelTable(file);
    if (side.empty())
        return {};
    try {
        table = readLabelTable(side);
        notes.push_back("names from " + side.filename().string());
    } catch (const DataError& e) {
        notes.push_back(std::string(e.what()) + ": labels numbered instead");
    }
    return table;
}

LabelLayer openLabelmap(const std::filesystem::path& file, const Series& base, const LoadOptions& options) {
    const VolumeFileHeader h = deserializeVolumeHeader(isolatedOnFile(
        file, [&] { return serialize(readVolumeHeader(file)); }, options.timeoutSeconds, 256u << 20));
    const Geometry& from = h.geometry;
    checkMemory(file.string(), double(from.voxelCount()) * 3.0, gridText(from), options);
    // The label values land in memory shared with the worker that reads them.
    Volume values(from, ScalarType::Int16);
    const std::uint64_t budget = std::uint64_t(from.voxelCount()) * 8 + (1ull << 30);
    if (isolatedOnFile(
            file, [&] { return readVolumeData(file, h, values) ? "ok" : "not integers"; },
            std::max(600.0, options.timeoutSeconds), budget) != "ok")
        throw DataError(file.string() +
                        ": not a labelmap: its values are not whole numbers from -32768 to 32767");
    const std::int16_t* v = values.int16Data();
    const std::size_t n = from.voxelCount();
    if (std::any_of(v, v + n, [](std::int16_t x) { return x < 0; }))
        throw DataError(file.string() +
                        ": not a labelmap: it has negative values (an image? open it as a series)");

    std::vector<std::string> notes;
    const std::vector<LabelTableEntry> table = tableFor(file, h, notes);
    const Geometry& to = base.volume.geometry();
    LabelLayer layer;
    if (sameGrid(from, to)) {
        layer = layerFromLabelValues(to, v, table);
    } else {
        std::size_t outside = 0;
        const std::vector<std::int16_t> resampled = resampleLabels(from, v, to, &outside);
        layer = layerFromLabelValues(to, resampled.data(), table);
        const bool labelled = std::any_of(v, v + n, [](std::int16_t x) { return x != 0; });
        if (labelled && layer.segments.empty())
            throw DataError(file.string() + ": its labels do not overlap the series (its grid: " +
                            gridText(from) + ", the series': " + gridText(to) + ")");
        notes.push_back("resampled onto the series' grid, nearest voxel (the file's grid: " + gridText(from) +
                        ")");
        if (outside > 0)
            notes.push_back(std::to_string(outside) + " labelled voxels lie outside the series");
    }
    if (layer.segments.size() > kMaxLabels)
        throw DataError(file.string() + ": not a labelmap: " + std::to_string(layer.segments.size()) +
                        " different values (an image? open it as a series)");
    if (layer.segments.empty())
        notes.push_back("no labelled voxel");
    for (const std::string& w : h.warnings)
        notes.push_back(w);
    layer.name = file.filename().string();
    layer.path = file.string();
    layer.kind = "labelmap";
    layer.notes = std::move(notes);
    return layer;
}

} // namespace

extern const LayerKind labelmapLayer;
const LayerKind labelmapLayer{
    "labelmap (NIfTI-1, NRRD, .seg.nrrd)",
    [](const std::filesystem::path& file) { return isVolumeFile(file); },
    openLabelmap,
    true,
};

} // namespace ctview
