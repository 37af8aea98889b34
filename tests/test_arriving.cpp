// ArrivingStack (dicom/loader): the files of a series handed over as a transfer delivers them, in batches
// and in any order, scanned and decoded on arrival. Whatever the order, the batches, the encoding and the
// stack, the volume is exactly the one the same files give read from a folder; what cannot be taken as
// decoded is decoded again, never shown wrong.
#include "testutil.h"

#include "dicom/loader.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>

using namespace ctview;
using namespace ctview::test;

namespace {

namespace fs = std::filesystem;

// The series' files in the order a transfer would deliver them.
std::vector<fs::path> delivered(const fs::path& folder, const std::string& order) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(folder))
        files.push_back(e.path());
    std::sort(files.begin(), files.end()); // IM0001.dcm ...: along the stack
    if (order == "descending")
        std::reverse(files.begin(), files.end());
    if (order == "mixed")
        for (std::size_t k = 0; k + 5 < files.size(); k += 5)
            std::swap(files[k], files[files.size() - 1 - k]);
    return files;
}

struct Arrived {
    ScanResult scan;
    std::shared_ptr<StagedPlanes> staged;
    DecodedStack loaded;
    std::vector<int> shownBeforeEnd; // slices said ready before the last batch was handed over
};

// Hands `files` over `batch` at a time, then loads the series as the DICOMweb source does.
void arrive(Arrived& a, const fs::path& folder, const std::vector<fs::path>& files, std::size_t batch,
            std::size_t expected) {
    LoadOptions o = fastOptions();
    bool lastGiven = false;
    o.slicesReady = [&](const Volume&, const std::vector<int>& slices) {
        if (!lastGiven)
            a.shownBeforeEnd.insert(a.shownBeforeEnd.end(), slices.begin(), slices.end());
    };
    ArrivingStack arriving(expected, o);
    for (std::size_t n = 0; n < files.size(); n += batch) {
        lastGiven = n + batch >= files.size();
        arriving.add({files.begin() + std::ptrdiff_t(n),
                      files.begin() + std::ptrdiff_t(std::min(files.size(), n + batch))},
                     lastGiven);
    }
    a.scan = arriving.scan(folder);
    a.staged = arriving.staged();
    a.loaded = loadSeries(a.scan, a.scan.pick(""), fastOptions(), a.staged.get());
}

void requireSame(const DecodedStack& a, const DecodedStack& b) {
    const Volume &x = a.volume, &y = b.volume;
    REQUIRE(x.type() == y.type());
    REQUIRE(x.geometry().dims == y.geometry().dims);
    CHECK(x.geometry().origin == y.geometry().origin);
    CHECK(x.geometry().spacing == y.geometry().spacing);
    CHECK(x.geometry().direction == y.geometry().direction);
    CHECK(std::memcmp(x.data(), y.data(), x.bytes()) == 0);
    CHECK(a.minHU == b.minHU);
    CHECK(a.maxHU == b.maxHU);
    CHECK(a.warnings == b.warnings);
    CHECK(a.interpolated == b.interpolated);
    CHECK(a.empty == b.empty);
}

DecodedStack fromFolder(const fs::path& folder, ScanResult& scan) {
    scan = scanInput(folder, fastOptions());
    return loadSeries(scan, scan.pick(""), fastOptions());
}

} // namespace

TEST_CASE("arriving series: any order and batch size gives the folder's volume, decoded once") {
    TempDir dir;
    SeriesSpec spec = smallSeries(16, 12, 20);
    writeSeries(spec, dir.path / "s");
    ScanResult folderScan;
    const DecodedStack local = fromFolder(dir.path / "s", folderScan);
    for (const std::string order : {"ascending", "descending", "mixed"})
        for (const std::size_t batch : {std::size_t(1), std::size_t(3), std::size_t(20)}) {
            INFO(order << ", batches of " << batch);
            Arrived a;
            arrive(a, dir.path / "s", delivered(dir.path / "s", order), batch, 20);
            requireSame(a.loaded, local);
            CHECK(a.loaded.decodedOnArrival);
            // Along the stack, either way, each slice shows in its place as it lands (the first two images
            // lay the stack out, so batches of one show from the second on).
            if (order != "mixed" && batch < 20) {
                std::sort(a.shownBeforeEnd.begin(), a.shownBeforeEnd.end());
                CHECK(a.shownBeforeEnd.size() >= 20 - std::max<std::size_t>(batch, 2));
                CHECK(std::adjacent_find(a.shownBeforeEnd.begin(), a.shownBeforeEnd.end()) ==
                      a.shownBeforeEnd.end());
            }
        }
}

TEST_CASE("arriving series: other encodings and stacks, taken as decoded or decoded again, always exact") {
    struct Variant {
        std::string name;
        std::function<void(SeriesSpec&)> change;
        bool taken; // the staged planes are what loadSeries would decode
        std::size_t expected = 12;
    };
    const std::vector<Variant> variants = {
        {"JPEG-LS (isolated workers)", [](SeriesSpec& s) { s.syntax = WriteSyntax::JpegLS; }, true},
        {"slope 0.5: a float32 volume", [](SeriesSpec& s) { s.slope = [](int) { return 0.5; }; }, true},
        {"Enhanced CT: one file of 12 frames", [](SeriesSpec& s) { s.multiFrame = true; }, true},
        {"tilted: resampled after",
         [](SeriesSpec& s) {
             for (int k = 0; k < s.slices; ++k)
                 s.positions.push_back({0, 0.5 * k, 2.0 * k});
         },
         true},
        {"duplicate positions: one slot left over",
         [](SeriesSpec& s) {
             for (int k = 0; k < s.slices; ++k)
                 s.positions.push_back({0, 0, 2.0 * (k == 5 ? 4 : k)});
         },
         true},
        {"no positions: ordered by InstanceNumber at the end",
         [](SeriesSpec& s) { s.writePositions = false; }, true},
        {"a fractional intercept from slice 6: float32, known only then",
         [](SeriesSpec& s) { s.intercept = [](int k) { return k < 6 ? -1024.0 : -1024.5; }; }, false},
        {"more images than the listing said", [](SeriesSpec&) {}, false, 8},
    };
    for (const Variant& v : variants) {
        DYNAMIC_SECTION(v.name) {
            TempDir dir;
            SeriesSpec spec = smallSeries(16, 12, 12);
            v.change(spec);
            writeSeries(spec, dir.path / "s");
            // A file that is not DICOM arrives too (a server may send anything): skipped, as in a folder.
            std::ofstream(dir.path / "s" / "zz-notes.dcm") << "not a DICOM file";
            ScanResult folderScan;
            const DecodedStack local = fromFolder(dir.path / "s", folderScan);
            for (const std::string order : {"ascending", "mixed"}) {
                INFO(order);
                Arrived a;
                arrive(a, dir.path / "s", delivered(dir.path / "s", order), 4, v.expected);
                requireSame(a.loaded, local);
                CHECK(a.loaded.decodedOnArrival == v.taken);
            }
        }
    }
}
