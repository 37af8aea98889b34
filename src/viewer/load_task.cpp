#include "viewer/load_task.h"

#include "sources/layers.h"

#include "base/error.h"
#include "volume/volume_stats.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <new>

namespace ctview::viewer {

LoadTask::LoadTask(std::string input, std::string series, LoadOptions options,
                   std::shared_ptr<const SeriesSource> source, std::function<void()> wake, Staging staging)
    : input_(std::move(input)), wake_(std::move(wake)) {
    set3dLimits(staging.max3dTexture, staging.maxBytes3d);
    thread_ =
        std::thread(&LoadTask::run, this, std::move(series), std::move(options), std::move(source), staging);
}

bool LoadTask::takeStats(Dataset& d) {
    if (!statsDone_)
        return false;
    std::lock_guard lock(mutex_);
    if (&d == statsFor_ && stats_) {
        d.stats = std::move(stats_);
        d.copy3d = std::move(copy3d_);
    }
    return true;
}

LoadTask::~LoadTask() {
    if (thread_.joinable())
        thread_.join();
}

std::shared_ptr<Dataset> LoadTask::loadNow(const std::string& input, const std::string& series,
                                           const LoadOptions& options, const Staging& staging) {
    LoadTask task(input, series, options, nullptr, nullptr, staging);
    task.wait();
    std::string error;
    std::shared_ptr<Dataset> d = task.take(error);
    if (!d && task.usageError())
        throw UsageError(error);
    if (!d)
        throw DataError(error);
    if (!d->labelProblems.empty())
        throw DataError(d->labelProblems.front());
    return d;
}

void LoadTask::wait() {
    if (thread_.joinable())
        thread_.join();
}

void LoadTask::progress(std::string& stage, std::size_t& done, std::size_t& total) const {
    std::lock_guard lock(mutex_);
    stage = stage_;
    done = done_;
    total = total_;
}

std::shared_ptr<Dataset> LoadTask::take(std::string& error) {
    std::lock_guard lock(mutex_);
    error = error_;
    // No more previews: the loader's stack is the series now (or is gone), and is not held for them.
    previewVolume_ = {};
    pending_.clear();
    previewRestarted_ = false;
    return std::move(result_);
}

bool LoadTask::takePreview(std::shared_ptr<Dataset>& preview, std::vector<int>& dirty,
                           std::size_t maxSlices) {
    std::lock_guard lock(mutex_);
    if (!previewVolume_.data() || (!previewRestarted_ && pending_.empty()))
        return false;
    if (previewRestarted_ || !preview) {
        // The slices so far, in the loader's own stack: what the source says of the series gives its number
        // and window; the slices not decoded yet are not read (the views show them as air).
        auto d = std::make_shared<Dataset>();
        d->preview = true;
        d->source = previewSource_;
        d->series.about = previewAbout_;
        d->series.volume = previewVolume_.alias();
        d->series.minHU = -1024;
        d->series.maxHU = 3071;
        d->arrived.assign(std::size_t(d->series.volume.geometry().dims.z), 0);
        preview = std::move(d);
        previewRestarted_ = false;
        dirty.clear();
    }
    const std::size_t taken = std::min(maxSlices, pending_.size());
    for (std::size_t n = 0; n < taken; ++n) {
        const int k = pending_[n];
        if (k < 0 || std::size_t(k) >= preview->arrived.size())
            continue;
        preview->arrived[std::size_t(k)] = 1;
        dirty.push_back(k);
    }
    pending_.erase(pending_.begin(), pending_.begin() + std::ptrdiff_t(taken));
    return true;
}

std::size_t LoadTask::previewPending() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

namespace {

// A layer opened on the dataset's series joins it, measured once (the Segments panel's figures).
void keepLayer(Dataset& d, LabelLayer layer) {
    layer.stats = measureSegments(layer, d.series.volume);
    d.labels.push_back(std::make_shared<const LabelLayer>(std::move(layer)));
}

// How the listing calls the series of SeriesInstanceUID `uid`: "--series 2: 3 Abdomen 1.0 B30f" (what opens
// it), else the UID (a series the input does not hold).
std::string seriesCalled(const SeriesSource& source, const std::string& uid) {
    for (const SeriesListing& l : source.series())
        if (l.uid == uid) {
            std::string called = l.seriesNumber ? std::to_string(l.seriesNumber) : std::string();
            if (!l.description.empty())
                called += (called.empty() ? "" : " ") + l.description;
            return "--series " + std::to_string(l.number) + (called.empty() ? "" : ": " + called);
        }
    return uid;
}

// The segmentations of the input that belong to the loaded series (a DICOM folder's SEG files), beside the
// ones given: a file that references another series of the input is left for that series, and said so.
void findLabels(Dataset& d, const std::vector<std::string>& given, const LoadOptions& options) {
    const std::string& uid = d.series.about.listing.uid;
    // A DICOMweb study's are fetched here; one that could not be is a note, not a failure of the series.
    const std::vector<std::filesystem::path> files = d.source->segmentationFiles(d.labelNotes);
    for (const std::filesystem::path& file : files) {
        if (std::find(given.begin(), given.end(), file.string()) != given.end())
            continue;
        try {
            LabelLayer layer = openLayer(file, d.series, options);
            if (!layer.references.empty() &&
                std::find(layer.references.begin(), layer.references.end(), uid) == layer.references.end()) {
                d.labelNotes.push_back(file.string() + ": a segmentation of another series (" +
                                       seriesCalled(*d.source, layer.references.front()) +
                                       "), not shown on this one");
                continue;
            }
            keepLayer(d, std::move(layer));
        } catch (const std::exception& e) {
            d.labelNotes.emplace_back(e.what());
        }
    }
}

void openLabels(Dataset& d, const std::vector<std::string>& files, const LoadOptions& options) {
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (options.progress)
            options.progress("reading segmentations", i, files.size());
        try {
            keepLayer(d, openLayer(files[i], d.series, options));
        } catch (const std::bad_alloc&) {
            d.labelProblems.push_back(files[i] + ": not enough memory for its segments");
        } catch (const std::exception& e) {
            d.labelProblems.emplace_back(e.what());
        }
    }
}

// What the 3D view draws, made off the main thread: the volume's histogram and bricks, or, for a volume over
// the 3D view's limits, its downsampled copy and the copy's (the full volume's would be thrown away: 4 s for
// 1024x1024x800 on two cores).
void prepare3d(const Volume& v, int max3d, std::uint64_t maxBytes, std::shared_ptr<const VolumeStats>& stats,
               std::shared_ptr<const Volume>& copy) {
    const int factor = downsampleFactor3d(v.geometry().dims, v.bytes(), max3d, maxBytes);
    copy = factor > 1 ? std::make_shared<const Volume>(downsampleVolume(v, factor)) : nullptr;
    stats = std::make_shared<const VolumeStats>(computeVolumeStats(copy ? *copy : v));
}
} // namespace

void LoadTask::run(const std::string& series, LoadOptions options, std::shared_ptr<const SeriesSource> source,
                   const Staging& staging) {
    const double previewDelay = staging.previewDelay;
    const auto begun = std::chrono::steady_clock::now();
    // The window is woken for news at most four times a second (and at once for a new stage): a frame per
    // decoded file would take the cores the decoders need (llvmpipe draws on the CPU).
    auto lastWake = std::chrono::steady_clock::time_point{};
    options.progress = [this, lastWake](const std::string& stage, std::size_t done,
                                        std::size_t total) mutable {
        bool newStage = false;
        {
            std::lock_guard lock(mutex_);
            newStage = stage != stage_;
            stage_ = stage;
            done_ = done;
            total_ = total;
        }
        const auto now = std::chrono::steady_clock::now();
        if (wake_ && (newStage || now - lastWake > std::chrono::milliseconds(250))) {
            lastWake = now;
            wake_();
        }
    };
    // Slices finished before the preview's delay ran out, of the stack being filled then, are reported when
    // it does; but a stack more than half done by then will be complete in about the time it took so far: no
    // preview for it.
    std::vector<int> early;
    const void* earlyStack = nullptr;
    bool gateOpen = false, skipped = false;
    options.slicesReady = [this, begun, previewDelay, &early, &earlyStack, &gateOpen,
                           &skipped](const Volume& stack, const std::vector<int>& slices) {
        if (earlyStack != stack.data()) {
            earlyStack = stack.data();
            early.clear();
            gateOpen = skipped = false;
        }
        if (skipped)
            return;
        early.insert(early.end(), slices.begin(), slices.end());
        if (!gateOpen) {
            if (std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count() <
                previewDelay)
                return;
            gateOpen = true;
            if (early.size() * 2 > std::size_t(stack.geometry().dims.z)) {
                skipped = true;
                return;
            }
        }
        std::lock_guard lock(mutex_);
        if (stack.data() != previewVolume_.data()) {
            previewRestarted_ = true;
            previewVolume_ = stack.alias(); // the same voxels, kept mapped for the preview
            pending_.clear();
        }
        pending_.insert(pending_.end(), early.begin(), early.end());
        early.clear();
    };
    std::shared_ptr<Dataset> result;
    std::string error;
    bool usage = false;
    try {
        if (!source)
            source = openSource(input_, options);
        const int picked = source->pick(series).number;
        {
            std::lock_guard lock(mutex_);
            previewSource_ = source;
            previewAbout_ = source->describe(picked);
        }
        auto d = std::make_shared<Dataset>();
        d->source = source;
        d->series = source->load(picked, options);
        openLabels(*d, staging.labels, options);
        findLabels(*d, staging.labels, options);
        if (!staging.statsAfterSeries && staging.stats3d) {
            // The histogram and bricks of the 3D view, here rather than on the main thread.
            if (options.progress)
                options.progress("preparing 3D", 0, 1);
            try {
                prepare3d(d->series.volume, max3d_, maxBytes3d_, d->stats, d->copy3d);
            } catch (const std::bad_alloc&) {
                // No 3D view for this series (out of memory): the slices and the commands have it.
            }
        }
        result = std::move(d);
    } catch (const std::bad_alloc&) {
        error = input_ + ": not enough memory to load this series";
    } catch (const UsageError& e) {
        error = e.what(); // what was asked for is not there (--series 7): the commands exit 2 for it
        usage = true;
    } catch (const std::exception& e) {
        error = e.what();
    }
    // The series, or why there is none, handed over once.
    {
        std::lock_guard lock(mutex_);
        result_ = result;
        error_ = std::move(error);
        usageError_ = usage;
        statsFor_ = staging.statsAfterSeries ? result.get() : nullptr;
    }
    finished_ = true;
    if (wake_)
        wake_();
    if (staging.statsAfterSeries && result) {
        // Now the 3D view's statistics: the series is only read from here on, by both threads.
        std::shared_ptr<const VolumeStats> stats;
        std::shared_ptr<const Volume> copy;
        try {
            prepare3d(result->series.volume, max3d_, maxBytes3d_, stats, copy);
        } catch (const std::exception&) {
            // No 3D view for this series (out of memory): the slice views have it already.
        }
        {
            std::lock_guard lock(mutex_);
            stats_ = std::move(stats);
            copy3d_ = std::move(copy);
        }
        statsDone_ = true;
        if (wake_)
            wake_();
        return;
    }
    statsDone_ = true;
}

} // namespace ctview::viewer
