#pragma once
// A second real archive for the DIMSE tests: DCMTK's own query/retrieve SCP (dcmqrscp, Debian `dcmtk`), the
// reference implementation, which answers no optional return key (no study or series counts) and refuses a
// C-MOVE to a destination missing from its host table with 0xA801, as many hospital archives do. Started on
// loopback with its own configuration and storage in a temporary folder, on a free port; filled by DCMTK's
// storescu; stopped with SIGTERM when the test ends.
#include "orthanc.h" // freePort

#include <map>

namespace ctview::test {

class Dcmqrscp {
  public:
    // `destinations`: the C-MOVE destinations it knows, AE title to port on 127.0.0.1.
    explicit Dcmqrscp(const std::map<std::string, int>& destinations) : port_(freePort()) {
        std::filesystem::create_directories(dir_.path / "store");
        std::ofstream cfg(dir_.path / "dcmqrscp.cfg");
        cfg << "NetworkTCPPort = " << port_ << "\nMaxPDUSize = 16384\nMaxAssociations = 16\n";
        cfg << "HostTable BEGIN\n";
        for (const auto& [ae, port] : destinations)
            cfg << "dest" << port << " = (" << ae << ", 127.0.0.1, " << port << ")\n";
        cfg << "HostTable END\nVendorTable BEGIN\nVendorTable END\nAETable BEGIN\n";
        cfg << "ARCHIVE " << (dir_.path / "store").string() << " RW (200, 1024mb) ANY\nAETable END\n";
        cfg.close();
        pid_ = ::fork();
        if (pid_ == 0) {
            const std::string log = (dir_.path / "dcmqrscp.log").string();
            if (!std::freopen(log.c_str(), "w", stdout) || !std::freopen(log.c_str(), "a", stderr))
                ::_exit(126);
            const std::string c = (dir_.path / "dcmqrscp.cfg").string();
            ::execlp("dcmqrscp", "dcmqrscp", "-c", c.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        // Ready when it answers a C-ECHO; 10 s at most.
        for (int n = 0; n < 100; ++n) {
            if (shell("echoscu -aec ARCHIVE 127.0.0.1 " + std::to_string(port_) + " 2>/dev/null").code == 0)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        throw std::runtime_error("dcmqrscp did not answer within 10 s (is Debian's dcmtk installed?)");
    }
    ~Dcmqrscp() {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    Dcmqrscp(const Dcmqrscp&) = delete;
    Dcmqrscp& operator=(const Dcmqrscp&) = delete;

    std::string root() const { return "dicom://ARCHIVE@127.0.0.1:" + std::to_string(port_); }
    // Stores every file of `folder` by C-STORE (storescu).
    void upload(const std::filesystem::path& folder) const {
        const Run r = shell("storescu -aec ARCHIVE +sd 127.0.0.1 " + std::to_string(port_) + " '" +
                            folder.string() + "' 2>&1");
        if (r.code != 0)
            throw std::runtime_error("storescu into dcmqrscp failed: " + r.out);
    }

  private:
    TempDir dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

} // namespace ctview::test
