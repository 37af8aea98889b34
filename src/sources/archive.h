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

struct ArchiveStudies {
    std::string kind; // "DICOMweb", "DIMSE"
    std::string root; // the archive's root URL
    std::vector<StudyRow> studies;
    std::vector<std::string> urls; // each study's URL, to open it
};
// Throws DataError naming the archive (unreachable, refused, not an archive), UsageError for a bad URL.
ArchiveStudies findStudies(const std::string& input, const StudyQuery& q, const LoadOptions& options);

} // namespace ctview
