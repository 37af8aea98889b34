#pragma once
// The bundled sample: a deterministic synthetic thorax/abdomen CT phantom, written as a real DICOM series.
#include "dicom/dicom_write.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ctview {

// Body outline with skin and subcutaneous fat, muscle, lungs (about -850 HU) with vessels, ribs and vertebrae
// (400-1200 HU), heart and aorta with contrast, liver, kidneys and spleen, and Gaussian noise of about 12 HU.
// Field of view 360 mm across `columns`; the stack covers 400 mm (neck to pelvis) in `slices` slices.
// Stored as unsigned 12-bit values with RescaleIntercept -1024 (as most CT scanners do).
SeriesSpec phantomSpec(int columns, int rows, int slices);

// HU of the noiseless phantom at a point in patient space (LPS, mm).
double phantomHU(double x, double y, double z);

// `progress` (optional): slices written, of all, after each. `phases` > 1: a 4D series, every slice once per
// phase (TriggerTime 0, 1000/phases, ... ms), the heart's and the aorta's blood from 40 HU in the first phase
// to 240 HU in the last (a contrast bolus arriving).
void writePhantom(const std::filesystem::path& folder, int columns, int rows, int slices,
                  const std::function<void(int done, int total)>& progress = {}, int phases = 1);

// The phantom's organs, for a segmentation of it: 0 none, else 1 + the index in phantomOrganNames() (liver,
// spleen, kidneys, heart, lungs, aorta, bone), where phantomHU draws that organ's tissue.
const std::vector<std::string>& phantomOrganNames();
int phantomOrgan(double x, double y, double z);
// A DICOM SEG of the phantom's organs on its grid (one frame per organ and slice where it is), referencing
// the phantom series of that size: what `make-phantom --segmentation` writes beside the slices.
void writePhantomSegmentation(const std::filesystem::path& file, int columns, int rows, int slices);

} // namespace ctview
