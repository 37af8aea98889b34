#pragma once
// The bundled sample: a deterministic synthetic thorax/abdomen CT phantom, written as a real DICOM series.
#include "dicom/dicom_write.h"

#include <filesystem>

namespace ctview {

// Body outline with skin and subcutaneous fat, muscle, lungs (about -850 HU) with vessels, ribs and vertebrae
// (400-1200 HU), heart and aorta with contrast, liver, kidneys and spleen, and Gaussian noise of about 12 HU.
// Field of view 360 mm across `columns`; the stack covers 400 mm (neck to pelvis) in `slices` slices.
// Stored as unsigned 12-bit values with RescaleIntercept -1024 (as most CT scanners do).
SeriesSpec phantomSpec(int columns, int rows, int slices);

// HU of the noiseless phantom at a point in patient space (LPS, mm).
double phantomHU(double x, double y, double z);

void writePhantom(const std::filesystem::path& folder, int columns, int rows, int slices);

} // namespace ctview
