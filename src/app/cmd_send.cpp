// `ctview send SOURCE NODE`: DICOM files to an archive (C-STORE or STOW-RS), a line per file.
#include "app/subcommands.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "sources/send.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace ctview::app {

namespace fs = std::filesystem;

int runSend(const CommonOptions& common, const std::string& node) {
    const std::vector<fs::path> files = filesUnder(common.input);
    const SendReport r = sendFiles(files, node, loadOptionsFor(common));
    for (const SendReport::File& f : r.files)
        std::printf("%s %s%s%s\n", f.sent ? "sent  " : "failed", f.path.c_str(),
                    f.message.empty() ? "" : ": ", f.message.c_str());
    std::printf("%zu of %zu files sent to %s\n", r.sent, r.files.size(), r.archive.c_str());
    if (r.sent < r.files.size())
        throw DataError(std::to_string(r.files.size() - r.sent) + " of " + std::to_string(r.files.size()) +
                        " files were not sent to " + r.archive + " (each is listed above)");
    return 0;
}

} // namespace ctview::app
