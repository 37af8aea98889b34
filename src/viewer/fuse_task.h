#pragma once
// A second series fused over the open one or shown beside it (`ctview A --fuse B`, `--compare B`, the Series
// table's menu), or the one shown registered anew (the Second series section's "Register"): loaded,
// registered and resampled onto the open series' grid on a thread of its own, so that the window stays live,
// then handed to the main thread, which puts it in the scene (setImageLayer). One series per task.
#include "sources/dataset.h"
#include "viewer/app_state.h"
#include "volume/load_options.h"
#include "volume/register.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace ctview::viewer {

struct FuseRequest {
    std::string input, series;             // what to load (`series` "" as the loader picks) ...
    std::shared_ptr<const Dataset> loaded; // ... unless it is loaded already
    glm::dmat4 toLayer{1.0};               // the link to start from (base LPS -> its LPS)
    bool registerFirst = false;            // find the link by rigid registration from there (registerRigid)
};

class FuseTask {
  public:
    // Loads the request's series (unless loaded), registers it when asked, and resamples it onto `on`.
    // `wake` is called from the thread when it is done.
    FuseTask(FuseRequest request, std::shared_ptr<const Dataset> on, LoadOptions options,
             std::function<void()> wake);
    ~FuseTask();
    FuseTask(const FuseTask&) = delete;
    FuseTask& operator=(const FuseTask&) = delete;

    // The input's name, for the toasts.
    const std::string& input() const { return input_; }
    bool finished() const { return finished_.load(); }
    void wait();
    // After finished(): the layer, or nothing with `error` naming the input and why.
    std::optional<ImageLayerView> take(std::string& error);
    // After finished(), when it registered: what the registration found.
    std::optional<Registration> registration() const;
    // The dataset it was resampled onto: shown only if that is still the one shown (or another phase of it).
    const Dataset* dataset() const { return on_.get(); }

  private:
    std::string input_;
    std::shared_ptr<const Dataset> on_;
    std::atomic<bool> finished_{false};
    mutable std::mutex mutex_;
    std::optional<ImageLayerView> layer_;
    std::optional<Registration> registration_;
    std::string error_;
    std::thread thread_;
};

} // namespace ctview::viewer
