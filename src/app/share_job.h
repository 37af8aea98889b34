#pragma once
// "Share" in the window: what `ctview anonymize` and `ctview send` do, for the open series and its DICOM
// segmentations (SEG, RTSTRUCT), on a thread of its own so that the window stays live. A de-identified copy
// goes into the export folder; a send de-identifies first (into a private temporary folder, removed after)
// when asked.
#include "dicom/anonymize.h"
#include "viewer/app_state.h"
#include "volume/load_options.h"

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace ctview::app {

// The files of what is open: the series' DICOM files, and those of its DICOM SEG and RTSTRUCT layers.
std::vector<std::filesystem::path> shareableFiles(const viewer::AppState& s);

class ShareJob {
  public:
    struct Request {
        std::vector<std::filesystem::path> files;
        std::string node;      // empty: a de-identified copy into `copyInto`
        bool anonymise = true; // for a send
        AnonymizeOptions anonymize;
        std::filesystem::path copyInto; // a new folder for the copy
        LoadOptions options;            // the node's login and DIMSE options
    };
    explicit ShareJob(Request request);
    ~ShareJob(); // waits for the thread
    ShareJob(const ShareJob&) = delete;
    ShareJob& operator=(const ShareJob&) = delete;

    bool finished() const { return finished_; }
    // Once finished: what happened, one toast's text; `failed` when nothing (or not everything) went.
    std::string result(bool& failed) const;

  private:
    void run(const Request& r);
    std::atomic<bool> finished_{false};
    bool failed_ = false;
    std::string text_;
    std::thread thread_;
};

} // namespace ctview::app
