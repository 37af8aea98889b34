#pragma once
// What the DICOMweb and DIMSE tests share: series written by GDCM and uploaded once per process to the
// shared Orthanc (orthanc.h), and the comparison of a series loaded from it with the same files read from
// a folder.
#include "orthanc.h"

#include "dicom/dicom_write.h"
#include "sources/series.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>

namespace ctview::test {

// Sets an environment variable for a scope (the commands the tests run inherit it).
struct Env {
    std::string name;
    std::optional<std::string> old;
    Env(const char* n, const std::optional<std::string>& value) : name(n) {
        if (const char* v = std::getenv(n))
            old = v;
        if (value)
            ::setenv(n, value->c_str(), 1);
        else
            ::unsetenv(n);
    }
    ~Env() {
        if (old)
            ::setenv(name.c_str(), old->c_str(), 1);
        else
            ::unsetenv(name.c_str());
    }
};

// The shared Orthanc, with a cache of the case's own (the default bound).
struct CachedSession {
    Orthanc& pacs = Orthanc::shared();
    TempDir cache;
    Env xdg{"XDG_CACHE_HOME", cache.path.string()};
    Env limit{"CTVIEW_CACHE_LIMIT_MB", std::nullopt};
};

struct Uploaded {
    std::filesystem::path folder; // the same files, on disk
    std::string study, series;
};

// A series written by GDCM and uploaded once per process (later calls return the same).
inline const Uploaded& study(const std::string& name, SeriesSpec spec) {
    static TempDir files;
    static std::map<std::string, Uploaded> done;
    if (auto it = done.find(name); it != done.end())
        return it->second;
    Uploaded u;
    u.folder = files.path / name;
    if (spec.studyUID.empty())
        spec.studyUID = makeUid("study " + name);
    spec.seriesUID = makeUid("series " + name);
    u.study = spec.studyUID;
    u.series = spec.seriesUID;
    writeSeries(spec, u.folder);
    Orthanc::shared().upload(u.folder);
    return done[name] = u;
}

inline SeriesSpec ctSpec(int cols, int rows, int slices, const std::string& patient) {
    SeriesSpec s = smallSeries(cols, rows, slices);
    s.strings["PatientName"] = patient;
    s.strings["PatientID"] = patient + "-ID";
    s.strings["StudyDescription"] = "study of " + patient;
    s.strings["StudyDate"] = "20240315"; // for the date filters
    return s;
}

inline Series loadFrom(const std::string& input, const LoadOptions& options = fastOptions()) {
    const auto src = openSource(input, options);
    return src->load(src->pick("").number, options);
}

inline void requireSameVolume(const Series& a, const Series& b) {
    REQUIRE(a.volume.type() == b.volume.type());
    REQUIRE(a.volume.geometry().dims == b.volume.geometry().dims);
    CHECK(a.volume.geometry().origin == b.volume.geometry().origin);
    CHECK(a.volume.geometry().spacing == b.volume.geometry().spacing);
    CHECK(a.volume.geometry().direction == b.volume.geometry().direction);
    CHECK(std::memcmp(a.volume.data(), b.volume.data(), a.volume.bytes()) == 0);
}

inline std::size_t dcmFiles(const std::filesystem::path& folder) {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(folder, ec))
        n += e.path().extension() == ".dcm";
    return n;
}

#ifdef CTVIEW_E2E_PACS
// tests/e2e/pacs.sh on the archive `root` (a DICOMweb root or a dicom:// node): the viewer, its PACS dialog
// with the node from the settings, a search for DW^WINDOW, its study opened; the script's output and status.
inline Run openThroughPacsDialog(const std::string& root) {
    if (!std::getenv("DISPLAY"))
        FAIL("no DISPLAY: run under xvfb-run (scripts/test does)");
    const Uploaded& u = study("window", ctSpec(14, 12, 6, "DW^WINDOW"));
    const Uploaded& local = study("two", ctSpec(6, 6, 3, "DW^TWO"));
    return shell(std::string(CTVIEW_E2E_PACS) + " " + CTVIEW_BINARY + " " + q(root) + " DW^WINDOW " +
                 u.study + " " + q("DW WINDOW - .*series 1 - 14x12x6") + " " + q(local.folder));
}
#endif

} // namespace ctview::test
