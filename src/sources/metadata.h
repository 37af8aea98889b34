#pragma once
// A loaded series described for `ctview info` and the viewer's metadata panel, from any source (what a DICOM
// file's headers say is read by the DICOM source: dicom_tags.h).
#include "sources/series.h"

#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace ctview {

// "axial", "coronal", "sagittal" when the slice normal is within 10 degrees of a patient axis, else
// "oblique".
std::string orientationLabel(const std::array<double, 6>& orientation);

// A loaded series described for `ctview info --json` and the viewer's metadata panel, from any source:
// patient, study, series, acquisition, image geometry, window presets, encodings, warnings, failed files.
nlohmann::json describeSeries(const Series& series);
// The same as labelled lines ("Patient", "DOE^JOHN  ID 123  sex F"), for `ctview info` and the panel; a label
// may repeat (one "Warning" line each) and a value may be empty (nothing in the file).
std::vector<std::pair<std::string, std::string>> describeLines(const Series& series);

} // namespace ctview
