#pragma once
// A second series fused over the open one (`ctview A --fuse B`, the Series table's "Fuse"): loaded and
// resampled onto the open series' grid on a thread of its own, so that the window stays live, then handed to
// the main thread, which puts it in the scene (setImageLayer). One series per task.
#include "sources/dataset.h"
#include "viewer/app_state.h"
#include "volume/load_options.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace ctview::viewer {

class FuseTask {
  public:
    // Loads series `series` ("" as the loader picks) of `input` and resamples it onto `on`, moved by `shift`
    // mm. `wake` is called from the thread when it is done.
    FuseTask(std::string input, std::string series, glm::dvec3 shift, std::shared_ptr<const Dataset> on,
             LoadOptions options, std::function<void()> wake);
    ~FuseTask();
    FuseTask(const FuseTask&) = delete;
    FuseTask& operator=(const FuseTask&) = delete;

    const std::string& input() const { return input_; }
    bool finished() const { return finished_.load(); }
    void wait();
    // After finished(): the layer, or nothing with `error` naming the input and why.
    std::optional<ImageLayerView> take(std::string& error);
    // The dataset it was resampled onto: shown only if that is still the one shown (or another phase of it).
    const Dataset* dataset() const { return on_.get(); }

  private:
    std::string input_;
    std::shared_ptr<const Dataset> on_;
    std::atomic<bool> finished_{false};
    std::mutex mutex_;
    std::optional<ImageLayerView> layer_;
    std::string error_;
    std::thread thread_;
};

} // namespace ctview::viewer
