#pragma once
// Helpers for tests: temporary folders and series written by GDCM with values we know independently.
#include "dicom/dicom_write.h"
#include "dicom/loader.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace ctview::test {

// A fresh folder under the system temp dir, removed when the object dies.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        static int counter = 0;
        path = std::filesystem::temp_directory_path() /
               ("ctview-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::permissions(path, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::add, ec);
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// A small series whose stored value encodes the voxel: (i + 3j + 7k) mod 1000 - 200 (signed), so every voxel
// is distinguishable and its HU is known without reading anything back.
inline double storedPattern(int i, int j, int k) {
    return double((i + 3 * j + 7 * k) % 1000) - 200.0;
}

inline SeriesSpec smallSeries(int cols = 12, int rows = 10, int slices = 8) {
    SeriesSpec s;
    s.columns = cols;
    s.rows = rows;
    s.slices = slices;
    s.pixelSpacing = {0.8, 0.6}; // between rows 0.8 mm (j), between columns 0.6 mm (i)
    s.sliceStep = 2.5;
    s.sliceThickness = 3.0; // deliberately different from the step: the step must come from positions
    s.origin = {-10, 20, -30};
    s.stored = storedPattern;
    s.intercept = [](int) { return -1024.0; };
    s.strings = {{"PatientName", "TEST^SERIES"}, {"SeriesDescription", "unit test"}};
    return s;
}

// File names that sort in reverse stacking order, so that ordering by name would be wrong.
inline std::string reversedName(int k) {
    return "slice_" + std::to_string(1000 - k) + ".dcm";
}

inline LoadOptions fastOptions() {
    LoadOptions o;
    o.workers = 2;
    o.timeoutSeconds = 20;
    return o;
}

inline DecodedStack loadFolder(const std::filesystem::path& p, ScanResult& scan,
                               LoadOptions o = fastOptions()) {
    scan = scanInput(p, o);
    return loadSeries(scan, scan.pick(o.series), o);
}

// Runs a shell command line (sh -c), capturing stdout and stderr together. `code` is the exit status, 128
// when the process was killed by a signal (then `exited` is false).
struct Run {
    int code = -1;
    bool exited = false;
    std::string out;
};
inline Run shell(const std::string& commandLine) {
    Run r;
    const std::string cmd = "{ " + commandLine + "; } 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p)
        throw std::runtime_error("popen failed: " + cmd);
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
        r.out.append(buf.data(), n);
    const int status = ::pclose(p);
    r.exited = WIFEXITED(status);
    r.code = r.exited ? WEXITSTATUS(status) : 128;
    return r;
}
// Two grids over one box (the corner (-1, -1, -2), 16 mm a side): 8 x 8 x 4 voxels of 2 x 2 x 4 mm, and
// 16 x 16 x 16 of 1 mm: an open series and a finer prior of the same anatomy.
inline std::pair<Geometry, Geometry> coarseAndFineGrids() {
    Geometry coarse;
    coarse.dims = {8, 8, 4};
    coarse.spacing = {2, 2, 4};
    Geometry fine;
    fine.dims = {16, 16, 16};
    fine.spacing = {1, 1, 1};
    fine.origin = coarse.voxelToPatient(glm::dvec3(-0.5)) + 0.5;
    return {coarse, fine};
}

// Runs the ctview binary with `args` (shell syntax).
inline Run run(const std::string& args) {
    return shell(std::string(CTVIEW_BINARY) + " " + args);
}
// A file's whole contents ("" when it cannot be read).
inline std::string readFile(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
// A path quoted for the shell.
inline std::string q(const std::filesystem::path& p) {
    return "'" + p.string() + "'";
}

} // namespace ctview::test
