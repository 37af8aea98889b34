// Trying to break it: file-system oddities, files that change while loading, resource limits, and GL that is
// too old. Each case must end in a clear message (or a clean skip) and never in a crash, a hang, or a partial
// file.
#include "testutil.h"

#include "base/error.h"
#include "dicom/loader.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

using namespace ctview;
using namespace ctview::test;

namespace {
std::vector<std::filesystem::path> slicesIn(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> v;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.is_regular_file())
            v.push_back(e.path());
    std::sort(v.begin(), v.end());
    return v;
}
} // namespace

TEST_CASE(
    "file-system oddities: a symlink loop, a FIFO, dangling links, a folder named .dcm, non-UTF-8 names") {
    TempDir dir;
    const auto s = dir.path / "s";
    writeSeries(smallSeries(), s);
    const auto files = slicesIn(s);
    REQUIRE(files.size() == 8);
    std::filesystem::create_directory_symlink(s, s / "loop"); // s/loop -> s
    std::filesystem::create_symlink("/nonexistent/x.dcm", s / "dangling.dcm");
    REQUIRE(::mkfifo((s / "fifo.dcm").c_str(), 0644) == 0); // opening it would block forever
    std::filesystem::create_directory(s / "folder.dcm");
    std::filesystem::rename(files[3], s / "\xff\xfe-latin1-\xe9.dcm"); // not UTF-8

    ScanResult scan;
    const DecodedStack l = loadFolder(s, scan);
    CHECK(l.volume.geometry().dims == glm::ivec3(12, 10, 8)); // every slice, the renamed one too, once
    CHECK(l.volume.at(5, 4, 3) == float(storedPattern(5, 4, 3) - 1024));
    std::string problems;
    for (const std::string& p : scan.problems)
        problems += p + "\n";
    CHECK(problems.find("loop") != std::string::npos);

    // The JSON output stays valid JSON with a name that is not UTF-8 in it.
    const Run r = run("info --json -q " + q(s));
    REQUIRE(r.code == 0);
    CHECK_NOTHROW(nlohmann::json::parse(r.out.substr(r.out.find('{'))));
}

TEST_CASE("files that vanish or are cut short between the scan and the decode are reported, the rest loads") {
    TempDir dir;
    const auto s = dir.path / "s";
    writeSeries(smallSeries(), s);
    const auto files = slicesIn(s);
    LoadOptions o = fastOptions();
    const ScanResult scan = scanInput(s, o);
    std::filesystem::remove(files[2]);
    std::filesystem::resize_file(files[5], std::filesystem::file_size(files[5]) / 2);
    DecodedStack l;
    REQUIRE_NOTHROW(l = loadSeries(scan, scan.pick(""), o));
    std::string failed;
    for (const SkippedFile& f : l.failed)
        failed += f.path.string() + ": " + f.reason + "\n";
    INFO(failed);
    CHECK(l.failed.size() == 2);
    CHECK(failed.find(files[2].filename().string()) != std::string::npos);
    CHECK(failed.find(files[5].filename().string()) != std::string::npos);
    CHECK(l.volume.geometry().dims.z >= 6);
}

TEST_CASE("unreadable files and folders are skipped with a reason (checked as an unprivileged user)") {
    // root reads everything, so the check runs in a child that gives up root when the suite runs as root.
    TempDir dir;
    const auto s = dir.path / "s";
    writeSeries(smallSeries(), s);
    std::filesystem::create_directory(s / "locked");
    writeSeries(smallSeries(4, 4, 2), s / "locked" / "inner");
    const auto files = slicesIn(s);
    ::chmod(dir.path.c_str(), 0755);
    ::chmod(s.c_str(), 0755);
    for (const auto& f : files)
        ::chmod(f.c_str(), 0644);
    ::chmod(files[1].c_str(), 0);
    ::chmod((s / "locked").c_str(), 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0))
            ::_exit(10);
        try {
            ScanResult scan = scanInput(s, fastOptions());
            bool lockedReported = false, fileReported = false;
            for (const std::string& p : scan.problems)
                lockedReported |= p.find("locked") != std::string::npos;
            for (const SkippedFile& f : scan.skipped)
                fileReported |= f.path == files[1] && f.reason.find("unreadable") != std::string::npos;
            const DecodedStack l = loadSeries(scan, scan.pick(""), fastOptions());
            if (!lockedReported)
                ::_exit(11);
            if (!fileReported)
                ::_exit(12);
            if (l.volume.geometry().dims.x != 12)
                ::_exit(13);
            ::_exit(0);
        } catch (...) {
            ::_exit(14);
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::chmod((s / "locked").c_str(), 0755); // so that TempDir can clean up
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0); // 11: the locked folder, 12: the unreadable file not reported
}

TEST_CASE("limits: 10 000 files that are not DICOM are skipped by the sniffer, none reaches a decoder") {
    TempDir dir;
    const auto junk = dir.path / "junk";
    std::filesystem::create_directory(junk);
    for (int n = 0; n < 10000; ++n)
        std::ofstream(junk / ("note" + std::to_string(n) + ".txt")) << "not an image " << n;
    const auto start = std::chrono::steady_clock::now();
    const ScanResult scan = scanInput(junk, fastOptions());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN("10 000 non-DICOM files scanned in " << seconds << " s"); // a figure, not an assertion (see bench/)
    CHECK(scan.skipped.size() == 10000);
    CHECK(scan.series.empty());
    CHECK(scan.summary().find("10000 not DICOM") != std::string::npos);
    CHECK_THROWS_AS(scan.pick(""), DataError);
}

TEST_CASE("limits: a 2 000-slice series loads with progress") {
    TempDir dir;
    SeriesSpec spec = smallSeries(6, 5, 2000);
    writeSeries(spec, dir.path / "s");
    std::vector<std::pair<std::string, std::size_t>> seen;
    std::size_t total = 0;
    LoadOptions o = fastOptions();
    o.progress = [&](const std::string& stage, std::size_t done, std::size_t t) {
        seen.emplace_back(stage, done);
        if (stage == "decoding")
            total = t;
    };
    ScanResult scan;
    const DecodedStack l = loadFolder(dir.path / "s", scan, o);
    CHECK(l.volume.geometry().dims == glm::ivec3(6, 5, 2000));
    CHECK(l.volume.at(3, 2, 1999) == float(storedPattern(3, 2, 1999) - 1024));
    CHECK(total == 2000);
    std::size_t scanning = 0, decoding = 0, last = 0;
    bool monotonic = true;
    for (const auto& [stage, done] : seen) {
        if (stage == "scanning")
            ++scanning;
        if (stage == "decoding") {
            monotonic = monotonic && done >= last;
            last = done;
            ++decoding;
        }
    }
    CHECK(scanning > 10);
    CHECK(decoding > 10);
    INFO("decoding progress went back: " << [&] {
        std::string t;
        for (const auto& [stage, done] : seen)
            if (stage != "scanning")
                t += stage + " " + std::to_string(done) + ", ";
        return t.substr(0, 1500);
    }());
    CHECK(monotonic);
    CHECK(last == 2000);
}

TEST_CASE("limits: a full disk (a file-size limit) gives a clear error and leaves no partial file") {
    TempDir dir;
    writeSeries(smallSeries(64, 64, 40), dir.path / "s");
    const auto out = dir.path / "out";
    std::filesystem::create_directory(out);
    // At most 8 KiB per file (ulimit -f): the 320 KiB NRRD cannot be written, as on a disk that fills up.
    const Run r = shell("ulimit -f 8; " + std::string(CTVIEW_BINARY) + " convert -q " + q(dir.path / "s") +
                        " -o " + q(out / "v.nrrd"));
    INFO(r.out);
    REQUIRE(r.exited); // not killed by SIGXFSZ
    CHECK(r.code == 1);
    CHECK(r.out.find("v.nrrd") != std::string::npos);
    CHECK(std::filesystem::is_empty(out)); // neither the file nor its temporary
}

TEST_CASE("GL faults: without OpenGL 4.1 the window commands say so and the others still work") {
    TempDir dir;
    writeSeries(smallSeries(), dir.path / "s");
    const std::string old =
        "MESA_GL_VERSION_OVERRIDE=3.3 MESA_GLSL_VERSION_OVERRIDE=330 " + std::string(CTVIEW_BINARY);
    for (const std::string& cmd : {std::string(" snapshot -q "), std::string(" render -q ")}) {
        const Run r = shell(old + cmd + q(dir.path / "s") + " -o " + q(dir.path / "x.png"));
        INFO(cmd << r.out);
        CHECK(r.code == 1);
        CHECK(r.out.find("OpenGL 4.1") != std::string::npos);
        CHECK(r.out.find("info, export and convert work") != std::string::npos);
    }
    CHECK(!std::filesystem::exists(dir.path / "x.png"));
    const Run info = shell(old + " info -q " + q(dir.path / "s"));
    CHECK(info.code == 0);
    CHECK(info.out.find("12x10") != std::string::npos);
}
