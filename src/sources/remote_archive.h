#pragma once
// A PACS as the archive source (archive_source.cpp) sees it, whichever protocol reaches it: DICOMweb
// (source_dicomweb.cpp: QIDO-RS and WADO-RS) or DIMSE (source_dimse.cpp: C-FIND, and C-GET or C-MOVE).
// The source lists the study's series, checks one before fetching it, retrieves what the cache lacks and
// hands the cached files to the DICOM folder source: the same isolated decoding as local files. Private to
// sources.
#include "base/archive.h"
#include "sources/series.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ctview {

class RemoteArchive {
  public:
    virtual ~RemoteArchive() = default;
    virtual std::string kind() const = 0;     // "DICOMweb", "DIMSE": Provenance::source
    virtual std::string host() const = 0;     // who is named in messages: host[:port], AE@host:port
    virtual std::string cacheKey() const = 0; // the server's folder in the cache
    virtual std::string study() const = 0;    // the URL's study UID ("" at an archive's root)
    virtual std::string series() const = 0;   // the URL's series UID, or ""
    virtual std::string studyUrl(const std::string& study) const = 0;
    virtual std::string seriesUrl(const std::string& series) const = 0;
    virtual std::string urlText() const = 0;  // the URL as opened, canonical
    virtual std::string rootText() const = 0; // the archive's root URL

    virtual std::vector<StudyRow> studies(const StudyQuery& q) = 0;
    // Whether the archive answers; what was asked ("C-ECHO", "QIDO-RS"). Throws as the queries do.
    virtual std::string test() = 0;
    // The series of another study of the same archive.
    virtual std::vector<SeriesRow> seriesOf(const std::string& study) = 0;
    virtual std::vector<SeriesRow> seriesOfStudy() = 0;
    virtual std::vector<InstanceRow> instances(const std::string& series, int limit) = 0;
    // Whole series (`instance` empty) or one image, into `folder` as <SOPInstanceUID>.dcm, `arrived` after
    // each file (from any thread). `sopClasses`: the series' storage SOP classes, when known.
    struct Retrieved {
        bool complete = false; // the archive said it sent all (DICOMweb: the closing delimiter arrived)
        int failed = -1;       // images the archive reported it could not send (-1: it does not say)
    };
    virtual Retrieved retrieve(const std::string& series, const std::string& instance,
                               const std::filesystem::path& folder,
                               const std::vector<std::string>& sopClasses,
                               const std::function<void(const std::filesystem::path&)>& arrived) = 0;
    // Whether a failed series request is worth retrying image by image (DICOMweb: a server may refuse whole
    // series; DIMSE: the same refusal would come back for each image).
    virtual bool retriesByImage() const = 0;
    // Whether `instance` may be a list of UIDs separated by backslashes (DIMSE: an image-level retrieve takes
    // a list, PS3.4 C.4.2.2.1) instead of one image per request.
    virtual bool retrievesImageLists() const = 0;
    // The same archive on a connection of its own (instances are fetched on several at once).
    virtual std::unique_ptr<RemoteArchive> another() const = 0;
};

// The archive `input` names, when it is a DICOMweb or dicom:// URL (else null): made by source_dicomweb.cpp
// and source_dimse.cpp.
std::unique_ptr<RemoteArchive> dicomWebArchive(const std::string& input, const LoadOptions& options);
std::unique_ptr<RemoteArchive> dimseArchive(const std::string& input, const LoadOptions& options);

// The study (or series) of `archive` as a source of series. Throws DataError when it names an archive's
// root, or a study or series the archive does not have.
std::unique_ptr<SeriesSource> openArchive(std::unique_ptr<RemoteArchive> archive);

} // namespace ctview
