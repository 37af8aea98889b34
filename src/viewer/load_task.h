#pragma once
// Loading off the main thread: the window appears at once and keeps drawing (with a progress bar) while a
// worker thread opens the source (scans the folder, reads the file's header, ...) and loads the series. The
// sources' own worker processes do the decoding; this thread only drives them.
#include "sources/dataset.h"
#include "sources/series.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ctview::viewer {

class LoadTask {
  public:
    // How the results are handed over. Slices are offered for a preview only once the load has run
    // `previewDelay` seconds: a series that loads faster (a local uncompressed one) goes straight to the
    // finished volume, without copying every slice twice and uploading it twice on the way. With
    // `statsAfterSeries`, the series is finished (take()) as soon as its volume is, and the 3D view's
    // histogram and bricks follow (takeStats()): the slice views need not wait for them.
    // `labels`: segmentation files (--labels) opened on the series once it is loaded, before it is handed
    // over; one that cannot be is reported in Dataset::labelProblems, and the series still opens.
    // `max3dTexture` and `maxBytes3d`: the 3D view's limits (downsampleFactor3d); a series over them gets
    // its downsampled copy (Dataset::copy3d) here, with the statistics, rather than on the main thread.
    struct Staging {
        double previewDelay = 0.3;
        bool statsAfterSeries = false;
        std::vector<std::string> labels;
        int max3dTexture = 0;
        std::uint64_t maxBytes3d = 0;
        bool stats3d = true; // false: no 3D view will draw it (info, segments, convert)
    };
    // Opens `input` as a source and loads `series` ("" = the default) with `options`. With `source` given
    // (another series of a source already open), only the series is loaded. `wake` is called from the worker
    // thread whenever there is news (glfwPostEmptyEvent), so that an idle frame loop redraws.
    LoadTask(std::string input, std::string series, LoadOptions options,
             std::shared_ptr<const SeriesSource> source, std::function<void()> wake, Staging staging);
    LoadTask(std::string input, std::string series, LoadOptions options,
             std::shared_ptr<const SeriesSource> source, std::function<void()> wake)
        : LoadTask(std::move(input), std::move(series), std::move(options), std::move(source),
                   std::move(wake), Staging{}) {}
    ~LoadTask();
    LoadTask(const LoadTask&) = delete;
    LoadTask& operator=(const LoadTask&) = delete;

    const std::string& input() const { return input_; }
    bool finished() const { return finished_.load(); }
    void progress(std::string& stage, std::size_t& done, std::size_t& total) const;
    // After finished(): the dataset, or null with `error` set to a message for the user.
    std::shared_ptr<Dataset> take(std::string& error);
    // After a failed take(): the error is the user's request (a series that is not there), not the data's.
    bool usageError() const { return usageError_; }
    // Blocks until finished, statistics included (snapshot, tests).
    void wait();
    // With statsAfterSeries: once they are computed, attaches the statistics (and the 3D copy) to `d` when it
    // is the dataset this task made, and returns true (then the task is done).
    bool takeStats(Dataset& d);
    bool statsPending() const { return !statsDone_.load(); }
    // The 3D view's limits once the window knows them (its GL context may come up after the load started);
    // read when the statistics are made.
    void set3dLimits(int max3dTexture, std::uint64_t maxBytes3d) {
        max3d_ = max3dTexture;
        maxBytes3d_ = maxBytes3d;
    }

    // Slices decoded so far, for showing them before the load ends. The preview dataset's volume is the
    // stack the loader is filling (Volume::alias, no copy); the loader reports each finished slice, and the
    // main thread marks it here in the preview's `arrived` (it reads no other slice: those are being
    // written). Returns true when `preview` changed; when the stack was restarted (a new type after an int16
    // overflow) or first appears, `preview` is replaced, and `dirty` lists the slices newly arrived.
    // At most `maxSlices` per call (the oldest first), so that one frame never stalls on a large batch.
    bool takePreview(std::shared_ptr<Dataset>& preview, std::vector<int>& dirty,
                     std::size_t maxSlices = std::size_t(-1));
    // Slices decoded and not yet taken (more than one batch: take again next frame).
    std::size_t previewPending() const;

    // Loads `input` to the end on a task of its own and returns the dataset, with the segmentations found
    // beside it and those of `staging.labels`: what the window would show, for the headless commands and
    // `import ctview`. Throws UsageError (a series that is not there) or DataError (the input; a segmentation
    // given that cannot be shown, whose absence would make the output wrong).
    static std::shared_ptr<Dataset> loadNow(const std::string& input, const std::string& series,
                                            const LoadOptions& options, const Staging& staging);

  private:
    void run(const std::string& series, LoadOptions options, std::shared_ptr<const SeriesSource> source,
             const Staging& staging);
    std::atomic<bool> statsDone_{false};
    const Dataset* statsFor_ = nullptr; // the dataset the statistics belong to
    std::shared_ptr<const VolumeStats> stats_;
    std::shared_ptr<const Volume> copy3d_;
    std::atomic<int> max3d_{0};
    std::atomic<std::uint64_t> maxBytes3d_{0};

    std::string input_;
    std::function<void()> wake_;
    mutable std::mutex mutex_;
    std::string stage_ = "starting";
    std::size_t done_ = 0, total_ = 0;
    std::shared_ptr<Dataset> result_;
    // Preview: the stack being filled (an alias of the loader's), and finished slices not yet taken.
    bool previewRestarted_ = false;
    Volume previewVolume_;
    std::vector<int> pending_;
    std::shared_ptr<const SeriesSource> previewSource_;
    Provenance previewAbout_; // what the source says of the series before it is loaded
    std::string error_;
    bool usageError_ = false;
    std::atomic<bool> finished_{false};
    std::thread thread_;
};

} // namespace ctview::viewer
