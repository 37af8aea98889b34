#pragma once
// A time-density curve in the window (the Measurements panel's "Curve over phases"): an ROI's mean HU, or a
// point's HU, at every phase of the 4D series on show, each phase taken from those the window keeps or loaded
// on a thread of its own (one at a time, dropped once measured), so that the window stays live.
#include "measure/measure.h"
#include "sources/dataset.h"
#include "viewer/background_job.h"
#include "volume/load_options.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ctview::viewer {

class CurveTask {
  public:
    // Series `series` (a listing number) of `input`, `phases` phases; `kept`: phases already loaded, by
    // number. `wake` is called from the thread when it is done.
    CurveTask(std::string input, int series, int phases, Annotation of,
              std::map<int, std::shared_ptr<Dataset>> kept, LoadOptions options, std::function<void()> wake);
    ~CurveTask();
    CurveTask(const CurveTask&) = delete;
    CurveTask& operator=(const CurveTask&) = delete;

    bool finished() const { return job_.finished(); }
    void wait() { job_.wait(); }
    // After finished(): the value at each phase (empty with `error` when one could not be had).
    std::vector<float> take(std::string& error);
    const Annotation& annotation() const { return of_; }

  private:
    Annotation of_;
    BackgroundJob<std::vector<float>> job_;
};

} // namespace ctview::viewer
