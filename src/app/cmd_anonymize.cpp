// `ctview anonymize SOURCE -o OUTDIR`: a de-identified copy of every DICOM file of a folder (or of one file),
// for a colleague or a paper. The originals are only read (dicom/anonymize.h).
#include "app/subcommands.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "dicom/anonymize.h"

#include <cstdio>
#include <filesystem>

namespace ctview::app {

namespace fs = std::filesystem;

int runAnonymize(const CommonOptions& common, const std::string& outDir, const AnonymizeOptions& options) {
    const fs::path source = common.input;
    std::error_code ec;
    // Not inside the source folder either, even where no file lies directly beside the copy.
    const fs::path in = fs::weakly_canonical(source, ec);
    requireOutsideOriginals(outDir, {fs::is_directory(in, ec) ? in : in.parent_path()});
    const std::vector<fs::path> files = filesUnder(source);
    const AnonymizeReport report = anonymizeFiles(files, outDir, options);
    std::size_t burned = 0;
    for (const AnonymizedFile& f : report.files) {
        if (!f.problem.empty() && !common.quiet)
            std::fprintf(stderr, "left out: %s: %s\n", f.from.c_str(), f.problem.c_str());
        if (f.burnedIn) {
            ++burned;
            if (!common.quiet)
                std::fprintf(
                    stderr,
                    "warning: %s: BurnedInAnnotation is YES: its pixels may still show a name or date\n",
                    f.from.c_str());
        }
    }
    std::printf("%zu of %zu files de-identified into %s%s\n", report.written, files.size(), outDir.c_str(),
                burned ? " (some with burned-in annotations: check their pixels)" : "");
    if (report.written == 0)
        throw DataError(source.string() + ": no DICOM file could be de-identified");
    return 0;
}

} // namespace ctview::app
