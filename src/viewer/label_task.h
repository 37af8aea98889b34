#pragma once
// A segmentation added to the open series from the window (dropped on it, or Open... with "Add as labels"):
// opened and measured on a thread of its own, so that the window stays live, then handed to the main thread,
// which adds it to the scene (addLabelLayer). One file per task.
#include "sources/dataset.h"
#include "volume/load_options.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace ctview::viewer {

class LabelTask {
  public:
    // `orOpen`: the file was dropped, and may be an image rather than this series' labels (a NIfTI or NRRD):
    // when it is not a labelmap of the series, take() says so with `image` (the window then opens it as a
    // series) rather than with an error. `wake` is called from the thread when it is done.
    LabelTask(std::string file, std::shared_ptr<const Dataset> on, LoadOptions options, bool orOpen,
              std::function<void()> wake);
    ~LabelTask();
    LabelTask(const LabelTask&) = delete;
    LabelTask& operator=(const LabelTask&) = delete;

    const std::string& file() const { return file_; }
    bool finished() const { return finished_.load(); }
    void wait();
    // After finished(): the layer, measured on the series, or null with `error` (naming the file and why)
    // or `image` set.
    std::shared_ptr<const LabelLayer> take(std::string& error, bool& image);
    // The dataset it was opened on: added only if that is still the one shown.
    const Dataset* dataset() const { return on_.get(); }

  private:
    std::string file_;
    std::shared_ptr<const Dataset> on_;
    std::atomic<bool> finished_{false};
    std::mutex mutex_;
    std::shared_ptr<const LabelLayer> layer_;
    std::string error_;
    bool image_ = false;
    std::thread thread_;
};

} // namespace ctview::viewer
