#pragma once
// Sending DICOM files to an archive, whichever protocol reaches it: C-STORE to a dicom:// node, STOW-RS to a
// DICOMweb root. Each file's header is read first (in isolated workers: an input that crashes the parser is
// reported, not fatal); a file the archive refuses does not stop the rest.
#include "volume/load_options.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ctview {

struct SendReport {
    struct File {
        std::filesystem::path path;
        bool sent = false;
        std::string message; // why not (not DICOM, refused, ...), or the archive's warning
    };
    std::vector<File> files;
    std::string archive; // who they went to: AE@HOST:PORT, or the DICOMweb host
    std::size_t sent = 0;
};

// `node`: a dicom://AE@HOST:PORT or a DICOMweb root URL (its options and login as for loading). Throws
// UsageError for another URL, DataError when the archive cannot be reached at all.
SendReport sendFiles(const std::vector<std::filesystem::path>& files, const std::string& node,
                     const LoadOptions& options,
                     const std::function<void(std::size_t done, std::size_t total)>& progress = {});

} // namespace ctview
