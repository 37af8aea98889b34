#include "app/share_job.h"

#include "base/error.h"
#include "sources/send.h"

#include <stdlib.h> // mkdtemp

namespace ctview::app {

namespace fs = std::filesystem;

std::vector<fs::path> shareableFiles(const viewer::AppState& s) {
    std::vector<fs::path> files;
    if (!s.hasVolume())
        return files;
    files = s.scene.base->series.about.files;
    std::error_code ec;
    for (const auto& layer : s.scene.base->labels)
        if ((layer->kind == "DICOM SEG" || layer->kind == "RTSTRUCT") && fs::is_regular_file(layer->path, ec))
            files.emplace_back(layer->path);
    return files;
}

ShareJob::ShareJob(Request request) : thread_([this, r = std::move(request)] { run(r); }) {}

ShareJob::~ShareJob() {
    if (thread_.joinable())
        thread_.join();
}

std::string ShareJob::result(bool& failed) const {
    failed = failed_;
    return text_;
}

void ShareJob::run(const Request& r) {
    try {
        if (r.node.empty()) {
            const AnonymizeReport a = anonymizeFiles(r.files, r.copyInto, r.anonymize);
            failed_ = a.written < r.files.size();
            text_ = "Saved an anonymised copy: " + std::to_string(a.written) + " of " +
                    std::to_string(r.files.size()) + " files\n" + r.copyInto.string();
        } else {
            std::vector<fs::path> files = r.files;
            // Patient data: a folder only this user reads (mkdtemp: 0700), removed however the send ends.
            struct Scratch {
                fs::path path;
                ~Scratch() {
                    std::error_code ec;
                    if (!path.empty())
                        fs::remove_all(path, ec);
                }
            } scratch;
            if (r.anonymise) {
                std::string tmpl = (fs::temp_directory_path() / "ctview-share-XXXXXX").string();
                if (!::mkdtemp(tmpl.data()))
                    throw DataError("no temporary folder for the anonymised copy");
                scratch.path = tmpl;
                const AnonymizeReport a = anonymizeFiles(r.files, scratch.path / "copy", r.anonymize);
                files.clear();
                for (const AnonymizedFile& f : a.files)
                    if (!f.to.empty())
                        files.push_back(f.to);
            }
            const SendReport sent = sendFiles(files, r.node, r.options);
            failed_ = sent.sent < r.files.size();
            text_ = std::string(r.anonymise ? "Sent an anonymised copy" : "Sent") + " to " + sent.archive +
                    ": " + std::to_string(sent.sent) + " of " + std::to_string(r.files.size()) + " files";
            for (const SendReport::File& f : sent.files)
                if (!f.sent) {
                    text_ += "\n" + f.path.filename().string() + ": " + f.message; // the first that failed
                    break;
                }
        }
    } catch (const std::exception& e) {
        failed_ = true;
        text_ = std::string(r.node.empty() ? "Could not save the anonymised copy: " : "Could not send: ") +
                e.what();
    }
    finished_ = true;
}

} // namespace ctview::app
