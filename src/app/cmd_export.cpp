// `ctview export` (slices as images), `ctview convert` (the volume as NRRD/NIfTI), `ctview make-phantom`.
#include "app/headless.h"
#include "app/subcommands.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "dicom/phantom.h"
#include "media/export.h"
#include "media/movie.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/metadata.h"
#include "viewer/app_state.h"

#include <unistd.h>

#include <cstdio>
#include <functional>
#include <set>
#include <sstream>

namespace ctview::app {

namespace {

// --slice for a view of `count` slices: the numbers to write ("middle": `current`, where the view opens).
std::vector<int> sliceNumbers(const std::string& slice, int count, int current, const std::string& axis) {
    std::vector<int> numbers;
    if (slice == "all") {
        for (int n = 1; n <= count; ++n)
            numbers.push_back(n);
        return numbers;
    }
    if (slice == "middle")
        return {current};
    char* end = nullptr;
    const long k = std::strtol(slice.c_str(), &end, 10);
    if (slice.empty() || *end != '\0')
        throw UsageError("--slice " + slice + ": use a number, 'middle' or 'all'");
    if (k < 1 || k > count)
        throw UsageError("--slice " + slice + " is out of range: the " + axis + " view has slices 1.." +
                         std::to_string(count));
    return {int(k)};
}

// Where a movie goes: -o names the file, or the folder it goes into ("<SeriesNumber>_<view>.mp4").
std::filesystem::path movieFile(const std::string& out, int seriesNumber, const std::string& view,
                                MovieFormat movie) {
    std::filesystem::path file = out;
    if (file.extension() != movieExtension(movie)) {
        createFolder(file);
        char name[96];
        std::snprintf(name, sizeof name, "%d_%s%s", seriesNumber, view.c_str(), movieExtension(movie));
        file /= name;
    } else if (!file.parent_path().empty()) {
        createFolder(file.parent_path());
    }
    return file;
}

std::filesystem::path encode(const std::filesystem::path& file, MovieFormat movie, int frames, double fps,
                             const std::function<RgbImage(int)>& frame, bool force, bool quiet) {
    const bool tty = ::isatty(2) && !quiet;
    return writeMovie(file, movie, frames, fps, frame, force, [&](int done, int count) {
        if (tty)
            std::fprintf(stderr, "\rencoding %d/%d frames", done, count);
        if (tty && done == count)
            std::fprintf(stderr, "\n");
    });
}

// --turn: the --axis view turned as the viewer turns it, its planes numbered along its normal, each written
// by the viewer's own S-export (exportPlane), or as one movie.
int exportTurned(Loaded& l, Axis axis, const std::vector<std::pair<Axis, double>>& turns, const Slab& slab,
                 const WindowLevel& wl, const ColormapTable& table, int seriesNumber,
                 const std::vector<ImageFormat>& formats, const MovieFormat* movie,
                 const CommonOptions& common, const ExportOptions& o) {
    auto d = std::make_shared<Dataset>();
    d->source = l.source;
    d->series = std::move(l.series);
    viewer::AppState s;
    viewer::adoptDataset(s, d);
    applyTurns(s, turns);
    const int v = viewer::viewOf(s, axis);
    const std::vector<int> numbers =
        sliceNumbers(o.slice, viewer::sliceCountOf(s, v), viewer::sliceNumberOf(s, v), o.axis);
    const Volume& volume = d->series.volume;
    const SliceFrame frame = sliceFrame(volume.geometry(), axis);
    auto planeNumbered = [&](int n) {
        viewer::setSliceNumber(s, v, n);
        return viewer::planeOf(s, v);
    };
    if (movie) {
        const auto written = encode(
            movieFile(o.outDir, seriesNumber, o.axis + "-oblique", *movie), *movie, int(numbers.size()),
            o.fps,
            [&](int i) {
                return renderSlice(
                    extractPlane(volume, frame, planeNumbered(numbers[std::size_t(i)]), slab, o.linear), wl,
                    table);
            },
            o.force, common.quiet);
        std::printf("%s\n", written.string().c_str());
        return 0;
    }
    for (int n : numbers)
        for (const auto& written : exportPlane(volume, axis, planeNumbered(n), n, slab, o.linear, wl, table,
                                               seriesNumber, formats, o.outDir, o.force))
            std::printf("%s\n", written.string().c_str());
    return 0;
}

} // namespace

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
        if (f == "tif")
            f = "tiff";
        if (f != "png" && f != "jpg" && f != "tiff")
            throw UsageError("--format " + o.formats +
                             ": use png, jpg, tiff or a list (png,tiff), or one of mp4, gif");
        formats.insert(f);
    }
    if (isMovie)
        formats.insert(o.formats);
    if (o.overPhases && !isMovie)
        throw UsageError("--over phases makes a movie: use --format mp4 or gif");
    if (o.overPhases && (o.slice == "all" || !o.turn.empty()))
        throw UsageError("--over phases: one slice over time (--slice N or middle), not turned");
    if (formats.empty())
        throw UsageError("--format is empty: use png, jpg or png,jpg");
    // Validate what can be validated before the (possibly long) load.
    colormapTable(o.colormap); // throws UsageError for an unknown name
    checkWindowOption(o.window, /*allowAuto=*/false);
    const Slab slab = slabOption(o.slab, o.slabMode);
    const auto turns = turnOption(o.turn);

    Loaded l = openAndLoad(common);
    std::optional<WindowLevel> wl = o.window == "file" ? initialWindow(l.series) : parseWindow(o.window, {});
    if (!wl)
        throw UsageError("--window " + o.window + ": not understood");
    // MONOCHROME1 shows low values bright: the colour map runs backwards unless the user inverts it back.
    const bool invert = o.invert != l.series.monochrome1;
    const ColormapTable table = colormapTable(o.colormap, invert);

    const int seriesNumber = l.series.about.listing.seriesNumber;
    std::vector<ImageFormat> imageFormats; // none for a movie
    if (!isMovie)
        for (const std::string& f : formats)
            imageFormats.push_back(f == "png"   ? ImageFormat::Png
                                   : f == "jpg" ? ImageFormat::Jpeg
                                                : ImageFormat::Tiff);
    if (!turns.empty())
        return exportTurned(l, axis, turns, slab, *wl, table, seriesNumber, imageFormats,
                            isMovie ? &movie : nullptr, common, o);

    const SliceFrame frame = sliceFrame(l.series.volume.geometry(), axis);
    // --slice takes slice numbers as the viewer shows them (1 = superior, anterior, right: see sliceNumber);
    // "middle" is the slice the viewer opens at.
    std::vector<int> slices;
    for (int n : sliceNumbers(o.slice, frame.count, sliceNumber(frame, frame.count / 2), o.axis))
        slices.push_back(sliceIndex(frame, n));
    if (o.overPhases) {
        // One slice over time, as the cine over phases plays it: phase after phase, each loaded in turn.
        const SeriesListing listing = l.source->pick(common.series);
        if (listing.phases < 2)
            throw DataError(common.input + ": series " + std::to_string(listing.number) +
                            " is not a 4D series (one volume): --over phases needs several phases");
        const int k = slices.front();
        const auto written = encode(
            movieFile(o.outDir, seriesNumber, o.axis + "-phases", movie), movie, int(listing.phases), o.fps,
            [&](int i) {
                LoadOptions options = loadOptionsFor(common);
                options.phase = i + 1;
                const Series phase = l.source->load(listing.number, options);
                return renderSlice(extractSlice(phase.volume, axis, k, slab), *wl, table);
            },
            o.force, common.quiet);
        std::printf("%s\n", written.string().c_str());
        return 0;
    }
    if (isMovie) {
        // The slices in order of their numbers, as the cine plays them, into one file.
        const auto written = encode(
            movieFile(o.outDir, seriesNumber, o.axis, movie), movie, int(slices.size()), o.fps,
            [&](int i) {
                return renderSlice(extractSlice(l.series.volume, axis, slices[std::size_t(i)], slab), *wl,
                                   table);
            },
            o.force, common.quiet);
        std::printf("%s\n", written.string().c_str());
        return 0;
    }
    for (int k : slices)
        for (const auto& written : exportSlice(l.series.volume, axis, k, slab, *wl, table, seriesNumber,
                                               imageFormats, o.outDir, o.force))
            std::printf("%s\n", written.string().c_str());
    return 0;
}

namespace {

// `convert --segment`: the segment's voxels as 1, the rest 0, on the series' grid with its geometry. The
// segmentation is one given with --labels or one found beside the series (a SEG in its folder).
int convertSegment(const CommonOptions& common, const ConvertOptions& o) {
    const std::shared_ptr<Dataset> d = loadDatasetHeadless(common, false);
    const auto [l, s] = segmentNamed(*d, o.segment, "--segment");
    const LabelLayer& layer = *d->labels[l];
    const Segment& segment = layer.segments[s];
    Volume mask(layer.grid, ScalarType::Int16, SharedBuffer::Sharing::Private);
    auto* voxels = static_cast<std::int16_t*>(mask.data());
    for (std::size_t n = 0; n < layer.grid.voxelCount(); ++n)
        voxels[n] = layer.contains(segment, n) ? 1 : 0;
    std::printf("%s\n", writeVolume(mask, o.output, o.force).string().c_str());
    return 0;
}

} // namespace

// A 4D series: every phase loaded (one volume each, the same grid), written as one 4D file; all float32
// when any phase's rescale is not integral.
int convertPhases(const CommonOptions& common, const ConvertOptions& o, const SeriesSource& source,
                  const SeriesListing& row) {
    std::vector<Series> phases;
    bool anyFloat = false;
    for (std::size_t p = 1; p <= row.phases; ++p) {
        LoadOptions lo = loadOptionsFor(common);
        lo.phase = int(p);
        phases.push_back(source.load(row.number, lo));
        if (p == 1) // every phase is held, as float32 at worst: said before the rest are loaded
            checkMemory(common.input,
                        double(phases.front().volume.geometry().voxelCount()) * 4.0 * double(row.phases),
                        std::to_string(row.phases) + " phases of " +
                            std::to_string(phases.front().volume.geometry().voxelCount()) + " voxels",
                        lo);
        warnAbout(common, phases.back());
        anyFloat = anyFloat || phases.back().volume.type() == ScalarType::Float32;
        const Geometry &g = phases.back().volume.geometry(), &g1 = phases.front().volume.geometry();
        if (g.dims != g1.dims || glm::distance(g.origin, g1.origin) > 1e-3 ||
            glm::distance(g.spacing, g1.spacing) > 1e-6)
            throw DataError(common.input + ": phase " + std::to_string(p) +
                            " lies on another grid than phase 1 (" + std::to_string(row.phases) +
                            " phases): give --phase N to convert one");
    }
    std::vector<Volume> floats; // the int16 phases as float32, when some are float
    floats.reserve(phases.size());
    std::vector<const Volume*> volumes;
    for (Series& s : phases) {
        if (anyFloat && s.volume.type() == ScalarType::Int16) {
            Volume& f =
                floats.emplace_back(s.volume.geometry(), ScalarType::Float32, SharedBuffer::Sharing::Private);
            auto* to = static_cast<float*>(f.data());
            const std::int16_t* from = s.volume.int16Data();
            for (std::size_t n = 0; n < s.volume.geometry().voxelCount(); ++n)
                to[n] = float(from[n]);
            volumes.push_back(&f);
            s.volume = Volume(); // its int16 voxels go as soon as converted
        } else {
            volumes.push_back(&s.volume);
        }
    }
    FileWindow window;
    if (!phases.front().about.windows.empty())
        window = phases.front().about.windows.front().wl;
    const auto written = writeVolumePhases(volumes, o.output, o.force, window);
    std::printf("%s (%zu phases)\n", written.string().c_str(), row.phases);
    return 0;
}

int runConvert(const CommonOptions& common, const ConvertOptions& o) {
    const VolumeFormat format = volumeFormatFor(o.output); // a usage error before loading
    if (!o.segment.empty())
        return convertSegment(common, o);
    // The load writes native DICOM planes straight into the output file as it decodes them (no copy of the
    // volume in memory: half the time, a tenth of the memory); anything else is loaded, then written.
    // The series' own window goes with it, so that the file opens as the series did (one without a window
    // opens in the automatic window either way).
    const std::shared_ptr<const SeriesSource> source = openSource(common.input, loadOptionsFor(common));
    const SeriesListing row = source->pick(common.series);
    if (row.phases > 1 && common.phase == 0)
        return convertPhases(common, o, *source, row);
    Loaded l;
    FileWindow window;
    const auto written = writeVolumeStreamed(
        o.output, o.force,
        [&](int fd) -> std::variant<VolumeLayout, const Volume*> {
            LoadOptions lo = loadOptionsFor(common);
            lo.streamFd = fd;
            lo.streamOffset = volumeDataOffset(format);
            l = {source, source->load(row.number, lo)};
            warnAbout(common, l.series);
            if (!l.series.about.windows.empty())
                window = l.series.about.windows.front().wl;
            if (l.series.streamed)
                return *l.series.streamed;
            return &l.series.volume;
        },
        window);
    // An archive's listing knows a series' phases only once its files are here: then every phase, in place
    // of the one just written.
    if (l.series.about.listing.phases > 1 && common.phase == 0) {
        std::error_code ec;
        std::filesystem::remove(written, ec);
        ConvertOptions again = o;
        again.output = written.string();
        again.force = true;
        return convertPhases(common, again, *source, l.series.about.listing);
    }
    std::printf("%s\n", written.string().c_str());
    return 0;
}

int runMakePhantom(const std::string& outDir, const std::string& size, bool segmentation, int phases) {
    int c = 0, r = 0, s = 0;
    char tail = 0;
    if (std::sscanf(size.c_str(), "%dx%dx%d%c", &c, &r, &s, &tail) != 3 || c < 8 || r < 8 || s < 1 ||
        c > 4096 || r > 4096 || s > 10000)
        throw UsageError("--size " + size +
                         ": use COLUMNSxROWSxSLICES, e.g. 512x512x300 (8..4096 x 8..4096 x 1..10000)");
    std::error_code ec;
    if (std::filesystem::exists(outDir, ec) && !std::filesystem::is_empty(outDir, ec))
        throw DataError(outDir + ": exists and is not empty; choose a new folder");
    // A 1024x1024x800 phantom takes a minute: its progress on a terminal, as the loading commands show
    // theirs.
    std::function<void(int, int)> progress;
    if (::isatty(2))
        progress = [](int done, int total) {
            if (done == total || done % 8 == 0)
                std::fprintf(stderr, "\rwriting slices %d/%d%s", done, total, done == total ? "\n" : "");
        };
    if (segmentation && phases > 1)
        throw UsageError("--segmentation goes with a 3D phantom only (no --phases)");
    writePhantom(outDir, c, r, s, progress, phases);
    if (phases > 1)
        std::printf("%s: %d phases of %d slices of %dx%d\n", outDir.c_str(), phases, s, c, r);
    else
        std::printf("%s: %d slices of %dx%d\n", outDir.c_str(), s, c, r);
    if (segmentation) {
        const std::filesystem::path seg = std::filesystem::path(outDir) / "segmentation.dcm";
        writePhantomSegmentation(seg, c, r, s);
        std::printf("%s: %zu organs (DICOM SEG)\n", seg.c_str(), phantomOrganNames().size());
    }
    return 0;
}

} // namespace ctview::app
