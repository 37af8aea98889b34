#include "viewer/curve_task.h"

#include "viewer/load_task.h"

namespace ctview::viewer {

namespace {
// The value of `of` at every phase: from those kept, else loaded one at a time.
std::vector<float> measurePhases(const std::string& input, int series, int phases, const Annotation& of,
                                 const std::map<int, std::shared_ptr<Dataset>>& kept, LoadOptions options) {
    std::vector<float> values;
    for (int p = 1; p <= phases; ++p) {
        std::shared_ptr<const Dataset> d;
        if (const auto it = kept.find(p); it != kept.end()) {
            d = it->second;
        } else {
            LoadTask::Staging staging;
            staging.stats3d = false;
            options.phase = p;
            d = LoadTask::loadNow(input, std::to_string(series), options, staging);
        }
        const Measurement m = measure(d->series.volume, of, "the measurement");
        values.push_back(float(of.type == AnnotationType::Point ? m.hu : m.roi.mean));
    }
    return values;
}
} // namespace

CurveTask::CurveTask(std::string input, int series, int phases, Annotation of,
                     std::map<int, std::shared_ptr<Dataset>> kept, LoadOptions options,
                     std::function<void()> wake)
    : of_(std::move(of)),
      job_([input = std::move(input), series, phases, of = of_, kept = std::move(kept),
            options = std::move(options)] { return measurePhases(input, series, phases, of, kept, options); },
           "not enough memory to load the phases", std::move(wake)) {}

CurveTask::~CurveTask() = default;

std::vector<float> CurveTask::take(std::string& error) {
    std::optional<std::vector<float>> values = job_.take(error);
    return values ? std::move(*values) : std::vector<float>{};
}

} // namespace ctview::viewer
