#include "dicomweb/dicomweb.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "base/text.h"
#include "dicomweb/multipart.h"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <utility>

namespace ctview {

using nlohmann::json;

// ---- URLs
// -----------------------------------------------------------------------------------------------------

bool isDicomWebUrl(const std::string& input) {
    return input.rfind("http://", 0) == 0 || input.rfind("https://", 0) == 0;
}

std::string DicomWebUrl::text() const {
    std::string t = root;
    if (!study.empty())
        t += "/studies/" + study;
    if (!series.empty())
        t += "/series/" + series;
    return t;
}

std::string completeServerUrl(const std::string& typed) {
    const std::size_t first = typed.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return "";
    std::string url = typed.substr(first, typed.find_last_not_of(" \t\r\n") - first + 1);
    if (url.find("://") == std::string::npos)
        url = "http://" + url;
    return url;
}

DicomWebUrl parseDicomWebUrl(const std::string& input) {
    if (!isDicomWebUrl(input))
        throw UsageError(input + ": not an http:// or https:// URL");
    const std::size_t schemeEnd = input.find("://") + 3;
    std::size_t hostEnd = input.find('/', schemeEnd);
    if (hostEnd == std::string::npos)
        hostEnd = input.size();
    DicomWebUrl u;
    u.host = input.substr(schemeEnd, hostEnd - schemeEnd);
    if (u.host.empty())
        throw UsageError(input + ": the URL has no host");
    if (u.host.find('@') != std::string::npos)
        throw UsageError(
            "a URL with credentials in it: give them in CTVIEW_DICOMWEB_USER and "
            "CTVIEW_DICOMWEB_PASSWORD (or CTVIEW_DICOMWEB_TOKEN, or ~/.netrc), never on the command line");
    std::string path = input.substr(hostEnd);
    if (path.find_first_of("?#") != std::string::npos)
        path = path.substr(0, path.find_first_of("?#"));
    while (!path.empty() && path.back() == '/')
        path.pop_back();
    // Split off /studies/UID[/series/UID] from the end; what is before is the root.
    auto segments = [](const std::string& p) {
        std::vector<std::string> out;
        std::size_t at = 0;
        while (at < p.size()) {
            std::size_t next = p.find('/', at + 1);
            if (next == std::string::npos)
                next = p.size();
            out.push_back(p.substr(at + 1, next - at - 1));
            at = next;
        }
        return out;
    };
    std::vector<std::string> seg = segments(path);
    std::size_t rootSegments = seg.size();
    for (std::size_t i = 0; i < seg.size(); ++i)
        if (seg[i] == "studies") {
            rootSegments = i;
            if (i + 1 >= seg.size())
                throw UsageError(input + ": /studies/ needs a StudyInstanceUID after it");
            u.study = seg[i + 1];
            if (i + 2 < seg.size()) {
                if (seg[i + 2] != "series" || i + 3 >= seg.size() || i + 4 < seg.size())
                    throw UsageError(
                        input + ": use ROOT/studies/STUDY_UID or ROOT/studies/STUDY_UID/series/SERIES_UID");
                u.series = seg[i + 3];
            }
            break;
        }
    u.root = input.substr(0, hostEnd);
    for (std::size_t i = 0; i < rootSegments; ++i)
        if (!seg[i].empty())
            u.root += "/" + seg[i];
    return u;
}

// ---- HTTP -------------------------------------------------------------------------------------------------

namespace {

void curlGlobalInit() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

struct Transfer {
    HttpResponse* response;
    const std::function<bool(const char*, std::size_t)>* sink;
    const std::function<void(long, const std::string&)>* headersDone;
    CURL* curl;
    bool headersReported = false;
    bool stopped = false;
};

std::size_t onHeader(char* data, std::size_t size, std::size_t n, void* user) {
    Transfer& t = *static_cast<Transfer*>(user);
    const std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0)
        t.response->contentType.clear(); // a new response (after a redirect, 100)
    if (line.size() > 13 && strncasecmp(line.c_str(), "content-type:", 13) == 0) {
        std::string v = line.substr(13);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
            v.erase(0, 1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
            v.pop_back();
        t.response->contentType = v;
    }
    return size * n;
}

std::size_t onBody(char* data, std::size_t size, std::size_t n, void* user) {
    Transfer& t = *static_cast<Transfer*>(user);
    const std::size_t bytes = size * n;
    if (!t.headersReported) {
        t.headersReported = true;
        curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &t.response->status);
        if (t.headersDone && *t.headersDone)
            (*t.headersDone)(t.response->status, t.response->contentType);
    }
    // Error bodies are kept (a little) for the message, whatever the sink does.
    if (t.response->status != 200 || !t.sink || !*t.sink) {
        if (t.response->body.size() < (t.sink && *t.sink ? 4096u : 512u << 20))
            t.response->body.append(data, bytes);
        return bytes;
    }
    if (!(*t.sink)(data, bytes)) {
        t.stopped = true;
        return 0; // curl stops with CURLE_WRITE_ERROR
    }
    return bytes;
}

} // namespace

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) {
    curlGlobalInit();
    curl_ = curl_easy_init();
    if (!curl_)
        throw DataError("libcurl could not be initialised");
}

HttpClient::~HttpClient() {
    curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpResponse HttpClient::get(const std::string& url, const std::string& accept,
                             const std::function<bool(const char*, std::size_t)>& sink,
                             const std::function<void(long, const std::string&)>& headersDone) {
    return perform(url, accept, nullptr, {}, sink, headersDone);
}

HttpResponse HttpClient::post(const std::string& url, const std::string& contentType, const std::string& body,
                              const std::string& accept) {
    return perform(url, accept, &body, contentType, nullptr, nullptr);
}

HttpResponse HttpClient::perform(const std::string& url, const std::string& accept, const std::string* body,
                                 const std::string& contentType,
                                 const std::function<bool(const char*, std::size_t)>& sink,
                                 const std::function<void(long, const std::string&)>& headersDone) {
    CURL* c = static_cast<CURL*>(curl_);
    // The same handle for every request of a client: its connection is kept alive between them.
    curl_easy_reset(c);
    HttpResponse r;
    Transfer t{&r, &sink, &headersDone, c};
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(options_.connectTimeout * 1000));
    // A stalled transfer: less than one byte a second for stallTimeout seconds.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, long(std::max(1.0, options_.stallTimeout)));
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "ctview/" CTVIEW_VERSION);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");     // whatever libcurl can decode
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024); // fewer, larger writes: a series is hundreds of MB
    // Credentials: the login given, else the environment, else netrc. Basic auth is sent only to the host of
    // the URL (no redirects).
    const RemoteLogin& given = options_.login;
    const std::string user = given.empty() ? env("CTVIEW_DICOMWEB_USER") : given.user,
                      password = given.empty() ? env("CTVIEW_DICOMWEB_PASSWORD") : given.password,
                      token = given.empty() ? env("CTVIEW_DICOMWEB_TOKEN") : given.token;
    struct curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, ("Accept: " + accept).c_str());
    if (body) { // a POST (STOW-RS): the body from memory, its type as given
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body->size()));
        // Redirected, it stays a POST (libcurl would make it a GET, which a server answers with a list).
        curl_easy_setopt(c, CURLOPT_POSTREDIR, long(CURL_REDIR_POST_ALL));
        headers = curl_slist_append(headers, ("Content-Type: " + contentType).c_str());
        headers = curl_slist_append(headers, "Expect:"); // no 100-continue round trip
    }
    std::string bearer;
    if (!user.empty()) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(c, CURLOPT_USERNAME, user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
    } else if (!token.empty()) {
        bearer = "Authorization: Bearer " + token;
        headers = curl_slist_append(headers, bearer.c_str());
    } else {
        const std::string netrc = env("CTVIEW_NETRC");
        curl_easy_setopt(c, CURLOPT_NETRC, long(CURL_NETRC_OPTIONAL));
        if (!netrc.empty())
            curl_easy_setopt(c, CURLOPT_NETRC_FILE, netrc.c_str());
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    const std::string ca = env("CTVIEW_CA_BUNDLE");
    if (!ca.empty())
        curl_easy_setopt(c, CURLOPT_CAINFO, ca.c_str());
    char errorText[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorText);
    const CURLcode code = curl_easy_perform(c);
    curl_slist_free_all(headers);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    if (!t.headersReported && headersDone && r.status != 0)
        headersDone(r.status, r.contentType);
    if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && t.stopped))
        return r;
    // Only the host is named: a URL can carry tokens in its query.
    const std::size_t hostStart = url.find("://") == std::string::npos ? 0 : url.find("://") + 3;
    const std::string host = url.substr(hostStart, url.find('/', hostStart) - hostStart);
    std::string cause;
    switch (code) {
    case CURLE_COULDNT_CONNECT:
        cause = "cannot connect (connection refused or no route to the host)";
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        cause = "the host name is not known";
        break;
    case CURLE_COULDNT_RESOLVE_PROXY:
        cause = "the proxy's name is not known";
        break;
    case CURLE_OPERATION_TIMEDOUT:
        cause =
            r.status == 0 && !t.headersReported
                ? "no answer (" + std::to_string(int(options_.connectTimeout)) + " s to connect, " +
                      std::to_string(int(options_.stallTimeout)) + " s for data)"
                : "the transfer stalled (nothing for " + std::to_string(int(options_.stallTimeout)) + " s)";
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        cause = std::string("its TLS certificate is not trusted (") + errorText +
                "; a private CA goes in CTVIEW_CA_BUNDLE)";
        break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        // Not a byte of HTTP back: often a DICOM (DIMSE) port given as a DICOMweb URL.
        cause = r.status == 0 && !t.headersReported
                    ? "the connection was closed without an HTTP answer (is this a DICOMweb server? a DICOM "
                      "port is dicom://AE@HOST:PORT)"
                    : "the connection was closed before the answer was complete";
        break;
    default:
        cause = *errorText ? errorText : curl_easy_strerror(code);
    }
    throw DataError(host + ": " + cause);
}

void throwHttpError(const std::string& host, const std::string& what, const HttpResponse& r) {
    if (r.status == 401 || r.status == 403)
        throw LoginRequired(httpErrorMessage(host, what, r));
    throw DataError(httpErrorMessage(host, what, r));
}

std::string httpErrorMessage(const std::string& host, const std::string& what, const HttpResponse& r) {
    if (r.status == 401)
        return host + " wants a login: set CTVIEW_DICOMWEB_USER and CTVIEW_DICOMWEB_PASSWORD (or "
                      "CTVIEW_DICOMWEB_TOKEN), or put the host in ~/.netrc";
    if (r.status == 403)
        return host + " refused access to " + what + " with these credentials (HTTP 403)";
    if (r.status == 404)
        return "no such " + what + " on " + host;
    if (r.status == 405) // a path where the server takes no such request: seldom the DICOMweb root
        return host + ": HTTP 405 for " + what +
               " (not allowed at this URL: is it the server's DICOMweb root, e.g. "
               "http://HOST:8042/dicom-web?)";
    std::string message;
    if (r.contentType.find("json") != std::string::npos || r.contentType.find("text") != std::string::npos) {
        // Orthanc answers {"Message": ..., "Details": ...}; others send text. One line of it.
        try {
            const json j = json::parse(r.body);
            if (j.is_object()) {
                for (const char* k : {"Details", "Message", "message", "error"})
                    if (j.contains(k) && j[k].is_string() && !j[k].get<std::string>().empty()) {
                        message = j[k].get<std::string>();
                        break;
                    }
            }
        } catch (const std::exception&) {
            message = r.body.substr(0, r.body.find('\n'));
        }
    }
    if (message.size() > 200)
        message = message.substr(0, 200) + "...";
    return host + ": HTTP " + std::to_string(r.status) + " for " + what +
           (message.empty() ? "" : ": " + message);
}

// ---- QIDO-RS
// -----------------------------------------------------------------------------------------------

namespace {

// The first value of a tag in a DICOM JSON object (PS3.18 F.2): strings, numbers, person names (Alphabetic).
std::string valueOf(const json& o, const char* tag, std::size_t index = 0) {
    auto it = o.find(tag);
    if (it == o.end() || !it->is_object())
        return "";
    auto v = it->find("Value");
    if (v == it->end() || !v->is_array() || v->size() <= index)
        return "";
    const json& x = (*v)[index];
    if (x.is_string())
        return x.get<std::string>();
    if (x.is_number_integer())
        return std::to_string(x.get<long long>());
    if (x.is_number())
        return std::to_string(x.get<double>());
    if (x.is_object() && x.contains("Alphabetic") && x["Alphabetic"].is_string())
        return x["Alphabetic"].get<std::string>();
    return "";
}
std::string allValues(const json& o, const char* tag) {
    std::string out;
    for (std::size_t i = 0;; ++i) {
        const std::string v = valueOf(o, tag, i);
        if (v.empty())
            break;
        out += (out.empty() ? "" : ",") + v;
    }
    return out;
}
int intOf(const json& o, const char* tag, int fallback = 0) {
    const std::string v = valueOf(o, tag);
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    return v.empty() || end == v.c_str() ? fallback : int(n);
}

std::string escape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '*' || c == '^')
            out += char(c);
        else {
            char b[4];
            std::snprintf(b, sizeof b, "%%%02X", c);
            out += b;
        }
    }
    return out;
}

} // namespace

namespace {
// A login goes only to the server it was given for: another one is asked as if no login had been given.
HttpOptions forHost(HttpOptions options, const std::string& host) {
    if (!options.login.host.empty() && options.login.host != host)
        options.login = {};
    return options;
}
} // namespace

DicomWebClient::DicomWebClient(DicomWebUrl url, HttpOptions options)
    : url_(std::move(url)), http_(forHost(std::move(options), url_.host)) {}

std::string DicomWebClient::get(const std::string& path, const std::string& what) {
    const HttpResponse r = http_.get(url_.root + path, "application/dicom+json, application/json");
    if (r.status == 204)
        return "[]"; // No Content: nothing matched
    if (r.status != 200)
        throwHttpError(url_.host, what, r);
    return r.body;
}

namespace {
json parseArray(const std::string& body, const DicomWebUrl& u, const std::string& contentType = "") {
    json j;
    try {
        j = json::parse(body);
    } catch (const std::exception&) {
        throw DataError(u.host + ": does not answer as a DICOMweb server at " + u.root +
                        (contentType.empty() ? "" : " (" + contentType + ")") + " (expected a JSON array)");
    }
    if (!j.is_array() || std::any_of(j.begin(), j.end(), [](const json& e) { return !e.is_object(); }))
        throw DataError(u.host + ": does not answer as a DICOMweb server at " + u.root +
                        " (expected a JSON array of DICOM objects)");
    return j;
}
} // namespace

std::vector<StudyRow> DicomWebClient::studies(const StudyQuery& q) {
    std::string path = "/studies?includefield=00081030&includefield=00080061&includefield=00201206"
                       "&includefield=00201208&includefield=00080050&includefield=00100020";
    if (!q.patientName.empty())
        path += "&PatientName=" + escape(q.patientName);
    if (!q.patientId.empty())
        path += "&PatientID=" + escape(q.patientId);
    if (!q.accession.empty())
        path += "&AccessionNumber=" + escape(q.accession);
    if (!q.date.empty())
        path += "&StudyDate=" + escape(q.date);
    if (!q.modality.empty())
        path += "&ModalitiesInStudy=" + escape(q.modality);
    if (!q.studyUid.empty())
        path += "&StudyInstanceUID=" + escape(q.studyUid);
    if (q.limit > 0)
        path += "&limit=" + std::to_string(q.limit);
    // At the root, "not found" means the URL is not a DICOMweb root at all.
    const HttpResponse r = http_.get(url_.root + path, "application/dicom+json, application/json");
    if (r.status == 404)
        throw DataError(url_.host + ": does not answer as a DICOMweb server at " + url_.root +
                        " (HTTP 404 for /studies)");
    if (r.status != 200 && r.status != 204)
        throwHttpError(url_.host, "studies", r);
    std::vector<StudyRow> out;
    for (const json& o : parseArray(r.status == 204 ? "[]" : r.body, url_, r.contentType)) {
        StudyRow s;
        s.uid = valueOf(o, "0020000D");
        s.patientName = valueOf(o, "00100010");
        s.patientId = valueOf(o, "00100020");
        s.date = valueOf(o, "00080020");
        s.description = valueOf(o, "00081030");
        s.accession = valueOf(o, "00080050");
        s.modalities = allValues(o, "00080061");
        s.seriesCount = intOf(o, "00201206");
        s.instanceCount = intOf(o, "00201208");
        if (!s.uid.empty())
            out.push_back(s);
    }
    // Orthanc ignores limit with some filters; the user asked for at most this many.
    if (q.limit > 0 && out.size() > std::size_t(q.limit))
        out.resize(std::size_t(q.limit));
    return out;
}

std::vector<SeriesRow> DicomWebClient::series(const std::string& study) {
    const std::string path = "/studies/" + escape(study) +
                             "/series?includefield=0008103E&includefield=00200011&includefield=00201209";
    std::vector<SeriesRow> out;
    for (const json& o : parseArray(get(path, "study " + study), url_)) {
        SeriesRow s;
        s.uid = valueOf(o, "0020000E");
        s.modality = valueOf(o, "00080060");
        s.description = valueOf(o, "0008103E");
        s.number = intOf(o, "00200011");
        s.instanceCount = intOf(o, "00201209");
        if (!s.uid.empty())
            out.push_back(s);
    }
    return out;
}

std::vector<InstanceRow> DicomWebClient::instances(const std::string& study, const std::string& series,
                                                   int limit) {
    // The study-level path: Orthanc 1.10 answers 404 to /series/{uid}/instances. Rows, Columns and
    // NumberOfFrames are named: includefield=all leaves some out.
    const std::string path = "/studies/" + escape(study) + "/series/" + escape(series) +
                             "/instances?includefield=00280010&includefield=00280011&includefield=00280008"
                             "&includefield=00200013" +
                             (limit > 0 ? "&limit=" + std::to_string(limit) : "");
    std::vector<InstanceRow> out;
    for (const json& o : parseArray(get(path, "series " + series), url_)) {
        InstanceRow i;
        i.uid = valueOf(o, "00080018");
        i.sopClass = valueOf(o, "00080016");
        i.rows = intOf(o, "00280010");
        i.columns = intOf(o, "00280011");
        i.frames = std::max(1, intOf(o, "00280008", 1));
        i.number = intOf(o, "00200013");
        if (!i.uid.empty())
            out.push_back(i);
    }
    return out;
}

// ---- WADO-RS
// -----------------------------------------------------------------------------------------------

namespace {

// The SOP Instance UID from a Part 10 file's meta group: MediaStorageSOPInstanceUID (0002,0003), always
// explicit VR little endian (PS3.10 7.1). Read by hand from the part's first bytes (`buf`, `n`), kept as they
// streamed past: cheap, no second read of the file, and no DICOM library in this process.
constexpr std::size_t kMetaHeadBytes = 1024;
std::string metaSopInstance(const char* buf, std::size_t n) {
    if (n < 140 || std::memcmp(buf + 128, "DICM", 4) != 0)
        return "";
    // Little-endian unsigned integers of `bytes` bytes at `at`.
    auto le = [&](std::size_t at, int bytes) {
        std::size_t v = 0;
        for (int b = bytes - 1; b >= 0; --b)
            v = v << 8 | static_cast<unsigned char>(buf[at + std::size_t(b)]);
        return v;
    };
    std::size_t at = 132;
    while (at + 8 <= n) {
        const std::size_t group = le(at, 2), element = le(at + 2, 2);
        if (group != 2)
            return "";
        const std::string vr(buf + at + 4, 2);
        std::size_t length, value;
        if (vr == "OB" || vr == "OW" || vr == "SQ" || vr == "UN" || vr == "UT") {
            if (at + 12 > n)
                return "";
            length = le(at + 8, 4);
            value = at + 12;
        } else {
            length = le(at + 6, 2);
            value = at + 8;
        }
        if (value + length > n)
            return "";
        if (element == 3) {
            std::string uid(buf + value, length);
            while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' '))
                uid.pop_back();
            return isSafeUid(uid) ? uid : "";
        }
        at = value + length;
    }
    return "";
}

} // namespace

std::size_t DicomWebClient::retrieve(const std::string& study, const std::string& series,
                                     const std::string& instance, const std::filesystem::path& folder,
                                     const std::function<void(const std::filesystem::path&)>& partDone,
                                     bool& complete) {
    complete = false;
    std::string path = "/studies/" + escape(study) + "/series/" + escape(series);
    if (!instance.empty())
        path += "/instances/" + escape(instance);
    const std::string what = instance.empty() ? "series " + series : "instance " + instance;
    std::unique_ptr<MultipartParser> parser;
    std::FILE* out = nullptr;
    std::filesystem::path partFile;
    std::size_t parts = 0;
    std::string failure;
    std::string head; // the part's first bytes: its meta group
    auto closePart = [&] {
        if (out)
            std::fclose(out);
        out = nullptr;
    };
    MultipartParser::Handler handler;
    handler.begin = [&](const PartHeaders& h) {
        const std::string type = h.contentType.substr(0, h.contentType.find(';'));
        if (!type.empty() && type != "application/dicom")
            throw DataError(url_.host + ": sent a part of type " + type + " for " + what + ", not DICOM");
        // Unique across the clients of this process that fetch into the same folder at once.
        static std::atomic<unsigned> serial{0};
        partFile =
            folder / ("incoming-" + std::to_string(::getpid()) + "-" + std::to_string(serial++) + ".part");
        out = std::fopen(partFile.c_str(), "wb");
        head.clear();
        if (!out)
            throw DataError(partFile.string() + ": cannot be written (" + std::strerror(errno) + ")");
    };
    handler.data = [&](const char* d, std::size_t n) {
        if (head.size() < kMetaHeadBytes)
            head.append(d, std::min(n, kMetaHeadBytes - head.size()));
        if (std::fwrite(d, 1, n, out) != n)
            throw DataError(partFile.string() + ": cannot be written (disk full?)");
    };
    handler.end = [&] {
        if (std::fclose(out) != 0) {
            out = nullptr;
            throw DataError(partFile.string() + ": cannot be written");
        }
        out = nullptr;
        const std::string uid = metaSopInstance(head.data(), head.size());
        if (uid.empty()) {
            std::filesystem::remove(partFile);
            throw DataError(url_.host + ": sent a part that is not a DICOM file for " + what);
        }
        const std::filesystem::path done = folder / (uid + ".dcm");
        std::filesystem::rename(partFile, done);
        ++parts;
        if (partDone)
            partDone(done);
    };
    long status = 0;
    std::string contentType;
    HttpResponse r;
    try {
        r = http_.get(
            url_.root + path, "multipart/related; type=\"application/dicom\"; transfer-syntax=*",
            [&](const char* d, std::size_t n) {
                if (!parser)
                    return false;
                try {
                    parser->feed(d, n);
                } catch (const std::exception& e) {
                    failure = e.what();
                    return false;
                }
                return true;
            },
            [&](long s, const std::string& type) {
                status = s;
                contentType = type;
                if (s == 200) {
                    try {
                        parser = std::make_unique<MultipartParser>(multipartBoundary(type), handler);
                    } catch (const std::exception& e) {
                        failure = url_.host + ": " + e.what();
                    }
                }
            });
    } catch (const DataError&) {
        closePart();
        if (!partFile.empty())
            std::filesystem::remove(partFile);
        if (parts == 0)
            throw;
        return parts; // what arrived is kept; the caller says how much is missing
    }
    closePart();
    std::error_code ec;
    if (!partFile.empty() && std::filesystem::exists(partFile, ec))
        std::filesystem::remove(partFile, ec);
    if (!failure.empty())
        throw DataError(failure);
    if (r.status != 200)
        throwHttpError(url_.host, what, r);
    complete = parser && parser->finished();
    return parts;
}

// ---- the cache
// ---------------------------------------------------------------------------------------------

// ---- STOW-RS
// -----------------------------------------------------------------------------------------------

namespace {
// The SOPInstanceUIDs of a STOW-RS answer's ReferencedSOPSequence (0008,1199), and of its FailedSOPSequence
// (0008,1198) with their FailureReason (0008,1197).
void readStoreAnswer(const std::string& body, std::set<std::string>& stored,
                     std::map<std::string, std::string>& failed) {
    json j;
    try {
        j = json::parse(body);
    } catch (const std::exception&) {
        return; // no JSON (an XML answer, or none): the status says it
    }
    if (j.is_array() && !j.empty())
        j = j.front();
    if (!j.is_object())
        return;
    auto items = [&](const char* tag) {
        const auto it = j.find(tag);
        if (it == j.end() || !it->is_object() || !it->contains("Value") || !(*it)["Value"].is_array())
            return json::array();
        return (*it)["Value"];
    };
    for (const json& item : items("00081199"))
        stored.insert(valueOf(item, "00081155"));
    for (const json& item : items("00081198")) {
        const std::string reason = valueOf(item, "00081197");
        failed[valueOf(item, "00081155")] = reason.empty() ? "no reason given" : "FailureReason " + reason;
    }
}
} // namespace

std::vector<SentFile> DicomWebClient::store(const std::vector<OutgoingFile>& files,
                                            const std::function<void(std::size_t, std::size_t)>& sent) {
    std::vector<SentFile> out(files.size());
    const std::string boundary =
        "ctview-stow-" + std::to_string(std::hash<std::string>{}(url_.root + std::to_string(files.size())));
    const std::size_t maxRequest = std::size_t(64) << 20;
    std::size_t next = 0;
    bool anyAccepted = false;
    std::string lastError;
    while (next < files.size()) {
        std::string body;
        std::vector<std::size_t> batch;
        while (next < files.size() && (batch.empty() || body.size() < maxRequest)) {
            const std::size_t i = next++;
            std::ifstream in(files[i].path, std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)), {});
            if (!in.good() && !in.eof()) {
                out[i].message = "cannot be read";
                continue;
            }
            body += "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n";
            body += bytes;
            body += "\r\n";
            batch.push_back(i);
        }
        if (batch.empty())
            continue;
        body += "--" + boundary + "--\r\n";
        const HttpResponse r = http_.post(
            url_.root + "/studies", "multipart/related; type=\"application/dicom\"; boundary=" + boundary,
            body, "application/dicom+json, application/json");
        if (r.status == 401 || r.status == 403)
            throwHttpError(url_.host, "STOW-RS", r);
        std::set<std::string> stored;
        std::map<std::string, std::string> failed;
        readStoreAnswer(r.body, stored, failed);
        for (std::size_t i : batch) {
            const std::string& uid = files[i].sopInstance;
            if (const auto f = failed.find(uid); f != failed.end()) {
                out[i].message = "refused (" + f->second + ")";
            } else if (stored.count(uid)) { // only what the answer lists as stored (PS3.18 10.5.3)
                out[i].ok = true;
                anyAccepted = true;
            } else {
                out[i].message = httpErrorMessage(url_.host, "STOW-RS", r);
                lastError = out[i].message;
            }
        }
        if (sent)
            sent(next, files.size());
    }
    if (!anyAccepted && !lastError.empty() && files.size() > 0 &&
        std::none_of(out.begin(), out.end(),
                     [](const SentFile& f) { return f.message.rfind("refused", 0) == 0; }))
        throw DataError(lastError);
    return out;
}

std::filesystem::path dicomWebCacheRoot() {
    return userFolder(UserFolder::Cache) / "dicomweb";
}

std::uint64_t cacheLimitBytes() {
    const std::string mb = env("CTVIEW_CACHE_LIMIT_MB");
    char* end = nullptr;
    const unsigned long long v = std::strtoull(mb.c_str(), &end, 10);
    if (!mb.empty() && *end == '\0')
        return std::uint64_t(v) << 20;
    return 5ull << 30;
}

std::vector<CachedSeries> listCache() {
    namespace fs = std::filesystem;
    std::vector<CachedSeries> out;
    std::error_code ec;
    const fs::path root = dicomWebCacheRoot();
    for (const auto& server : fs::directory_iterator(root, ec)) {
        if (!server.is_directory(ec))
            continue;
        for (const auto& study : fs::directory_iterator(server.path(), ec)) {
            if (!study.is_directory(ec))
                continue;
            for (const auto& series : fs::directory_iterator(study.path(), ec)) {
                if (!series.is_directory(ec))
                    continue;
                CachedSeries c;
                c.folder = series.path();
                c.server = server.path().filename().string();
                c.study = study.path().filename().string();
                c.series = series.path().filename().string();
                c.complete = fs::exists(series.path().string() + ".json", ec);
                c.used = fs::last_write_time(series.path(), ec);
                for (const auto& f : fs::directory_iterator(series.path(), ec))
                    if (f.is_regular_file(ec)) {
                        c.bytes += f.file_size(ec);
                        if (f.path().extension() == ".dcm")
                            ++c.files;
                    }
                out.push_back(c);
            }
        }
    }
    std::sort(out.begin(), out.end(),
              [](const CachedSeries& a, const CachedSeries& b) { return a.used > b.used; });
    return out;
}

void removeCachedSeries(const std::filesystem::path& folder) {
    std::error_code ec;
    std::filesystem::remove(folder.string() + ".json", ec);
    std::filesystem::remove_all(folder, ec);
    // Its study's folder (ROOT/SERVER/STUDY/SERIES) and its server's, when this leaves them empty; only
    // inside the cache's root.
    const std::filesystem::path study = folder.parent_path(), server = study.parent_path();
    if (server.parent_path().lexically_normal() != dicomWebCacheRoot().lexically_normal())
        return;
    for (const auto& p : {study, server})
        if (std::filesystem::is_empty(p, ec))
            std::filesystem::remove(p, ec);
}

void trimCache(std::uint64_t limitBytes, const std::filesystem::path& keep) {
    std::vector<CachedSeries> all = listCache(); // most recently used first
    std::uint64_t total = 0;
    for (const CachedSeries& c : all)
        total += c.bytes;
    std::error_code ec;
    for (auto it = all.rbegin(); it != all.rend() && total > limitBytes; ++it) {
        if (!keep.empty() && std::filesystem::equivalent(it->folder, keep, ec))
            continue;
        removeCachedSeries(it->folder);
        total -= it->bytes;
    }
}

} // namespace ctview
