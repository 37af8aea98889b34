// The archive source: a study (or one series) in a PACS, reached through a RemoteArchive (DICOMweb or DIMSE).
// The listing comes from the archive's query; loading a series checks it before anything is fetched (image
// objects, memory), retrieves what the cache lacks (one request for the series; per-image requests when that
// fails or to complete an interrupted one) and hands the cached files to the DICOM folder source: the same
// isolated decoding as local files.
#include "base/error.h"
#include "base/fsutil.h"
#include "base/text.h"
#include "dicomweb/dicomweb.h" // the cache: its root, its bound
#include "dimse/dimse.h"
#include "sources/archive.h"
#include "sources/remote_archive.h"
#include "sources/series.h"
#include "sources/source_dicom.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

namespace ctview {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Modalities whose series hold no images to show (PS3.3 C.7.3.1.1.1).
bool imageModality(const std::string& m) {
    static const std::set<std::string> notImages = {
        "SR", "PR", "KO", "SEG", "RTSTRUCT", "RTPLAN", "RTRECORD", "DOC", "REG", "FID", "AU", "ECG", "HD"};
    return !notImages.count(m);
}
// SOP classes of non-image objects (PS3.4 B.5): structured reports, presentation states, key objects, PDFs,
// RT structure sets and plans, segmentations.
bool nonImageSopClass(const std::string& uid) {
    return uid.rfind("1.2.840.10008.5.1.4.1.1.88.", 0) == 0 ||
           uid.rfind("1.2.840.10008.5.1.4.1.1.11.", 0) == 0 || uid == "1.2.840.10008.5.1.4.1.1.104.1" ||
           uid == "1.2.840.10008.5.1.4.1.1.481.3" || uid == "1.2.840.10008.5.1.4.1.1.481.5" ||
           uid == "1.2.840.10008.5.1.4.1.1.66.4";
}

// Creates the cache's folders owner-only: they hold patient data.
void makePrivateFolders(const fs::path& folder) {
    const fs::path root = dicomWebCacheRoot();
    createFolder(folder);
    for (fs::path p = folder; !p.empty(); p = p.parent_path()) { // the folder and its parents up to the root
        ::chmod(p.c_str(), 0700);
        if (p == root || p == p.parent_path())
            break;
    }
}

class ArchiveSource final : public SeriesSource {
  public:
    explicit ArchiveSource(std::unique_ptr<RemoteArchive> archive)
        : SeriesSource(archive->urlText()), archive_(std::move(archive)) {
        if (archive_->study().empty())
            throw DataError(archive_->urlText() + " is a " + archive_->kind() + " archive: `ctview info " +
                            archive_->urlText() + "` lists its studies; open " +
                            archive_->studyUrl("STUDY_UID"));
        studyFolder_ = dicomWebCacheRoot() / archive_->cacheKey() / archive_->study();
        std::vector<SeriesRow> rows;
        try {
            rows = archive_->seriesOfStudy();
            // The patient and study, for the metadata (best effort: a server may not allow study queries).
            try {
                StudyQuery q;
                q.studyUid = archive_->study();
                for (const StudyRow& s : archive_->studies(q))
                    if (s.uid == archive_->study())
                        study_ = s;
            } catch (const DataError&) {
            }
        } catch (const DataError& e) {
            // The server cannot be reached: what the cache holds of this study opens without it.
            rows = cachedRows();
            if (rows.empty())
                throw;
            offline_ = std::string(e.what());
        }
        // A series UID becomes a folder of the cache: one that is not digits and dots is left out.
        rows.erase(
            std::remove_if(rows.begin(), rows.end(), [](const SeriesRow& r) { return !isSafeUid(r.uid); }),
            rows.end());
        if (!archive_->series().empty())
            rows.erase(std::remove_if(rows.begin(), rows.end(),
                                      [&](const SeriesRow& r) { return r.uid != archive_->series(); }),
                       rows.end());
        if (rows.empty())
            throw DataError("no such " + std::string(archive_->series().empty() ? "study" : "series") +
                            " on " + archive_->host() + " (" + archive_->urlText() + ")");
        std::sort(rows.begin(), rows.end(),
                  [](const SeriesRow& a, const SeriesRow& b) { return a.number < b.number; });
        rows_ = rows;
        int best = 0;
        for (std::size_t n = 0; n < rows_.size(); ++n) {
            const SeriesRow& r = rows_[n];
            SeriesListing l;
            l.number = int(n + 1);
            l.uid = r.uid;
            l.seriesNumber = r.number;
            l.description = r.description;
            l.modality = r.modality;
            l.slices = std::size_t(r.instanceCount);
            l.patientName = study_.patientName;
            l.studyDate = study_.date;
            if (!imageModality(r.modality))
                l.note = "no images (" + r.modality + ")";
            listing_.push_back(l);
            // The default, as for a folder: a CT series with the most images, else the image series with the
            // most.
            if (!imageModality(r.modality))
                continue;
            const SeriesRow* b = best ? &rows_[std::size_t(best - 1)] : nullptr;
            const bool ct = r.modality == "CT", bestCt = b && b->modality == "CT";
            if (!b || (ct && !bestCt) || (ct == bestCt && r.instanceCount > b->instanceCount))
                best = int(n + 1);
        }
        default_ = best;
    }

    std::string kind() const override { return archive_->kind(); }
    const std::vector<SeriesListing>& series() const override { return listing_; }
    int defaultSeries() const override { return default_; }
    std::string summary() const override {
        std::string s = archive_->kind() + " study " + archive_->study() + " on " + archive_->host() + ": " +
                        std::to_string(rows_.size()) + " series";
        if (!offline_.empty())
            s += " (from the cache: the archive could not be reached)";
        return s;
    }
    std::vector<std::string> problems() const override {
        if (offline_.empty())
            return {};
        return {"the server could not be reached (" + offline_ + "); opened what the cache holds"};
    }

    Provenance describe(int number) const override {
        const SeriesRow& r = rows_.at(std::size_t(number - 1));
        Provenance p;
        p.source = archive_->kind();
        p.location = seriesUrl(r.uid);
        p.listing = listing_.at(std::size_t(number - 1));
        p.studyUid = archive_->study();
        if (!r.description.empty())
            p.fields["SeriesDescription"] = r.description;
        if (!r.modality.empty())
            p.fields["Modality"] = r.modality;
        if (!study_.patientName.empty())
            p.fields["PatientName"] = study_.patientName;
        if (!study_.patientId.empty())
            p.fields["PatientID"] = study_.patientId;
        if (!study_.date.empty())
            p.fields["StudyDate"] = study_.date;
        if (!study_.description.empty())
            p.fields["StudyDescription"] = study_.description;
        p.acquiredSlices = std::size_t(r.instanceCount);
        return p;
    }

    Series load(int number, const LoadOptions& options) const override {
        const SeriesRow& row = rows_.at(std::size_t(number - 1));
        if (!imageModality(row.modality))
            throw DataError(seriesUrl(row.uid) + ": series " + std::to_string(row.number) +
                            " holds no images (" + row.modality + ")");
        const fs::path folder = studyFolder_ / row.uid, record = studyFolder_ / (row.uid + ".json");
        std::error_code ec;
        std::vector<std::string> warnings;
        // The images as they were decoded on arrival, when they are fetched now.
        std::unique_ptr<ArrivingStack> arriving;
        const bool cachedComplete =
            fs::exists(record, ec) && countCached(folder) >= expectedFromRecord(record);
        if (!cachedComplete) {
            if (!offline_.empty()) {
                if (countCached(folder) == 0)
                    throw DataError(offline_);
                warnings.push_back("the server could not be reached: showing the " +
                                   std::to_string(countCached(folder)) + " images in the cache");
            } else {
                arriving = download(row, folder, record, options);
            }
        }
        // Last used now (the cache drops the least recently used series first).
        fs::last_write_time(folder, fs::file_time_type::clock::now(), ec);
        trimCache(cacheLimitBytes(), folder);
        // The cached files are a folder of DICOM files: the same scan, isolated decoding and checks (already
        // made while they arrived, when they were fetched now).
        LoadOptions local = options;
        local.series = "";
        const auto files = arriving ? openScannedDicom(arriving->scan(folder), arriving->staged())
                                    : openSource(folder.string(), local);
        Series s = files->load(files->pick(row.uid).number, local);
        s.about.source = archive_->kind();
        s.about.location = seriesUrl(row.uid);
        // The archive's row, with what only the files tell: a 4D series' phases (then `slices` per phase).
        const SeriesListing fromFiles = s.about.listing;
        s.about.listing = listing_.at(std::size_t(number - 1));
        if (fromFiles.phases > 1) {
            s.about.listing.phases = fromFiles.phases;
            s.about.listing.phaseKey = fromFiles.phaseKey;
            s.about.listing.phaseValues = fromFiles.phaseValues;
            s.about.listing.slices = fromFiles.slices;
        }
        for (const std::string& w : warnings)
            s.warnings.insert(s.warnings.begin(), w);
        return s;
    }

    // The study's SEG and RTSTRUCT series, fetched into the cache (whole series: they are a file or a few)
    // unless it holds them: the load offers them as layers of the series they reference.
    std::vector<fs::path> segmentationFiles(std::vector<std::string>& problems) const override {
        std::vector<fs::path> out;
        for (const SeriesRow& r : rows_) {
            if (r.modality != "SEG" && r.modality != "RTSTRUCT")
                continue;
            const fs::path folder = studyFolder_ / r.uid;
            if (offline_.empty() && countCached(folder) < std::size_t(std::max(1, r.instanceCount))) {
                // Each series on its own: one that fails is said, the others are still shown.
                try {
                    makePrivateFolders(folder);
                    bool complete = false;
                    complete = archive_->retrieve(r.uid, "", folder, {}, [](const fs::path&) {}).complete;
                    if (!complete)
                        problems.push_back(seriesUrl(r.uid) + ": the " + r.modality +
                                           " transfer ended early (what arrived is used)");
                } catch (const std::exception& e) {
                    problems.push_back(seriesUrl(r.uid) + ": the " + r.modality + " could not be fetched (" +
                                       e.what() + ")");
                    continue;
                }
            }
            std::error_code ec;
            for (const auto& f : fs::directory_iterator(folder, ec))
                if (f.path().extension() == ".dcm")
                    out.push_back(f.path());
        }
        return out;
    }

  private:
    std::string seriesUrl(const std::string& series) const { return archive_->seriesUrl(series); }

    static std::size_t countCached(const fs::path& folder) {
        std::size_t n = 0;
        std::error_code ec;
        for (const auto& f : fs::directory_iterator(folder, ec))
            if (f.path().extension() == ".dcm")
                ++n;
        return n;
    }
    static std::size_t expectedFromRecord(const fs::path& record) {
        try {
            std::ifstream in(record);
            return json::parse(in).at("instances").size();
        } catch (const std::exception&) {
            return std::size_t(-1); // a broken record: fetch again
        }
    }

    // The series of this study that the cache holds complete (for opening without the server).
    std::vector<SeriesRow> cachedRows() const {
        std::vector<SeriesRow> out;
        std::error_code ec;
        for (const auto& f : fs::directory_iterator(studyFolder_, ec)) {
            if (f.path().extension() != ".json")
                continue;
            try {
                std::ifstream in(f.path());
                const json j = json::parse(in);
                SeriesRow r;
                r.uid = j.at("uid").get<std::string>();
                r.modality = j.value("modality", "");
                r.description = j.value("description", "");
                r.number = j.value("number", 0);
                r.instanceCount = int(j.at("instances").size());
                out.push_back(r);
            } catch (const std::exception&) {
            }
        }
        return out;
    }

    // Fetches what the cache lacks of the series. Returns the images as they were scanned and decoded during
    // a whole-series transfer (null when the series came instance by instance).
    std::unique_ptr<ArrivingStack> download(const SeriesRow& row, const fs::path& folder,
                                            const fs::path& record, const LoadOptions& options) const {
        std::unique_ptr<ArrivingStack> arriving;
        // First one instance (QIDO-RS, limit=1: at once even for a long series): refuse what cannot be shown,
        // and a series that would not fit in memory, before a byte of pixels is fetched.
        const std::vector<InstanceRow> probe = archive_->instances(row.uid, 1);
        if (probe.empty())
            throw DataError("no such series on " + archive_->host() + " (" + seriesUrl(row.uid) + ")");
        const InstanceRow& first = probe.front();
        if (nonImageSopClass(first.sopClass))
            throw DataError(seriesUrl(row.uid) + ": the series holds no images (SOP class " + first.sopClass +
                            ")");
        const std::size_t total = std::size_t(std::max(1, row.instanceCount));
        checkMemory(seriesUrl(row.uid),
                    double(first.rows) * double(first.columns) * double(first.frames) * double(total) * 2,
                    std::to_string(total) + " images of " + std::to_string(first.columns) + "x" +
                        std::to_string(first.rows),
                    options);
        makePrivateFolders(folder);
        // The storage SOP class a DIMSE archive sends the images in (a C-GET accepts only what it proposed).
        std::vector<std::string> classes;
        if (!first.sopClass.empty())
            classes.push_back(first.sopClass);
        std::size_t have = countCached(folder);
        auto progress = [&] {
            if (options.progress)
                options.progress("downloading", std::min(have, total), total);
        };
        progress();
        bool seriesRequestFailed = false;
        if (have == 0) {
            // One WADO-RS request for the whole series, parsed as it streams; each image is decoded as it
            // lands.
            RemoteArchive::Retrieved got;
            arriving =
                std::make_unique<ArrivingStack>(total * std::size_t(std::max(1, first.frames)), options);
            try {
                got = retrieveDecoding(row, folder, *arriving, total, classes, [&] { ++have, progress(); });
            } catch (const DataError&) {
                // An HTTP error or a malformed answer: instance by instance below, where the archive can be
                // asked for one image at a time. Part of a series, then an error: say so (what arrived is
                // kept).
                if (countCached(folder) > 0 || !archive_->retriesByImage())
                    throw;
                seriesRequestFailed = true;
            }
            have = countCached(folder);
            // Short of the count the listing gave; or, where the server gave none, without the closing
            // delimiter.
            const bool cut = row.instanceCount > 0 ? have < total : !got.complete;
            if (cut && !seriesRequestFailed && got.failed > 0)
                throw DataError(archive_->host() + ": " + std::to_string(have) + " of " +
                                std::to_string(total) + " images arrived; the archive reported " +
                                std::to_string(got.failed) + (got.failed == 1 ? " failure" : " failures") +
                                " (what arrived is kept: open it again for the rest)");
            if (cut && !seriesRequestFailed)
                throw DataError(archive_->host() + ": transfer ended early: " + std::to_string(have) +
                                " of " + std::to_string(total) +
                                " images (what arrived is kept: open it again for the rest)");
        }
        // The full list of instances only when some are missing (an interrupted series, or a server that will
        // not send whole series): then the missing ones on up to three kept-alive connections at once.
        std::vector<std::string> uids;
        // (When the archive gave no count, the list says whether an earlier transfer left images out.)
        if (have < total || (row.instanceCount == 0 && !arriving)) {
            arriving.reset(); // the folder is scanned whole at the end
            const std::vector<InstanceRow> instances = archive_->instances(row.uid, 0);
            std::vector<std::string> todo;
            std::error_code ec;
            for (const InstanceRow& i : instances) {
                if (!isSafeUid(i.uid))
                    continue;
                uids.push_back(i.uid);
                if (!fs::exists(folder / (i.uid + ".dcm"), ec))
                    todo.push_back(i.uid);
            }
            std::mutex lock; // the progress callback and the first failure
            std::string failure;
            auto fetch = [&](std::size_t start, std::size_t stride) {
                try {
                    const std::unique_ptr<RemoteArchive> own = archive_->another(); // a connection of its own
                    for (std::size_t n = start; n < todo.size(); n += stride)
                        own->retrieve(row.uid, todo[n], folder, classes, [&](const fs::path&) {
                            std::lock_guard guard(lock);
                            ++have;
                            progress();
                        });
                } catch (const std::exception& e) {
                    std::lock_guard guard(lock);
                    if (failure.empty())
                        failure = e.what();
                }
            };
            // A DIMSE archive is asked once for every missing image (an image-level retrieve takes a list of
            // UIDs; a C-MOVE has one port to send to).
            if (archive_->retrievesImageLists() && !todo.empty())
                todo = {joined(todo, "\\")};
            const std::size_t connections = std::min<std::size_t>(3, todo.size());
            std::vector<std::thread> threads;
            for (std::size_t t = 1; t < connections; ++t)
                threads.emplace_back(fetch, t, connections);
            if (connections > 0)
                fetch(0, connections);
            for (std::thread& t : threads)
                t.join();
            if (!failure.empty() && countCached(folder) == 0)
                throw DataError(failure);
            have = countCached(folder);
            if (have < instances.size())
                throw DataError(archive_->host() + ": transfer ended early: " + std::to_string(have) +
                                " of " + std::to_string(instances.size()) + " images" +
                                (failure.empty() ? "" : " (" + failure + ")"));
        } else {
            std::error_code ec;
            for (const auto& f : fs::directory_iterator(folder, ec))
                if (f.path().extension() == ".dcm")
                    uids.push_back(f.path().stem().string());
        }
        // The record that says the series is complete (and lets it open without the server).
        json j = {{"uid", row.uid},
                  {"number", row.number},
                  {"modality", row.modality},
                  {"description", row.description},
                  {"url", seriesUrl(row.uid)},
                  {"instances", uids}};
        writeTextFileAtomically(record, j.dump(1));
        return arriving;
    }

    // The series request on a thread of its own, while this one scans and decodes each batch of images that
    // has arrived since the last. Under AddressSanitizer the two take turns instead: GCC 12's allocator is
    // not fork-safe, and the isolated workers fork while the transfer's thread allocates (see
    // tests/CMakeLists.txt).
    RemoteArchive::Retrieved retrieveDecoding(const SeriesRow& row, const fs::path& folder,
                                              ArrivingStack& arriving, std::size_t expected,
                                              const std::vector<std::string>& classes,
                                              const std::function<void()>& arrived) const {
        RemoteArchive::Retrieved got;
        std::mutex lock;
        std::condition_variable news;
        std::vector<fs::path> queue;
        auto partDone = [&](const fs::path& file) {
            {
                std::lock_guard guard(lock);
                queue.push_back(file);
            }
            arrived();
            news.notify_one();
        };
        // The first two images at once (the first slices on screen), then batches of an eighth of the series:
        // each batch starts isolated workers, and on two cores the decoders share them with the transfer.
        const std::size_t batch = std::max<std::size_t>(8, expected / 8);
        std::exception_ptr failure;
#if defined(__SANITIZE_ADDRESS__)
        try {
            got = archive_->retrieve(row.uid, "", folder, classes, partDone);
        } catch (...) {
            failure = std::current_exception();
        }
        for (std::size_t n = 0; n < queue.size(); n += batch)
            arriving.add({queue.begin() + std::ptrdiff_t(n),
                          queue.begin() + std::ptrdiff_t(std::min(queue.size(), n + batch))},
                         n + batch >= queue.size());
#else
        bool finished = false;
        std::thread transfer([&] {
            try {
                got = archive_->retrieve(row.uid, "", folder, classes, partDone);
            } catch (...) {
                failure = std::current_exception();
            }
            {
                std::lock_guard guard(lock);
                finished = true;
            }
            news.notify_one();
        });
        std::size_t want = 2;
        for (;;) {
            std::vector<fs::path> landed;
            bool last = false;
            {
                std::unique_lock guard(lock);
                news.wait(guard, [&] { return finished || queue.size() >= want; });
                want = batch;
                landed.swap(queue);
                last = finished;
            }
            arriving.add(landed, last);
            if (last)
                break;
        }
        transfer.join();
#endif
        if (failure)
            std::rethrow_exception(failure);
        return got;
    }

    std::unique_ptr<RemoteArchive> archive_; // its first connection (a DICOMweb one is kept alive)
    fs::path studyFolder_;
    std::vector<SeriesRow> rows_;
    std::vector<SeriesListing> listing_;
    StudyRow study_;
    int default_ = 0;
    std::string offline_; // why the server was not used
};

} // namespace

std::unique_ptr<SeriesSource> openArchive(std::unique_ptr<RemoteArchive> archive) {
    return std::make_unique<ArchiveSource>(std::move(archive));
}

} // namespace ctview

namespace ctview {

namespace {
std::unique_ptr<RemoteArchive> archiveOf(const std::string& input, const LoadOptions& options) {
    if (auto a = dicomWebArchive(input, options))
        return a;
    return dimseArchive(input, options);
}
} // namespace

bool isArchiveUrl(const std::string& input) {
    return isDicomWebUrl(input) || isDimseUrl(input);
}

bool isArchiveRoot(const std::string& input) {
    try {
        if (isDicomWebUrl(input))
            return parseDicomWebUrl(input).study.empty();
        return isDimseUrl(input) && parseDimseUrl(input).study.empty();
    } catch (const std::exception&) {
        return false; // a malformed URL: opening it says why
    }
}

std::string canonicalArchiveUrl(const std::string& input) {
    if (isDicomWebUrl(input))
        return parseDicomWebUrl(input).text();
    if (isDimseUrl(input))
        return parseDimseUrl(input).text();
    throw UsageError(input + ": not a DICOMweb or dicom:// URL");
}

std::string archiveNodeUrl(const std::string& typed, const DimseOptions& dimse) {
    const std::string u = completeServerUrl(typed);
    std::string root;
    if (isDimseUrl(u)) {
        DimseUrl url = parseDimseUrl(u);
        if (!url.study.empty())
            throw UsageError(u + ": give the archive, not a study");
        url.given = dimse;         // the dialog's fields, an empty one meaning the default
        effectiveOptions(url, {}); // refuses what cannot be used
        return url.root();
    }
    const DicomWebUrl url = parseDicomWebUrl(u);
    if (!url.study.empty())
        throw UsageError(u + ": give the server's root, not a study");
    return url.root;
}

DimseOptions archiveNodeOptions(const std::string& url) {
    try {
        return isDimseUrl(url) ? parseDimseUrl(url).given : DimseOptions{};
    } catch (const std::exception&) {
        return {};
    }
}

std::string archiveHost(const std::string& url) {
    try {
        return isDicomWebUrl(url) ? parseDicomWebUrl(url).host : std::string();
    } catch (const std::exception&) {
        return {};
    }
}

bool isDimseNode(const std::string& url) {
    return isDimseUrl(completeServerUrl(url));
}

bool isDicomDateRange(const std::string& text) {
    auto date = [](const std::string& d) {
        return d.size() == 8 &&
               std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
               std::stoi(d.substr(4, 2)) >= 1 && std::stoi(d.substr(4, 2)) <= 12 &&
               std::stoi(d.substr(6, 2)) >= 1 && std::stoi(d.substr(6, 2)) <= 31;
    };
    const std::size_t dash = text.find('-');
    if (dash == std::string::npos)
        return date(text);
    const std::string from = text.substr(0, dash), to = text.substr(dash + 1);
    return (!from.empty() || !to.empty()) && (from.empty() || date(from)) && (to.empty() || date(to));
}

ArchiveStudies findStudies(const std::string& input, const StudyQuery& q, const LoadOptions& options) {
    const auto a = archiveOf(input, options);
    if (!a)
        throw UsageError(input + ": not a DICOMweb or dicom:// URL");
    // An archive matches a date it cannot parse against nothing (0 studies, no error): said here instead.
    if (!q.date.empty() && !isDicomDateRange(q.date))
        throw UsageError("date " + q.date +
                         ": give YYYYMMDD, or a range FROM-TO where either end may be left out "
                         "(20240101-20241231, 20240101-)");
    ArchiveStudies out;
    out.kind = a->kind();
    out.root = a->rootText();
    out.studies = a->studies(q);
    for (const StudyRow& s : out.studies)
        out.urls.push_back(a->studyUrl(s.uid));
    return out;
}

ArchiveSeries findSeries(const std::string& root, const std::string& study, const LoadOptions& options) {
    const auto a = archiveOf(root, options);
    if (!a)
        throw UsageError(root + ": not a DICOMweb or dicom:// URL");
    if (!isSafeUid(study))
        throw UsageError(study + ": a UID is digits and dots");
    ArchiveSeries out;
    out.series = a->seriesOf(study);
    std::sort(out.series.begin(), out.series.end(),
              [](const SeriesRow& x, const SeriesRow& y) { return x.number < y.number; });
    const auto inStudy = archiveOf(a->studyUrl(study), options);
    for (const SeriesRow& s : out.series)
        out.urls.push_back(inStudy->seriesUrl(s.uid));
    return out;
}

std::string testArchive(const std::string& root, const LoadOptions& options) {
    const auto a = archiveOf(root, options);
    if (!a)
        throw UsageError(root + ": not a DICOMweb or dicom:// URL");
    const auto start = std::chrono::steady_clock::now();
    const std::string what = a->test();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return a->host() + ": " + what + " answered in " + std::to_string(std::lround(ms)) + " ms";
}

} // namespace ctview
