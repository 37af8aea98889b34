#pragma once
// A second series fused over the open one or shown beside it (`ctview A --fuse B`, `--compare B`, the Series
// table's menu), or the one shown registered anew (the Second series section's "Register"): loaded,
// registered and resampled onto the open series' grid on a thread of its own, so that the window stays live,
// then handed to the main thread, which puts it in the scene (setImageLayer). One series per task.
#include "sources/dataset.h"
#include "viewer/app_state.h"
#include "viewer/background_job.h"
#include "volume/load_options.h"
#include "volume/register.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

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
    bool finished() const { return job_.finished(); }
    void wait() { job_.wait(); }
    // After finished(): the layer, or nothing with `error` naming the input and why.
    std::optional<ImageLayerView> take(std::string& error);
    // After take(), when it registered: what the registration found.
    const std::optional<Registration>& registration() const { return registration_; }
    // The dataset it was resampled onto: shown only if that is still the one shown (or another phase of it).
    const Dataset* dataset() const { return on_.get(); }

  private:
    std::string input_;
    std::shared_ptr<const Dataset> on_;
    struct Fused {
        ImageLayerView layer;
        std::optional<Registration> found;
    };
    BackgroundJob<Fused> job_;
    std::optional<Registration> registration_; // taken from the job's result
};

} // namespace ctview::viewer
