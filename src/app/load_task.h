#pragma once
// Loading off the main thread: the window appears at once and keeps drawing (with a progress bar) while a worker
// thread scans the folder and decodes the series. The loader's own worker processes do the decoding; this thread
// only drives them.
#include "core/loader.h"
#include "ui/app_state.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace ctview::app {

class LoadTask {
  public:
    // Scans `input` and loads `series` ("" = the default) with `options`. With `scan` given (another series of a
    // folder already scanned), only the series is loaded. `wake` is called from the worker thread whenever there
    // is news (glfwPostEmptyEvent), so that an idle frame loop redraws.
    LoadTask(std::string input, std::string series, LoadOptions options, std::shared_ptr<const ScanResult> scan,
             std::function<void()> wake);
    ~LoadTask();
    LoadTask(const LoadTask&) = delete;
    LoadTask& operator=(const LoadTask&) = delete;

    const std::string& input() const { return input_; }
    bool finished() const { return finished_.load(); }
    void progress(std::string& stage, std::size_t& done, std::size_t& total) const;
    // After finished(): the dataset, or null with `error` set to a message for the user.
    std::shared_ptr<ui::Dataset> take(std::string& error);
    // Blocks until finished (snapshot, tests).
    void wait();

    // Slices decoded so far, for showing them before the load ends. The loader thread copies each finished slice
    // out of the stack it is filling; the main thread takes them here into a preview dataset of its own (no
    // memory is shared while it is written). Returns true when `preview` changed; when the stack was restarted
    // (a new type after an int16 overflow) or first appears, `preview` is replaced, and `dirty` lists the slices
    // to upload.
    bool takePreview(std::shared_ptr<ui::Dataset>& preview, std::vector<int>& dirty);

  private:
    void run(std::string series, LoadOptions options, std::shared_ptr<const ScanResult> scan);

    std::string input_;
    std::function<void()> wake_;
    mutable std::mutex mutex_;
    std::string stage_ = "starting";
    std::size_t done_ = 0, total_ = 0;
    std::shared_ptr<ui::Dataset> result_;
    // Preview: the stack's geometry and type, and finished slices not yet taken.
    struct PendingSlice {
        int index;
        std::vector<char> bytes;
    };
    const void* previewStack_ = nullptr;
    bool previewRestarted_ = false;
    Geometry previewGeometry_;
    ScalarType previewType_ = ScalarType::Int16;
    std::vector<PendingSlice> pending_;
    std::shared_ptr<const ScanResult> previewScan_;
    const SeriesInfo* previewSeries_ = nullptr;
    std::string error_;
    std::atomic<bool> finished_{false};
    std::thread thread_;
};

} // namespace ctview::app
