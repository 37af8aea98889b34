#pragma once
// What the viewer has open: one loaded series with the source it came from (for the source's listing, and to
// load another of its series without scanning again). Plain data, no GL: the load task makes it, the views,
// panels and commands read it.
#include "labels/label_layer.h"
#include "sources/series.h"
#include "volume/volume_stats.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ctview {

struct Dataset {
    std::shared_ptr<const SeriesSource> source;
    Series series;
    bool preview = false; // slices shown while the series is still loading (the rest read as air)
    // A preview's volume is the loader's own buffer (Volume::alias), still being written: only the slices
    // (k) marked here hold decoded voxels, and only those may be read. Empty when not a preview.
    std::vector<char> arrived;
    bool hasArrived(int k) const {
        return !preview || (k >= 0 && std::size_t(k) < arrived.size() && arrived[std::size_t(k)]);
    }
    // Segmentations opened on the series' grid (--labels), and the files that could not be, with why.
    std::vector<std::shared_ptr<const LabelLayer>> labels;
    std::vector<std::string> labelProblems;
    // About the segmentations found in the input (not given): those of other series, those that cannot be
    // read. Never a failure: the user did not ask for them.
    std::vector<std::string> labelNotes;
    std::vector<std::pair<std::string, std::string>> summary; // describeLines(): what `ctview info` prints
    // Histogram and bricks for the 3D view, computed by the load task; null for a preview (the 3D view
    // waits). Of what the 3D view draws: the volume, or `copy3d` when there is one.
    std::shared_ptr<const VolumeStats> stats;
    // A volume too large for the 3D view (the GPU's limits, a software renderer's budget): the copy it draws,
    // downsampled by the load task (downsampleFactor3d), dropped once it is on the GPU.
    std::shared_ptr<const Volume> copy3d;
    // The series' header listing (Provenance::listTags), read on first use: it may start a worker.
    std::vector<TagEntry> tags;
    bool tagsLoaded = false;
    std::string tagsError;
};

} // namespace ctview
