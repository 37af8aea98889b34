#pragma once
// DICOM networking (DIMSE, PS3.7 and PS3.4 Annex C, Query/Retrieve in the Study Root model) with DCMTK: what
// a hospital archive that speaks no DICOMweb offers. C-ECHO checks a node, C-FIND lists studies, series and
// images, and a series is retrieved either by C-GET (the images come back on the same association) or by
// C-MOVE (the archive opens an association to our own storage SCP, which must be in its list of modalities).
// Each image lands in a folder as <SOPInstanceUID>.dcm (through a .part file, renamed when whole), where the
// DICOM source decodes it with GDCM: nothing here decodes pixels.
//
// URLs, wherever a folder is accepted:
//   dicom://CALLED_AE@HOST[:PORT]                           an archive: `info` lists its studies
//   dicom://CALLED_AE@HOST[:PORT]/STUDY_UID                 a study, treated like a folder
//   dicom://CALLED_AE@HOST[:PORT]/STUDY_UID/SERIES_UID      one series
// The port is 104 when none is given (PS3.8's well-known port). Any of them may end with how to meet the
// archive, ?aet=CALLING_AE&retrieve=get|move|auto&scp-port=N (what the PACS dialog saves with a node, so that
// a study in the recent list opens the same way); options given on the command line win over these.
#include "base/archive.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ctview {

struct DimseUrl {
    std::string calledAe, host;
    int port = 104;
    std::string study, series; // UIDs, or empty
    DimseOptions given;        // the URL's ?aet=…&retrieve=…&scp-port=…
    std::string node() const;  // CALLED_AE@HOST:PORT, for messages
    std::string root() const;  // dicom://CALLED_AE@HOST:PORT and the URL's options
    std::string text() const;  // the URL back, canonical
    // The URL of one of its studies or series, with the same options.
    std::string studyUrl(const std::string& study, const std::string& series = {}) const;
};
bool isDimseUrl(const std::string& input);
// Throws UsageError for a URL ctview cannot use (no AE title or host, an AE title longer than 16 characters
// or with a backslash or control character, a bad port, a path after the series UID, a UID that is not
// digits and dots, an unknown option).
DimseUrl parseDimseUrl(const std::string& input);
// `options` where given, else the URL's, else the defaults (CTVIEW, auto, no C-MOVE port). Throws UsageError
// for an AE title or retrieve mode ctview cannot use.
DimseOptions effectiveOptions(const DimseUrl& url, const DimseOptions& options);

struct DimseTimeouts {
    int connect = 5;   // seconds to open the TCP connection
    int response = 30; // seconds without a message on an open association (a stalled archive)
};

// What a retrieve brought: the images that arrived, and what the archive said of the rest.
struct DimseRetrieved {
    std::size_t arrived = 0;                     // images written to the folder
    int completed = 0, failed = 0, warnings = 0; // the archive's final sub-operation counts
    std::string how;                             // "C-GET" or "C-MOVE"
    bool complete = false; // the final response said success, with no failed sub-operation
};

class DimseClient {
  public:
    DimseClient(DimseUrl url, const DimseOptions& options, DimseTimeouts timeouts = {});
    const DimseUrl& url() const { return url_; }
    const DimseOptions& options() const { return options_; } // effective: URL and command line merged

    // Each call opens an association of its own and releases it. Every failure throws DataError naming the
    // node and the cause: connection refused or timed out, the association rejected (and why), no accepted
    // presentation context for the service, a stalled or aborted association, a failed status.
    void echo();
    std::vector<StudyRow> studies(const StudyQuery& q);
    std::vector<SeriesRow> series(const std::string& study);
    std::vector<InstanceRow> instances(const std::string& study, const std::string& series, int limit = 0);

    // Retrieves a series (or, with `instance`, one image) into `folder` as <SOPInstanceUID>.dcm, calling
    // `arrived` with each file as it lands (on another thread during a C-MOVE). `sopClasses` are the
    // storage SOP classes to accept on a C-GET (the series' own, from `instances`; empty: every storage
    // class DCMTK knows). C-GET, C-MOVE or C-GET then C-MOVE as the options say. Throws DataError when
    // nothing could be retrieved; a retrieve that ends with failed sub-operations returns what arrived.
    DimseRetrieved retrieve(const std::string& study, const std::string& series, const std::string& instance,
                            const std::filesystem::path& folder, const std::vector<std::string>& sopClasses,
                            const std::function<void(const std::filesystem::path&)>& arrived);

    // C-STORE of each file, on one association (a second if the first is lost), each file in its own SOP
    // class and transfer syntax as stored. A rejected file does not stop the rest: result i is file i's.
    // `sent` is called after each. Throws DataError when no association can be opened at all.
    std::vector<SentFile> store(const std::vector<OutgoingFile>& files,
                                const std::function<void(std::size_t done, std::size_t total)>& sent = {});

  private:
    DimseUrl url_;
    DimseOptions options_;
    DimseTimeouts timeouts_;
};

} // namespace ctview
