#pragma once
// A PACS's root, whichever protocol reaches it (a DICOMweb root URL, dicom://AE@HOST:PORT): whether an input
// names one, and its studies (`info ROOT`, the PACS dialog). Opening a study or series goes through
// openSource() as every input does.
#include "base/archive.h"
#include "volume/load_options.h"

#include <string>
#include <vector>

namespace ctview {

// A DICOMweb or dicom:// URL without a study.
bool isArchiveRoot(const std::string& input);
// A DICOMweb or dicom:// URL (of a root, a study or a series).
bool isArchiveUrl(const std::string& input);
// Its canonical text (what the recent list keeps). Throws UsageError for one ctview cannot use.
std::string canonicalArchiveUrl(const std::string& input);

// A server as a user types it in the PACS dialog, made the root URL of a node: "localhost:8042/dicom-web"
// gets http:// as in a browser; a dicom:// one gets `dimse` as its ?aet=...&retrieve=...&scp-port=... in
// place of the typed URL's own (a field left empty: the default). Throws UsageError for one ctview cannot
// use, or one naming a study.
std::string archiveNodeUrl(const std::string& typed, const DimseOptions& dimse = {});
// What a dicom:// node URL says of how to meet it (all empty for DICOMweb or a bad URL).
DimseOptions archiveNodeOptions(const std::string& url);
// The host[:port] a DICOMweb URL names: the only server a login typed for it goes to ("" for anything else:
// the login then goes to whichever server is asked next).
std::string archiveHost(const std::string& url);
// Whether it is a DIMSE node (the dialog shows its AE title, retrieve and port fields).
bool isDimseNode(const std::string& url);

struct ArchiveStudies {
    std::string kind; // "DICOMweb", "DIMSE"
    std::string root; // the archive's root URL
    std::vector<StudyRow> studies;
    std::vector<std::string> urls; // each study's URL, to open it
};
// A DICOM date (DA, YYYYMMDD) or range (FROM-TO, either end left out), as a study search's date filter.
bool isDicomDateRange(const std::string& text);
// Throws DataError naming the archive (unreachable, refused, not an archive), UsageError for a bad URL or
// date.
ArchiveStudies findStudies(const std::string& input, const StudyQuery& q, const LoadOptions& options);
struct ArchiveSeries {
    std::vector<SeriesRow> series;
    std::vector<std::string> urls; // each series' URL
};
// The series of `study` at the archive `root`.
ArchiveSeries findSeries(const std::string& root, const std::string& study, const LoadOptions& options);
// Asks the archive whether it answers (C-ECHO; DICOMweb: a one-study search): a line saying how it answered
// ("C-ECHO answered in 4 ms"). Throws what fails, as the searches do.
std::string testArchive(const std::string& root, const LoadOptions& options);

} // namespace ctview
