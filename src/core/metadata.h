#pragma once
// Metadata for `ctview info` and the viewer's tag browser: DICOM headers read here, and any Series described.
#include "core/dicom_scan.h"
#include "core/series.h"
#include "core/window.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace ctview {

// The window presets stored in the file: WindowCenter (0028,1050), WindowWidth (0028,1051) and their
// explanations (0028,1055), multi-valued in step.
std::vector<WindowPreset> fileWindows(const FileHeader& h);

// "axial", "coronal", "sagittal" when the slice normal is within 10 degrees of a patient axis, else
// "oblique".
std::string orientationLabel(const std::array<double, 6>& orientation);

std::string transferSyntaxName(const std::string& uid);

// Every element of the file (pixel data summarised), nested sequences included. Runs GDCM in an isolated
// worker, so a file that crashes it gives DataError, not a crash.
std::vector<TagEntry> dumpTags(const std::filesystem::path& file);

// A loaded series described for `ctview info --json` and the viewer's metadata panel, from any source:
// patient, study, series, acquisition, image geometry, window presets, encodings, warnings, failed files.
nlohmann::json describeSeries(const Series& series);
// The same as labelled lines ("Patient", "DOE^JOHN  ID 123  sex F"), for `ctview info` and the panel; a label
// may repeat (one "Warning" line each) and a value may be empty (nothing in the file).
std::vector<std::pair<std::string, std::string>> describeLines(const Series& series);

} // namespace ctview
