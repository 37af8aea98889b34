// `ctview export` (slices as images), `ctview convert` (the volume as NRRD/NIfTI), `ctview make-phantom`.
#include "app/commands.h"
#include "core/error.h"
#include "core/export.h"
#include "core/fsutil.h"
#include "core/metadata.h"
#include "core/movie.h"
#include "core/phantom.h"
#include "core/volume_io.h"

#include <unistd.h>

#include <cstdio>
#include <set>
#include <sstream>

namespace ctview::app {

int runExport(const CommonOptions& common, const ExportOptions& o) {
    Axis axis;
    if (!parseAxis(o.axis, axis))
        throw UsageError("--axis " + o.axis + ": use axial, coronal or sagittal");
    std::set<std::string> formats;
    std::stringstream ss(o.formats);
    MovieFormat movie;
    const bool isMovie = parseMovieFormat(o.formats, movie);
    for (std::string f; !isMovie && std::getline(ss, f, ',');) {
        if (f == "jpeg")
            f = "jpg";
        if (f != "png" && f != "jpg")
            throw UsageError("--format " + o.formats + ": use png, jpg or png,jpg, or one of mp4, gif");
        formats.insert(f);
    }
    if (isMovie)
        formats.insert(o.formats);
    if (formats.empty())
        throw UsageError("--format is empty: use png, jpg or png,jpg");
    // Validate what can be validated before the (possibly long) load.
    colormapTable(o.colormap); // throws UsageError for an unknown name
    checkWindowOption(o.window, /*allowAuto=*/false);
    const Slab slab = slabOption(o.slab, o.slabMode);

    Loaded l = openAndLoad(common);
    std::optional<WindowLevel> wl = o.window == "file" ? initialWindow(l.series) : parseWindow(o.window, {});
    if (!wl)
        throw UsageError("--window " + o.window + ": not understood");
    // MONOCHROME1 shows low values bright: the colour map runs backwards unless the user inverts it back.
    const bool invert = o.invert != l.series.monochrome1;
    const ColormapTable table = colormapTable(o.colormap, invert);

    const SliceFrame frame = sliceFrame(l.series.volume.geometry(), axis);
    std::vector<int> slices;
    // --slice takes slice numbers as the viewer shows them (0 = superior, anterior, right: see sliceNumber).
    if (o.slice == "all") {
        for (int n = 0; n < frame.count; ++n)
            slices.push_back(sliceIndex(frame, n));
    } else if (o.slice == "middle") {
        slices.push_back(frame.count / 2); // the slice the viewer opens at

    } else {
        char* end = nullptr;
        const long k = std::strtol(o.slice.c_str(), &end, 10);
        if (o.slice.empty() || *end != '\0')
            throw UsageError("--slice " + o.slice + ": use a number, 'middle' or 'all'");
        if (k < 0 || k >= frame.count)
            throw UsageError("--slice " + o.slice + " is out of range: the " + o.axis +
                             " view has slices 0.." + std::to_string(frame.count - 1));
        slices.push_back(sliceIndex(frame, int(k)));
    }
    const int seriesNumber = l.series.about.listing.seriesNumber;
    if (isMovie) {
        // The slices in order of their numbers, as the cine plays them, into one file: -o names it, or the
        // folder it goes into ("<SeriesNumber>_<axis>.mp4").
        std::filesystem::path file = o.outDir;
        if (file.extension() != movieExtension(movie)) {
            createFolder(file);
            char name[96];
            std::snprintf(name, sizeof name, "%d_%s%s", seriesNumber, o.axis.c_str(), movieExtension(movie));
            file /= name;
        } else if (!file.parent_path().empty()) {
            createFolder(file.parent_path());
        }
        const bool tty = ::isatty(2) && !common.quiet;
        const auto written = writeMovie(
            file, movie, int(slices.size()), o.fps,
            [&](int i) {
                return renderSlice(extractSlice(l.series.volume, axis, slices[std::size_t(i)], slab), *wl,
                                   table);
            },
            o.force,
            [&](int done, int count) {
                if (tty)
                    std::fprintf(stderr, "\rencoding %d/%d frames", done, count);
                if (tty && done == count)
                    std::fprintf(stderr, "\n");
            });
        std::printf("%s\n", written.string().c_str());
        return 0;
    }
    std::vector<ImageFormat> imageFormats;
    for (const std::string& f : formats)
        imageFormats.push_back(f == "png" ? ImageFormat::Png : ImageFormat::Jpeg);
    for (int k : slices)
        for (const auto& written : exportSlice(l.series.volume, axis, k, slab, *wl, table, seriesNumber,
                                               imageFormats, o.outDir, o.force))
            std::printf("%s\n", written.string().c_str());
    return 0;
}

int runConvert(const CommonOptions& common, const ConvertOptions& o) {
    volumeFormatFor(o.output); // a usage error before loading
    Loaded l = openAndLoad(common);
    const auto written = writeVolume(l.series.volume, o.output, o.force);
    std::printf("%s\n", written.string().c_str());
    return 0;
}

int runMakePhantom(const std::string& outDir, const std::string& size) {
    int c = 0, r = 0, s = 0;
    char tail = 0;
    if (std::sscanf(size.c_str(), "%dx%dx%d%c", &c, &r, &s, &tail) != 3 || c < 8 || r < 8 || s < 1 ||
        c > 4096 || r > 4096 || s > 10000)
        throw UsageError("--size " + size +
                         ": use COLUMNSxROWSxSLICES, e.g. 512x512x300 (8..4096 x 8..4096 x 1..10000)");
    std::error_code ec;
    if (std::filesystem::exists(outDir, ec) && !std::filesystem::is_empty(outDir, ec))
        throw DataError(outDir + ": exists and is not empty; choose a new folder");
    writePhantom(outDir, c, r, s);
    std::printf("%s: %d slices of %dx%d\n", outDir.c_str(), s, c, r);
    return 0;
}

} // namespace ctview::app
