#pragma once
// The subcommands of the ctview binary. Each returns the process exit code; errors are thrown as
// ctview::DataError (exit 1) or ctview::UsageError (exit 2) and reported by main().
#include "core/loader.h"

#include <string>
#include <vector>

namespace ctview::app {

struct CommonOptions {
    std::string input;
    std::string series;
    bool noResample = false;
    bool quiet = false;
    int workers = 0;
};

struct InfoOptions {
    bool json = false;
    bool tags = false;
};

struct ExportOptions {
    std::string axis = "axial";
    std::string slice = "middle"; // index, "middle", or "all"
    std::string window = "file";
    std::string colormap = "grayscale";
    bool invert = false;
    std::string formats = "png";
    std::string outDir = ".";
    bool force = false;
};

struct ConvertOptions {
    std::string output;
    bool force = false;
};

int runInfo(const CommonOptions& common, const InfoOptions& info);
int runExport(const CommonOptions& common, const ExportOptions& options);
int runConvert(const CommonOptions& common, const ConvertOptions& options);
int runMakePhantom(const std::string& outDir, const std::string& size);

// Shared by the commands: scan and load with progress on a terminal.
LoadOptions loadOptionsFor(const CommonOptions& common);
struct Loaded {
    ScanResult scan;
    LoadedSeries series;
};
Loaded scanAndLoad(const CommonOptions& common);

} // namespace ctview::app
