// The DIMSE source: a study (or one series) in an archive reached by classic DICOM networking, as a
// RemoteArchive for the archive source: C-FIND lists, C-GET or C-MOVE retrieves (dimse/dimse.h).
#include "base/error.h"
#include "dimse/dimse.h"
#include "sources/remote_archive.h"
#include "sources/series.h"

#include <cstdio>

namespace ctview {

namespace {

namespace fs = std::filesystem;

class DimseArchive final : public RemoteArchive {
  public:
    DimseArchive(DimseUrl url, const DimseOptions& options) : client_(std::move(url), options) {}

    std::string kind() const override { return "DIMSE"; }
    std::string host() const override { return client_.url().node(); }
    // "dimse-" and the node (AE titles may hold characters a file name should not), and a hash of it.
    std::string cacheKey() const override {
        std::string key = "dimse-";
        for (char c : client_.url().node())
            key += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
        char hash[20];
        std::snprintf(hash, sizeof hash, "-%08zx",
                      std::hash<std::string>{}(client_.url().node()) & 0xffffffffu);
        return key + hash;
    }
    std::string study() const override { return client_.url().study; }
    std::string series() const override { return client_.url().series; }
    std::string studyUrl(const std::string& study) const override { return client_.url().studyUrl(study); }
    std::string seriesUrl(const std::string& series) const override {
        return client_.url().studyUrl(client_.url().study, series);
    }
    std::string urlText() const override { return client_.url().text(); }
    std::string rootText() const override { return client_.url().root(); }

    std::vector<StudyRow> studies(const StudyQuery& q) override { return client_.studies(q); }
    std::string test() override {
        client_.echo();
        return "C-ECHO";
    }
    std::vector<SeriesRow> seriesOf(const std::string& study) override { return client_.series(study); }
    std::vector<SeriesRow> seriesOfStudy() override { return client_.series(client_.url().study); }
    std::vector<InstanceRow> instances(const std::string& series, int limit) override {
        return client_.instances(client_.url().study, series, limit);
    }
    Retrieved retrieve(const std::string& series, const std::string& instance, const fs::path& folder,
                       const std::vector<std::string>& sopClasses,
                       const std::function<void(const fs::path&)>& arrived) override {
        const DimseRetrieved got =
            client_.retrieve(client_.url().study, series, instance, folder, sopClasses, arrived);
        Retrieved r;
        r.complete = got.complete;
        r.failed = got.failed;
        return r;
    }
    bool retrievesImageLists() const override { return true; }
    bool retriesByImage() const override { return false; }
    std::unique_ptr<RemoteArchive> another() const override {
        return std::make_unique<DimseArchive>(client_.url(), client_.options());
    }

  private:
    mutable DimseClient client_;
};

} // namespace

std::unique_ptr<RemoteArchive> dimseArchive(const std::string& input, const LoadOptions& options) {
    if (!isDimseUrl(input))
        return nullptr;
    return std::make_unique<DimseArchive>(parseDimseUrl(input), options.dimse);
}

extern const SourceKind dimseSource;
const SourceKind dimseSource{
    "DIMSE study or series (dicom://AE@HOST:PORT/STUDY[/SERIES])",
    [](const std::string& input) { return isDimseUrl(input); },
    [](const std::string& input, const LoadOptions& options) -> std::unique_ptr<SeriesSource> {
        return openArchive(dimseArchive(input, options));
    },
};

} // namespace ctview
