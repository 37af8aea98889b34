#pragma once
// What the DICOM source reads from a file's headers for the neutral Series: the window presets, the transfer
// syntax's name, and every element for the tag browser. GDCM, behind the seam (series.h).
#include "dicom/dicom_scan.h"
#include "volume/load_options.h"
#include "volume/window.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ctview {

// The window presets stored in the file: WindowCenter (0028,1050), WindowWidth (0028,1051) and their
// explanations (0028,1055), multi-valued in step.
std::vector<WindowPreset> fileWindows(const FileHeader& h);

std::string transferSyntaxName(const std::string& uid);

// Every element of the file (pixel data summarised), nested sequences included. Runs GDCM in an isolated
// worker, so a file that crashes it gives DataError, not a crash.
std::vector<TagEntry> dumpTags(const std::filesystem::path& file);

} // namespace ctview
