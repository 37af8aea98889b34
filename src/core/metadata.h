#pragma once
// Metadata for `ctview info` and the viewer's tag browser.
#include "core/dicom_scan.h"
#include "core/loader.h"
#include "core/window.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace ctview {

// The window presets stored in the file: WindowCenter (0028,1050), WindowWidth (0028,1051) and their
// explanations (0028,1055), multi-valued in step.
std::vector<WindowPreset> fileWindows(const FileHeader& h);

// What a series is first shown with: the file's first window, else the full HU range (as viewers do).
WindowLevel initialWindow(const LoadedSeries& s);

// "axial", "coronal", "sagittal" when the slice normal is within 10 degrees of a patient axis, else "oblique".
std::string orientationLabel(const std::array<double, 6>& orientation);

std::string transferSyntaxName(const std::string& uid);

struct TagEntry {
    int depth = 0;        // 0 = top level; items of a sequence are one deeper
    std::string tag;      // "(0008,0020)", or "item 1" for a sequence item
    std::string vr, name, value;
};

// Every element of the file (pixel data summarised), nested sequences included. Runs GDCM in an isolated
// worker, so a file that crashes it gives DataError, not a crash.
std::vector<TagEntry> dumpTags(const std::filesystem::path& file);

// The chosen series described for `ctview info --json` and the viewer's metadata panel: patient, study, series,
// acquisition, image geometry, window presets, transfer syntaxes, warnings, failed files.
nlohmann::json describeSeries(const ScanResult& scan, const LoadedSeries& series);
// The same as labelled lines ("Patient", "DOE^JOHN  ID 123  sex F"), for `ctview info` and the panel; a label
// may repeat (one "Warning" line each) and a value may be empty (nothing in the file).
std::vector<std::pair<std::string, std::string>> describeLines(const ScanResult& scan, const LoadedSeries& series);

} // namespace ctview
