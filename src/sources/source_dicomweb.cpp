// The DICOMweb source: a study (or one series) on a DICOMweb server, as a RemoteArchive for the archive
// source: QIDO-RS lists, WADO-RS retrieves (one request for the series, one per instance to complete it).
#include "base/error.h"
#include "base/text.h"
#include "dicomweb/dicomweb.h"
#include "sources/remote_archive.h"
#include "sources/series.h"

#include <cstdio>

namespace ctview {

namespace {

namespace fs = std::filesystem;

class DicomWebArchive final : public RemoteArchive {
  public:
    DicomWebArchive(DicomWebUrl url, HttpOptions http)
        : url_(std::move(url)), http_(std::move(http)), client_(url_, http_) {}

    std::string kind() const override { return "DICOMweb"; }
    std::string host() const override { return url_.host; }
    // Host and port, and a hash of the whole root (two roots on one host differ).
    std::string cacheKey() const override {
        std::string key;
        for (char c : url_.host)
            key += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
        char hash[20];
        std::snprintf(hash, sizeof hash, "-%08zx", std::hash<std::string>{}(url_.root) & 0xffffffffu);
        return key + hash;
    }
    std::string study() const override { return url_.study; }
    std::string series() const override { return url_.series; }
    std::string studyUrl(const std::string& study) const override { return url_.root + "/studies/" + study; }
    std::string seriesUrl(const std::string& series) const override {
        return studyUrl(url_.study) + "/series/" + series;
    }
    std::string urlText() const override { return url_.text(); }
    std::string rootText() const override { return url_.root; }

    std::vector<StudyRow> studies(const StudyQuery& q) override { return client_.studies(q); }
    std::string test() override {
        StudyQuery one;
        one.limit = 1;
        client_.studies(one);
        return "QIDO-RS";
    }
    std::vector<SeriesRow> seriesOf(const std::string& study) override { return client_.series(study); }
    std::vector<SeriesRow> seriesOfStudy() override { return client_.series(url_.study); }
    std::vector<InstanceRow> instances(const std::string& series, int limit) override {
        return client_.instances(url_.study, series, limit);
    }
    Retrieved retrieve(const std::string& series, const std::string& instance, const fs::path& folder,
                       const std::vector<std::string>&,
                       const std::function<void(const fs::path&)>& arrived) override {
        Retrieved r;
        client_.retrieve(url_.study, series, instance, folder, arrived, r.complete);
        return r;
    }
    bool retrievesImageLists() const override { return false; }
    bool retriesByImage() const override { return true; }
    std::unique_ptr<RemoteArchive> another() const override {
        return std::make_unique<DicomWebArchive>(url_, http_);
    }

  private:
    DicomWebUrl url_;
    HttpOptions http_;      // the login it was opened with, for every connection
    DicomWebClient client_; // one connection, kept alive between requests
};

} // namespace

std::unique_ptr<RemoteArchive> dicomWebArchive(const std::string& input, const LoadOptions& options) {
    if (!isDicomWebUrl(input))
        return nullptr;
    const DicomWebUrl url = parseDicomWebUrl(input);
    if (!url.study.empty() && (!isSafeUid(url.study) || (!url.series.empty() && !isSafeUid(url.series))))
        throw UsageError(input + ": a UID is digits and dots");
    HttpOptions http;
    http.login = options.login;
    return std::make_unique<DicomWebArchive>(url, http);
}

extern const SourceKind dicomWebSource;
const SourceKind dicomWebSource{
    "DICOMweb study or series (http, https)",
    [](const std::string& input) { return isDicomWebUrl(input); },
    [](const std::string& input, const LoadOptions& options) -> std::unique_ptr<SeriesSource> {
        return openArchive(dicomWebArchive(input, options));
    },
};

} // namespace ctview
