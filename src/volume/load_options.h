#pragma once
// The loaders' contract: what every reader of series (the DICOM loader, the volume files, a DICOMweb
// transfer) takes and reports, below the SeriesSource seam (series.h) so that a loader needs nothing of the
// seam: the options of one load, a file left out and why, a header row, and the memory check before an
// allocation.
#include "base/archive.h"
#include "base/login.h"
#include "volume/volume.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ctview {

struct LoadOptions {
    std::string series;                 // "" = default; a listing number ("2") or a SeriesInstanceUID
    int phase = 0;                      // a 4D series' phase, 1-based; 0 = the first
    bool resample = true;               // resample tilted / unevenly spaced stacks onto a regular grid
    int workers = 0;                    // decoder processes; 0 = one per core
    double timeoutSeconds = 60;         // per file
    std::uint64_t memoryLimitBytes = 0; // refuse a series needing more than this; 0 = 90 % of MemAvailable
    // false: decode native (uncompressed) files through GDCM in the worker processes too, as compressed ones
    // are. The tests prove the fast path equal to GDCM's this way; a user never needs it.
    bool nativeFastPath = true;
    std::function<void(const std::string& stage, std::size_t done, std::size_t total)> progress;
    // For showing slices while the rest decode: called with the stack being filled and the stack indices
    // whose pixels are now complete in it (first with none, right after allocation). Calls are serialised;
    // `stack` is only valid during the call, and other slices of it are being written meanwhile, so copy out
    // only `slices`. Not called when the stack is resampled (its slices are not the final volume's). A
    // DICOMweb transfer calls it as images arrive, with a stack laid out from the first of them
    // (ArrivingStack): a preview, which the loaded series replaces.
    std::function<void(const Volume& stack, const std::vector<int>& slices)> slicesReady;
    // `ctview convert`: the volume goes to a file, not into memory. When streamFd >= 0 and the series is
    // native DICOM pixels read by our own code on the acquired grid (no resampling), plane k is written to
    // streamFd at streamOffset + k * plane bytes as it is decoded, and never held: Series::streamed then
    // gives the grid and type, and Series::volume is empty. Anything else loads into memory as usual.
    int streamFd = -1;
    std::uint64_t streamOffset = 0;
    // A remote source's login (the PACS dialog's); empty: the environment's (CTVIEW_DICOMWEB_USER and
    // _PASSWORD, or _TOKEN), else netrc.
    RemoteLogin login;
    // How to meet a DIMSE archive (dicom:// inputs): our AE title, C-GET or C-MOVE, the C-MOVE port.
    DimseOptions dimse;
};

// A file (or, for a remote source, an instance URL) that was left out, and why.
struct SkippedFile {
    std::filesystem::path path;
    std::string reason; // "not DICOM", "structured report", "unreadable: crashed the decoder (...)"
};

// One row of a header listing: a DICOM element, a NRRD field, a NIfTI header field.
struct TagEntry {
    int depth = 0;   // 0 = top level; items of a sequence are one deeper
    std::string tag; // "(0008,0020)", "item 1" for a sequence item, or a field name ("space directions")
    std::string vr, name, value;
};

// Memory before allocation, for every source: a header that claims 65535x65535 must give a message, not an
// OOM kill. Throws DataError "`what`: the series needs N of memory (`shape`) but only M is available" when
// `bytes` is over options.memoryLimitBytes, or (0) over 90 % of the memory the system can still give.
void checkMemory(const std::string& what, double bytes, const std::string& shape, const LoadOptions& options);

} // namespace ctview
