#pragma once
// A real PACS for the DICOMweb and DIMSE tests: Debian's Orthanc with its DICOMweb plugin and its DICOM port,
// started once per test process on loopback with its own configuration and storage in a temporary folder,
// free ports (never 8042/4242, which the package's system service uses), HTTP Basic authentication on, and
// stopped with SIGTERM when the process ends. Series are uploaded through its REST API (POST /instances).
// Every loop here is bounded.
#include "testutil.h"

#include <curl/curl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ctview::test {

// A loopback TCP port that was free a moment ago.
inline int freePort() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("bind failed");
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

// An HTTP request from the test itself (uploads, readiness), with libcurl; returns the status (0: no
// connection).
inline long testHttp(const std::string& method, const std::string& url, const std::string& body = {},
                     std::string* answer = nullptr, const std::string& userpwd = "ctview:secret") {
    CURL* c = curl_easy_init();
    std::string out;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!body.empty() || method == "POST") {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, long(body.size()));
    }
    if (!userpwd.empty())
        curl_easy_setopt(c, CURLOPT_USERPWD, userpwd.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(
        c, CURLOPT_WRITEFUNCTION, +[](char* d, std::size_t s, std::size_t n, void* u) {
            static_cast<std::string*>(u)->append(d, s * n);
            return s * n;
        });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (answer)
        *answer = out;
    return status;
}

class Orthanc {
  public:
    // The one server of this process, started on first use.
    static Orthanc& shared() {
        static Orthanc server;
        return server;
    }
    int port() const { return port_; }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string root() const { return base() + "/dicom-web"; }
    // Its DICOM port (DIMSE), AE title ORTHANC, which checks the called AE title and serves only the AE
    // titles it knows, as a hospital's archive does: CTVIEW (C-GET and C-MOVE to scpPort()) and NOGET (no
    // C-GET: C-MOVE to nogetScpPort()).
    int dicomPort() const { return dicomPort_; }
    std::string dimseRoot() const { return "dicom://ORTHANC@127.0.0.1:" + std::to_string(dicomPort_); }
    int scpPort() const { return scpPort_; }
    int nogetScpPort() const { return nogetScpPort_; }
    // Stops the server's process (SIGSTOP) until the guard ends: an archive that stalls mid-association.
    struct Paused {
        pid_t pid;
        explicit Paused(pid_t p) : pid(p) { ::kill(pid, SIGSTOP); }
        ~Paused() { ::kill(pid, SIGCONT); }
        Paused(const Paused&) = delete;
        Paused& operator=(const Paused&) = delete;
    };
    std::unique_ptr<Paused> pause() { return std::make_unique<Paused>(pid_); }

    // Uploads every file of `folder` (POST /instances), in the folder's own (unspecified) order.
    void upload(const std::filesystem::path& folder) {
        std::vector<std::filesystem::path> files;
        for (const auto& f : std::filesystem::directory_iterator(folder))
            files.push_back(f.path());
        upload(files);
    }
    // Uploads `files` in this order, which is the order Orthanc sends a series in (WADO-RS).
    void upload(const std::vector<std::filesystem::path>& files) {
        for (const auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)), {});
            const long status = testHttp("POST", base() + "/instances", bytes);
            if (status != 200)
                throw std::runtime_error("Orthanc refused " + f.string());
        }
    }

    ~Orthanc() {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int n = 0; n < 200 && ::waitpid(pid_, &status, WNOHANG) == 0; ++n) // 10 s at most
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (::waitpid(pid_, &status, WNOHANG) == 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
        }
    }

  private:
    Orthanc() {
        port_ = freePort();
        dicomPort_ = freePort();
        scpPort_ = freePort();
        nogetScpPort_ = freePort();
        const auto cfg = dir_.path / "orthanc.json";
        std::ofstream(cfg) << R"({
  "Name": "ctview-test",
  "HttpPort": )" << port_ << R"(,
  "DicomPort": )" << dicomPort_
                           << R"(,
  "DicomServerEnabled": true,
  "DicomAet": "ORTHANC",
  "DicomCheckCalledAet": true,
  "DicomAlwaysAllowEcho": false,
  "DicomAlwaysAllowStore": false,
  "DicomAlwaysAllowFind": false,
  "DicomAlwaysAllowGet": false,
  "DicomAlwaysAllowMove": false,
  "DicomModalities": {
    "ctview": { "AET": "CTVIEW", "Host": "127.0.0.1", "Port": )"
                           << scpPort_ << R"( },
    "noget": { "AET": "NOGET", "Host": "127.0.0.1", "Port": )"
                           << nogetScpPort_ << R"(, "AllowGet": false }
  },
  "StorageDirectory": ")" << (dir_.path / "db").string()
                           << R"(",
  "IndexDirectory": ")" << (dir_.path / "db").string()
                           << R"(",
  "RemoteAccessAllowed": false,
  "HttpCompressionEnabled": false,
  "AuthenticationEnabled": true,
  "RegisteredUsers": { "ctview": "secret" },
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" }
})";
        pid_ = ::fork();
        if (pid_ == 0) {
            const std::string log = (dir_.path / "orthanc.log").string();
            if (!std::freopen(log.c_str(), "w", stdout) || !std::freopen(log.c_str(), "a", stderr))
                ::_exit(126);
            ::execlp("Orthanc", "Orthanc", cfg.c_str(), static_cast<char*>(nullptr));
            // Debian installs it in /usr/sbin, which a user's PATH (or an `env -i` one) may leave out.
            ::execl("/usr/sbin/Orthanc", "Orthanc", cfg.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        // Ready when /system answers (about 0.2 s here); 30 s at most.
        for (int n = 0; n < 300; ++n) {
            if (testHttp("GET", base() + "/system") == 200)
                return;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error(
                    "Orthanc exited at start (is it installed? scripts/setup installs it)");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        throw std::runtime_error("Orthanc did not answer within 30 s");
    }

    TempDir dir_;
    int port_ = 0, dicomPort_ = 0, scpPort_ = 0, nogetScpPort_ = 0;
    pid_t pid_ = -1;
};

// A loopback TCP proxy in front of a server: forwards both ways, and when `cutAfter` is set closes the first
// connection whose server side sends that many bytes (then forgets the cut): a transfer that HTTP thinks is
// fine until the connection just ends, as a flaky network or a proxy's timeout makes it. `pauseAfter` holds
// the first connection that has sent that many bytes for `pauseMs` (a slow network, mid-transfer).
class CuttingProxy {
  public:
    explicit CuttingProxy(int targetPort) : target_(targetPort) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        ::listen(listener_, 16);
        thread_ = std::thread([this] { serve(); });
    }
    ~CuttingProxy() { stop(); }
    // Stops accepting and ends every connection: the server is gone, as far as a client can tell.
    void stop() {
        if (stopped_.exchange(true))
            return;
        ::shutdown(listener_, SHUT_RDWR);
        ::close(listener_);
        if (thread_.joinable())
            thread_.join();
        for (std::thread& t : connections_)
            if (t.joinable())
                t.join();
    }
    int port() const { return port_; }
    std::atomic<std::size_t> cutAfter{0}, pauseAfter{0};
    std::atomic<int> cuts{0}, pauseMs{0};

  private:
    void serve() {
        for (int n = 0; n < 1000 && !stopped_; ++n) { // bounded: a test opens a handful of connections
            const int client = ::accept(listener_, nullptr, nullptr);
            if (client < 0)
                return;
            connections_.emplace_back([this, client] { relay(client); });
        }
    }
    void relay(int client) {
        const int server = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(std::uint16_t(target_));
        if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(client);
            ::close(server);
            return;
        }
        timeval tv{0, 20000};
        ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::size_t fromServer = 0;
        char buf[16384];
        for (int idle = 0; idle < 3000 && !stopped_;) { // a minute of silence at most
            bool moved = false;
            const ssize_t up = ::recv(client, buf, sizeof buf, 0);
            if (up == 0)
                break;
            if (up > 0) {
                ::send(server, buf, std::size_t(up), MSG_NOSIGNAL);
                moved = true;
            }
            const ssize_t down = ::recv(server, buf, sizeof buf, 0);
            if (down == 0)
                break;
            if (down > 0) {
                std::size_t n = std::size_t(down);
                const std::size_t cut = cutAfter.load();
                if (cut && fromServer + n >= cut) {
                    ::send(client, buf, cut - fromServer, MSG_NOSIGNAL);
                    cutAfter = 0;
                    ++cuts;
                    break;
                }
                ::send(client, buf, n, MSG_NOSIGNAL);
                fromServer += n;
                moved = true;
                const std::size_t pause = pauseAfter.load();
                if (pause && fromServer >= pause) {
                    pauseAfter = 0;
                    std::this_thread::sleep_for(std::chrono::milliseconds(pauseMs.load()));
                }
            }
            idle = moved ? 0 : idle + 1;
        }
        ::close(client);
        ::close(server);
    }

    int target_, port_ = 0, listener_ = -1;
    std::atomic<bool> stopped_{false};
    std::thread thread_;
    std::vector<std::thread> connections_;
};

} // namespace ctview::test
