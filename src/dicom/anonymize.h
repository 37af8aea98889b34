#pragma once
// De-identified copies of DICOM files (PS3.15 Annex E, the Basic Application Level Confidentiality Profile),
// with GDCM: the originals are only read; each copy is written beside nothing of the user's, through a
// temporary file, in a folder of its own. One table (`deidentificationTable`) says what happens to each
// attribute; every UID that is not a DICOM-registered one (1.2.840.10008.…) is replaced consistently across
// the whole copy — the same new UID for the same old one in every file, so a SEG or RTSTRUCT still references
// its CT — by a name-based UUID (RFC 4122 version 5, SHA-1) under a namespace drawn at random for the copy
// and forgotten after it: the new UIDs cannot be traced back.
#include "base/isolate.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace ctview {

struct AnonymizeOptions {
    std::string patientName = "ANONYMOUS"; // PatientName (0010,0010) of the copy
    std::string patientId;                 // PatientID (0010,0020); empty: ANON- and a hash of the original
    bool keepDates = false;        // Retain Longitudinal Temporal Information with Full Dates (113106)
    bool keepDescriptions = false; // keep study, series and protocol descriptions, image comments
    bool keepPrivate = false;      // keep private (odd-group) elements; else removed
    int workers = 0;               // isolated worker processes; 0: one per core
};

// What happens to an attribute, in PS3.15 Table E.1-1's letters: D a dummy value, Z emptied, X removed,
// U a new UID (consistently), K kept.
enum class DeidAction { Dummy, Empty, Remove, Uid };
// What an option keeps instead: a date or time (--keep-dates), a description (--keep-descriptions).
enum class DeidKeep { Never, Dates, Descriptions };
struct DeidRule {
    std::uint16_t group, element;
    const char* keyword;
    DeidAction action;
    DeidKeep keptBy = DeidKeep::Never;
};
// The rules, at every depth of the data set (inside sequences too).
const std::vector<DeidRule>& deidentificationTable();
// The profile's attributes as GDCM lists them (gdcm::Anonymizer, PS3.15-2008 Table E.1-1), (group, element):
// the tests hold the table above to cover every one.
std::vector<std::pair<std::uint16_t, std::uint16_t>> gdcmProfileAttributes();

struct AnonymizedFile {
    std::filesystem::path from, to; // `to` empty: not written (see `problem`)
    std::string problem;            // not DICOM, unreadable, crashed the parser: this file was left out
    bool burnedIn = false;          // BurnedInAnnotation (0028,0301) YES: its pixels may still show a name
};
struct AnonymizeReport {
    std::vector<AnonymizedFile> files;
    std::size_t written = 0;
};

// Writes a de-identified copy of each of `files` into `outDir` (created; it must be empty or absent) as
// <new SOPInstanceUID>.dcm, the pixel data byte for byte as it was. Each file is parsed and written in an
// isolated worker (a malformed file is reported, never fatal). Throws UsageError for an output folder that is
// not empty or lies inside one of the inputs' folders.
// Throws UsageError when `outDir` is one of `folders` or lies inside one: a copy never lands among the
// originals (a second run would take the first's copies for originals).
void requireOutsideOriginals(const std::filesystem::path& outDir,
                             const std::vector<std::filesystem::path>& folders);
AnonymizeReport anonymizeFiles(const std::vector<std::filesystem::path>& files,
                               const std::filesystem::path& outDir, const AnonymizeOptions& options);

} // namespace ctview
