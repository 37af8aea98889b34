#pragma once
// DICOMweb (PS3.18): finding studies and series with QIDO-RS and retrieving a series with WADO-RS, over
// HTTP(S) through libcurl, into a local cache that the DICOM folder source then decodes in its isolated
// workers.
//
// URLs, wherever a folder is accepted:
//   http[s]://HOST[:PORT]/PATH                                  a DICOMweb root (Orthanc's /dicom-web,
//   dcm4chee's
//                                                               /dcm4chee-arc/aets/AET/rs): `info` lists
//                                                               studies
//   ROOT/studies/STUDY_UID                                      a study, treated like a folder
//   ROOT/studies/STUDY_UID/series/SERIES_UID                    one series
// Credentials never travel on the command line: CTVIEW_DICOMWEB_USER + CTVIEW_DICOMWEB_PASSWORD (HTTP Basic),
// or CTVIEW_DICOMWEB_TOKEN (a bearer token), else netrc (CTVIEW_NETRC, else ~/.netrc). TLS is verified
// against the system's CAs, or CTVIEW_CA_BUNDLE.
#include "base/archive.h"
#include "base/error.h"
#include "base/login.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ctview {

struct DicomWebUrl {
    std::string root;         // scheme://host[:port]/path, no trailing slash
    std::string study;        // StudyInstanceUID, or empty
    std::string series;       // SeriesInstanceUID, or empty
    std::string host;         // host[:port], for messages
    std::string text() const; // the URL back, canonical
};
bool isDicomWebUrl(const std::string& input);
// Throws UsageError for a URL ctview cannot use (credentials in it, no host, a path after the series UID).
DicomWebUrl parseDicomWebUrl(const std::string& input);
// A server as a user types it, made a URL: spaces trimmed, and "http://" put in front of one typed without a
// scheme ("localhost:8042/dicom-web"), as a browser does. Anything else is returned as typed.
std::string completeServerUrl(const std::string& typed);

// One HTTP GET. The body goes to `sink` as it arrives when given (a WADO-RS stream), else into `body`.
struct HttpResponse {
    long status = 0;
    std::string contentType;
    std::string body;
};
struct HttpOptions {
    double connectTimeout = 5; // seconds
    double stallTimeout = 30;  // seconds with no byte received
    // Who asks: this login when it is not empty, else CTVIEW_DICOMWEB_USER + CTVIEW_DICOMWEB_PASSWORD or
    // CTVIEW_DICOMWEB_TOKEN (read, never written: nothing in ctview sets them), else netrc.
    RemoteLogin login;
};

class HttpClient {
  public:
    explicit HttpClient(HttpOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;
    // Throws DataError naming `host` and the cause on a network failure (refused, no route, stalled, TLS,
    // ...); an HTTP error status is returned, not thrown. `sink` returns false to stop the transfer.
    HttpResponse
    get(const std::string& url, const std::string& accept,
        const std::function<bool(const char*, std::size_t)>& sink = nullptr,
        const std::function<void(long status, const std::string& contentType)>& headersDone = nullptr);
    // One HTTP POST of `body` (in memory) as `contentType`; the answer in the response's body.
    HttpResponse post(const std::string& url, const std::string& contentType, const std::string& body,
                      const std::string& accept);

  private:
    HttpResponse perform(const std::string& url, const std::string& accept, const std::string* body,
                         const std::string& contentType,
                         const std::function<bool(const char*, std::size_t)>& sink,
                         const std::function<void(long, const std::string&)>& headersDone);
    void* curl_;
    HttpOptions options_;
};

// A one-line message for an HTTP error status from `host` (401/403: how to log in; 404: no such thing; 5xx:
// the server's own message).
std::string httpErrorMessage(const std::string& host, const std::string& what, const HttpResponse& r);
// Throws that message: LoginRequired for 401 and 403, else DataError.
[[noreturn]] void throwHttpError(const std::string& host, const std::string& what, const HttpResponse& r);

class DicomWebClient {
  public:
    explicit DicomWebClient(DicomWebUrl url, HttpOptions options = {});
    const DicomWebUrl& url() const { return url_; }
    std::vector<StudyRow> studies(const StudyQuery& q);
    std::vector<SeriesRow> series(const std::string& study);
    // The series' instances; `limit` > 0 asks for the first ones only (a server answers that at once, where
    // the whole list of a 600-image series costs Orthanc a third of a second).
    std::vector<InstanceRow> instances(const std::string& study, const std::string& series, int limit = 0);
    // WADO-RS of a whole series (or, with `instance`, of one instance): each part is written to `folder` as
    // <SOPInstanceUID>.dcm (through a .part file, renamed when complete), and `partDone` is called with
    // that file after each. Returns the number of parts received; throws DataError on an HTTP error or a
    // malformed stream. `complete` tells whether the closing delimiter arrived (false: the transfer ended
    // early).
    std::size_t retrieve(const std::string& study, const std::string& series, const std::string& instance,
                         const std::filesystem::path& folder,
                         const std::function<void(const std::filesystem::path&)>& partDone, bool& complete);

    // STOW-RS (PS3.18 10.5): the files POSTed to ROOT/studies as multipart/related; type="application/dicom",
    // in requests of at most 64 MB; result i is file i's, from the answer's ReferencedSOPSequence and
    // FailedSOPSequence (by SOPInstanceUID). `sent` is called after each request. Throws DataError when the
    // server cannot be reached or refuses every request.
    std::vector<SentFile> store(const std::vector<OutgoingFile>& files,
                                const std::function<void(std::size_t done, std::size_t total)>& sent = {});

  private:
    std::string get(const std::string& path, const std::string& what);
    DicomWebUrl url_;
    HttpClient http_;
};

// The DICOMweb cache: $XDG_CACHE_HOME/ctview/dicomweb/ (else ~/.cache/ctview/dicomweb/), mode 0700 (it holds
// patient data). One folder per series: SERVER/STUDY/SERIES/*.dcm, and SERVER/STUDY/SERIES.json once it is
// complete.
std::filesystem::path dicomWebCacheRoot();
struct CachedSeries {
    std::filesystem::path folder;
    std::string server, study, series;
    std::uint64_t bytes = 0;
    std::size_t files = 0;
    bool complete = false;
    std::filesystem::file_time_type used; // last opened
};
std::vector<CachedSeries> listCache();
// Removes a cached series (its folder and its record), and its study and server folders if left empty.
void removeCachedSeries(const std::filesystem::path& folder);
// Removes the least recently used series until the cache holds at most `limitBytes` (default: 5 GiB, or
// CTVIEW_CACHE_LIMIT_MB), never `keep`.
void trimCache(std::uint64_t limitBytes, const std::filesystem::path& keep = {});
std::uint64_t cacheLimitBytes();

} // namespace ctview
