#pragma once
// The local DICOM source (source_dicom.cpp), for the one other source built on it: a DICOMweb transfer
// arrives as files in a cache folder, which this source then lists and loads like any folder.
#include "dicom/loader.h"
#include "sources/series.h"

#include <memory>

namespace ctview {

// The DICOM folder source over a scan already made (of a DICOMweb cache folder), with planes already decoded.
std::unique_ptr<SeriesSource> openScannedDicom(ScanResult scan, std::shared_ptr<StagedPlanes> staged);

} // namespace ctview
