#include "dicom/loader.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "base/isolate.h"
#include "dicom/decode.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>
#include <tuple>

namespace ctview {

namespace {
// What a worker may allocate beyond what it inherits: 1 GiB plus 8 times the largest file it will read (GDCM
// keeps the file's bytes, the decoded frames and a copy or two). A header that claims gigabytes then fails in
// its worker, by name, instead of taking the machine's memory.
std::uint64_t workerMemoryBudget(std::uint64_t largestFile) {
    return (std::uint64_t(1) << 30) + 8 * largestFile;
}

bool isNativeSyntax(const std::string& ts) {
    return ts == syntax::kImplicitLE || ts == syntax::kExplicitLE || ts == syntax::kExplicitBE;
}

std::string plural(std::size_t n, const std::string& what) {
    std::string s = std::to_string(n) + " " + what;
    const bool countable =
        what.rfind("not ", 0) != 0 && what.rfind("unreadable", 0) != 0 && what != "no image";
    if (n != 1 && countable && what.back() != 's')
        s += "s";
    return s;
}

void report(const LoadOptions& o, const char* stage, std::size_t done, std::size_t total) {
    if (o.progress)
        o.progress(stage, done, total);
}

// Scan the headers of `files` in isolated workers; crashed or failed files get an Unreadable header.
std::vector<FileHeader> scanHeaders(const std::vector<fs::path>& files, const LoadOptions& options) {
    std::vector<FileHeader> headers(files.size());
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < files.size(); ++i) {
        // Sniff in this process: it only reads 132 bytes, and it makes a folder of non-DICOM files cheap.
        if (sniffDicom(files[i])) {
            candidates.push_back(i);
        } else if (const int fd = ::open(files[i].c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK); fd < 0) {
            // Not "not DICOM": the user should learn that a file could not be read at all (permissions, I/O).
            headers[i].kind = FileKind::Unreadable;
            headers[i].reason = std::string("unreadable: ") + std::strerror(errno);
        } else {
            ::close(fd);
            headers[i].kind = FileKind::NotDicom;
            headers[i].reason = "not DICOM";
        }
    }
    IsolationOptions io;
    io.workers = options.workers;
    io.timeoutSeconds = options.timeoutSeconds;
    std::uint64_t largest = 0; // of the files the workers will parse (the sniffer has left out the rest)
    for (std::size_t i : candidates) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(files[i], ec);
        if (!ec)
            largest = std::max<std::uint64_t>(largest, size);
    }
    io.memoryBudgetBytes = workerMemoryBudget(largest);
    io.progress = [&](std::size_t d, std::size_t t) { report(options, "scanning", d, t); };
    const auto results = runIsolated(
        candidates.size(), [&](std::size_t n) { return serialize(scanFile(files[candidates[n]])); }, io);
    for (std::size_t n = 0; n < candidates.size(); ++n) {
        FileHeader& h = headers[candidates[n]];
        const IsolatedResult& r = results[n];
        if (r.status == IsolatedResult::Status::Ok) {
            try {
                h = deserializeFileHeader(r.payload);
                continue;
            } catch (const std::exception& e) {
                h.reason = std::string("unreadable: ") + e.what();
            }
        } else {
            h.reason = "unreadable: " + r.describe();
        }
        h.kind = FileKind::Unreadable;
    }
    return headers;
}

// Orientation rounded so that tiny float noise does not split a series.
std::array<long, 6> orientationKey(const FrameHeader& f) {
    std::array<long, 6> k{};
    for (int i = 0; i < 6; ++i)
        k[std::size_t(i)] = std::lround(f.orientation[std::size_t(i)] * 1e4);
    return k;
}

// Run decode(n) for n in [0, count) on one thread per core (or options.workers), collecting results in the
// same form as runIsolated. Only for code of our own that cannot crash the process (decodeNative).
std::vector<IsolatedResult> decodeOnThreads(std::size_t count, const LoadOptions& options,
                                            const std::function<DecodeStats(std::size_t)>& decode,
                                            const std::function<void(std::size_t)>& succeeded) {
    std::vector<IsolatedResult> results(count);
    std::atomic<std::size_t> next{0}, done{0};
    const unsigned threads = std::max(
        1u, std::min<unsigned>(unsigned(count), options.workers > 0
                                                    ? unsigned(options.workers)
                                                    : std::max(1u, std::thread::hardware_concurrency())));
    std::mutex progressMutex;
    std::exception_ptr outputFailed; // the output file could not be written: the whole load stops
    auto work = [&] {
        for (std::size_t n; (n = next++) < count;) {
            IsolatedResult& r = results[n];
            try {
                r.payload = serialize(decode(n));
                r.status = IsolatedResult::Status::Ok;
                if (succeeded)
                    succeeded(n);
            } catch (const OutputError&) {
                std::lock_guard lock(progressMutex);
                if (!outputFailed)
                    outputFailed = std::current_exception();
                next = count;
                return;
            } catch (const std::exception& e) {
                r.payload = e.what();
                r.status = IsolatedResult::Status::Failed;
            }
            // Counted under the lock, so that reports never go backwards when two threads finish together.
            std::lock_guard lock(progressMutex);
            const std::size_t d = ++done;
            if (options.progress)
                report(options, "decoding", d, count);
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread& t : pool)
        t.join();
    if (outputFailed)
        std::rethrow_exception(outputFailed);
    return results;
}

// Whether `files` are all read by our own code: native pixels that the scan located (any byte order, 8 to 32
// bits). The rest is decoded by GDCM in isolated worker processes.
bool nativeFiles(const std::vector<FileHeader>& headers, const std::vector<std::size_t>& files,
                 const LoadOptions& options) {
    return options.nativeFastPath && std::all_of(files.begin(), files.end(),
                                                 [&](std::size_t f) { return headers[f].pixelOffset != 0; });
}

// Decodes job(n) for each of `files` (indices into `headers`): on threads when `native`, else in isolated
// workers whose memory budget follows the largest file. `succeeded(n)` after each that worked.
std::vector<IsolatedResult> decodeFiles(const std::vector<FileHeader>& headers,
                                        const std::vector<std::size_t>& files, bool native,
                                        const LoadOptions& options,
                                        const std::function<DecodeJob(std::size_t)>& job,
                                        const std::function<void(std::size_t)>& succeeded) {
    if (native)
        return decodeOnThreads(
            files.size(), options, [&](std::size_t n) { return decodeNative(job(n)); }, succeeded);
    IsolationOptions io;
    io.workers = options.workers;
    io.timeoutSeconds = options.timeoutSeconds;
    std::uint64_t largest = 0; // the sizes the scan recorded
    for (std::size_t f : files)
        largest = std::max(largest, headers[f].fileSize);
    io.memoryBudgetBytes = workerMemoryBudget(largest);
    io.progress = [&](std::size_t d, std::size_t t) { report(options, "decoding", d, t); };
    io.succeeded = succeeded;
    return runIsolated(
        files.size(), [&](std::size_t n) { return serialize(decodeInto(job(n))); }, io);
}

} // namespace

ScanResult scanInput(const fs::path& input, const LoadOptions& options) {
    ScanResult scan;
    scan.input = input;
    std::error_code ec;
    const fs::file_status st = fs::status(input, ec);
    if (ec || !fs::exists(st))
        throw DataError(input.string() + ": no such file or folder");

    if (fs::is_directory(st)) {
        ListedFiles listed = listFilesRecursive(input);
        scan.files = std::move(listed.files);
        scan.problems = std::move(listed.problems);
        scan.headers = scanHeaders(scan.files, options);
    } else if (fs::is_regular_file(st)) {
        // A single file: scan it first; a DICOMDIR expands to the files it lists, an image to its folder.
        std::vector<FileHeader> own = scanHeaders({input}, options);
        const FileHeader& h = own[0];
        if (h.kind == FileKind::NonImage && h.reason == "DICOMDIR") {
            std::set<fs::path> unique;
            for (const std::string& f : h.referencedFiles)
                unique.insert(fs::path(f));
            for (const fs::path& f : unique) {
                if (fs::is_regular_file(f, ec))
                    scan.files.push_back(f);
                else
                    scan.problems.push_back(f.string() + ": listed in the DICOMDIR but missing");
            }
            scan.headers = scanHeaders(scan.files, options);
            if (scan.files.empty())
                throw DataError(input.string() + ": the DICOMDIR lists no readable image files");
        } else if (h.kind == FileKind::Image) {
            scan.defaultSeriesUid = h.seriesUID;
            const fs::path folder = input.has_parent_path() ? input.parent_path() : fs::path(".");
            for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
                if (it->is_regular_file(ec))
                    scan.files.push_back(it->path());
            std::sort(scan.files.begin(), scan.files.end());
            scan.headers = scanHeaders(scan.files, options);
        } else {
            throw DataError(input.string() + ": " +
                            (h.kind == FileKind::NonImage ? "a DICOM " + h.reason + ", not an image"
                             : h.reason.empty()           ? "not a DICOM file"
                                                          : h.reason));
        }
    } else {
        throw DataError(input.string() + ": not a regular file or folder");
    }
    groupSeries(scan);
    return scan;
}

void groupSeries(ScanResult& scan) {
    scan.series.clear();
    scan.skipped.clear();
    // Group image planes by SeriesInstanceUID, split further by orientation and image size.
    using Key = std::tuple<std::string, std::array<long, 6>, int, int>;
    std::map<Key, FileGroup> groups;
    for (std::size_t i = 0; i < scan.files.size(); ++i) {
        const FileHeader& h = scan.headers[i];
        if (h.kind != FileKind::Image) {
            scan.skipped.push_back({scan.files[i], h.reason.empty() ? "not an image" : h.reason});
            continue;
        }
        std::set<Key> keysOfFile;
        for (const FrameHeader& f : h.frameHeaders) {
            Key key{h.seriesUID, orientationKey(f), h.rows, h.columns};
            FileGroup& s = groups[key];
            if (s.planes.empty()) {
                s.uid = h.seriesUID;
                s.seriesNumber = h.seriesNumber;
                s.modality = h.modality;
                s.rows = h.rows;
                s.columns = h.columns;
                s.thickness = f.sliceThickness;
                auto d = h.meta.find("SeriesDescription");
                if (d != h.meta.end())
                    s.description = d->second;
            }
            s.planes.push_back({i, f, h.instanceNumber});
            if (keysOfFile.insert(key).second)
                s.files.push_back(i);
        }
    }
    std::map<std::string, int> groupsPerUid;
    for (const auto& [key, s] : groups)
        groupsPerUid[s.uid]++;
    for (auto& [key, s] : groups) {
        scan.series.push_back(std::move(s));
        FileGroup& added = scan.series.back();
        if (groupsPerUid[added.uid] > 1)
            added.splitNote =
                "SeriesInstanceUID shared with another group of different orientation or image size";
    }
    std::stable_sort(scan.series.begin(), scan.series.end(), [](const FileGroup& a, const FileGroup& b) {
        return std::tie(a.seriesNumber, a.uid) < std::tie(b.seriesNumber, b.uid);
    });
    for (FileGroup& s : scan.series)
        s.phases = splitPhases(s.planes);
    for (std::size_t i = 0; i < scan.series.size(); ++i)
        scan.series[i].number = int(i) + 1;

    // Default: the single file's own series; else the CT series with the most slices; else any image series.
    const FileGroup* best = nullptr;
    for (const FileGroup& s : scan.series) {
        if (!scan.defaultSeriesUid.empty()) {
            if (s.uid == scan.defaultSeriesUid && (!best || s.planes.size() > best->planes.size()))
                best = &s;
            continue;
        }
        const bool ct = s.modality == "CT", bestCt = best && best->modality == "CT";
        if (!best || (ct && !bestCt) || (ct == bestCt && s.planes.size() > best->planes.size()))
            best = &s;
    }
    scan.defaultSeries = best ? best->number : 0;
}

const FileGroup& ScanResult::pick(const std::string& selector) const {
    if (series.empty())
        throw DataError(input.string() + ": no image series found (" + summary() + ")");
    if (selector.empty())
        return series[std::size_t(defaultSeries - 1)];
    for (const FileGroup& s : series)
        if (s.uid == selector)
            return s;
    char* end = nullptr;
    const long n = std::strtol(selector.c_str(), &end, 10);
    if (end && *end == '\0' && n >= 1 && n <= long(series.size()))
        return series[std::size_t(n - 1)];
    throw UsageError("--series " + selector + ": no such series (there are " + std::to_string(series.size()) +
                     "; `ctview info` lists them)");
}

std::string ScanResult::summary() const {
    std::string s = plural(files.size(), "file") + ":";
    bool firstPart = true;
    for (const FileGroup& se : series) {
        s += firstPart ? " " : ", ";
        s += std::to_string(se.planes.size()) +
             (firstPart ? (se.planes.size() == 1 ? " slice" : " slices") : "") + " of series " +
             std::to_string(se.seriesNumber);
        if (se.splitNote.size())
            s += " (#" + std::to_string(se.number) + ")";
        firstPart = false;
    }
    if (series.empty())
        s += " no image series";
    // Segmentations and structure sets are no image series, but not skipped either: they are the series'
    // layers (sources/layers.h). Counted apart.
    std::map<std::string, std::size_t> layers, reasons;
    std::size_t skippedCount = 0;
    for (const SkippedFile& f : skipped) {
        if (f.reason == "segmentation" || f.reason == "RT structure set") {
            ++layers[f.reason];
            continue;
        }
        reasons[f.reason.rfind("unreadable", 0) == 0 ? std::string("unreadable") : f.reason]++;
        ++skippedCount;
    }
    for (const auto& [kind, count] : layers)
        s += ", " + plural(count, kind);
    if (skippedCount > 0) {
        s += ", " + std::to_string(skippedCount) + " skipped:";
        bool firstReason = true;
        for (const auto& [reason, count] : reasons) {
            s += (firstReason ? " " : ", ") + plural(count, reason);
            firstReason = false;
        }
    }
    return s;
}

namespace {

// Frames of a multi-frame file that one native decoding job reads (see loadSeries).
constexpr std::size_t kFramesPerJob = 16;

// Plane k of a volume of grid `g` streamed to `fd` (LoadOptions::streamFd), every voxel `hu`.
void writeFilledPlane(int fd, std::uint64_t offset, const Geometry& g, int k, ScalarType type, float hu) {
    const std::size_t n = g.sliceVoxels();
    if (type == ScalarType::Int16) {
        const std::vector<std::int16_t> plane(n, huToInt16(hu));
        writeAt(fd, offset + std::uint64_t(k) * n * 2, plane.data(), n * 2);
    } else {
        const std::vector<float> plane(n, hu);
        writeAt(fd, offset + std::uint64_t(k) * n * 4, plane.data(), n * 4);
    }
}

// What PixelPaddingValue (0028,0120) voxels become: air for CT, else the series' lowest value.
float paddingHuOf(const FileHeader& h) {
    return h.modality == "CT" ? -1024.f : float(h.frameHeaders.front().intercept);
}

// Takes the staged planes as the decoded stack when they are exactly what decoding `jobFiles` would give:
// every plane of the plan staged, the same scalar type and padding, every file decoded without overflow.
// Moves the planes into stacking order (in place when the slots are a permutation of 0..m-1) and gives each
// file's decode result as a worker would have.
bool adoptStaged(StagedPlanes& s, const ScanResult& scan, const std::vector<PlaneRef>& planes,
                 const StackPlan& plan, ScalarType type, float paddingHU,
                 const std::vector<std::size_t>& jobFiles, Volume& raw,
                 std::vector<IsolatedResult>& results) {
    const Geometry& g = s.stack.geometry();
    if (s.stack.empty() || s.stack.type() != type || s.paddingHU != paddingHU ||
        g.dims.x != plan.raw.dims.x || g.dims.y != plan.raw.dims.y)
        return false;
    const std::size_t m = plan.order.size();
    std::vector<int> slotOf(m);
    bool inPlace = true;
    for (std::size_t r = 0; r < m; ++r) {
        const PlaneRef& p = planes[plan.order[r]];
        const auto it = s.slots.find({scan.files[p.file].string(), p.header.frame});
        if (it == s.slots.end())
            return false;
        slotOf[r] = it->second;
        inPlace = inPlace && std::size_t(it->second) < m;
    }
    for (std::size_t f : jobFiles) {
        const auto it = s.stats.find(scan.files[f].string());
        if (it == s.stats.end() || it->second.overflow)
            return false;
    }
    const std::size_t sliceBytes = g.sliceVoxels() * s.stack.bytesPerVoxel();
    auto slice = [&](Volume& v, std::size_t k) { return static_cast<char*>(v.data()) + k * sliceBytes; };
    if (inPlace) {
        // Slots are distinct, so slotOf is a permutation of 0..m-1: follow each cycle with one spare slice.
        std::vector<char> spare(sliceBytes);
        std::vector<bool> done(m, false);
        for (std::size_t start = 0; start < m; ++start) {
            if (done[start] || std::size_t(slotOf[start]) == start) {
                done[start] = true;
                continue;
            }
            std::memcpy(spare.data(), slice(s.stack, start), sliceBytes);
            std::size_t r = start;
            while (std::size_t(slotOf[r]) != start) {
                std::memcpy(slice(s.stack, r), slice(s.stack, std::size_t(slotOf[r])), sliceBytes);
                done[r] = true;
                r = std::size_t(slotOf[r]);
            }
            std::memcpy(slice(s.stack, r), spare.data(), sliceBytes);
            done[r] = true;
        }
        raw = std::move(s.stack);
    } else {
        raw = Volume(plan.raw, type, SharedBuffer::Sharing::Private);
        for (std::size_t r = 0; r < m; ++r)
            std::memcpy(slice(raw, r), slice(s.stack, std::size_t(slotOf[r])), sliceBytes);
        s.stack = Volume();
    }
    raw.geometry() = plan.raw;
    results.assign(jobFiles.size(), {});
    for (std::size_t n = 0; n < jobFiles.size(); ++n) {
        results[n].status = IsolatedResult::Status::Ok;
        results[n].payload = serialize(s.stats.at(scan.files[jobFiles[n]].string()));
    }
    return true;
}

} // namespace

DecodedStack loadSeries(const ScanResult& scan, const FileGroup& series, const LoadOptions& options,
                        StagedPlanes* staged) {
    DecodedStack out;
    out.series = &series;
    const FileHeader& h0 = scan.headers[series.planes.front().file];
    if (h0.samplesPerPixel != 1)
        throw DataError(scan.files[series.planes.front().file].string() + ": colour images (" +
                        std::to_string(h0.samplesPerPixel) + " samples per pixel) are not supported");

    // A 4D series: the planes of the phase asked for, which the stack planner sees as a series of its own.
    std::vector<bool> inPhase(series.planes.size(), true);
    if (series.phases.key >= 0) {
        const std::size_t count = series.phases.phases.size();
        if (options.phase < 0 || std::size_t(options.phase) > count)
            throw UsageError("--phase " + std::to_string(options.phase) + ": the series has " +
                             std::to_string(count) + " phases (1 to " + std::to_string(count) + ")");
        out.phase = std::max(1, options.phase);
        const Phase& phase = series.phases.phases[std::size_t(out.phase - 1)];
        std::fill(inPhase.begin(), inPhase.end(), false);
        for (std::size_t i : phase.planes)
            inPhase[i] = true;
        if (phase.positions < series.phases.positions)
            out.warnings.push_back("phase " + std::to_string(out.phase) + " has images at " +
                                   std::to_string(phase.positions) + " of the series' " +
                                   std::to_string(series.phases.positions) + " positions");
    } else if (options.phase > 1) {
        throw UsageError("--phase " + std::to_string(options.phase) + ": the series has no phases");
    }
    // Declared sizes against the file: native (uncompressed) pixel data must fit in the file.
    // (Of this phase's files only, in a 4D series.)
    std::set<std::size_t> phaseFiles;
    for (std::size_t i = 0; i < series.planes.size(); ++i)
        if (inPhase[i])
            phaseFiles.insert(series.planes[i].file);
    std::set<std::size_t> badFiles;
    for (std::size_t f : phaseFiles) {
        const FileHeader& h = scan.headers[f];
        if (!isNativeSyntax(h.transferSyntax))
            continue;
        const double declared = double(h.rows) * h.columns * h.frames * (h.bitsAllocated / 8.0);
        if (declared > double(h.fileSize)) {
            badFiles.insert(f);
            out.failed.push_back({scan.files[f], "declares " + humanBytes(std::uint64_t(declared)) +
                                                     " of pixel data but the file has only " +
                                                     humanBytes(h.fileSize)});
        }
    }
    std::vector<PlaneRef> planes;
    for (std::size_t i = 0; i < series.planes.size(); ++i)
        if (inPhase[i] && !badFiles.count(series.planes[i].file))
            planes.push_back(series.planes[i]);
    if (planes.empty())
        throw DataError(out.failed.front().path.string() + ": " + out.failed.front().reason);

    StackPlan plan = planStack(planes, options.resample, h0.gantryTilt);
    plan.raw.dims.x = plan.grid.dims.x = series.columns;
    plan.raw.dims.y = plan.grid.dims.y = series.rows;
    growGridToPlanes(plan, planes);

    // Int16 when the rescale is integral (exact HU); a decoder reports overflow and we fall back to float32.
    bool integral = true;
    for (std::size_t r : plan.order) {
        const FrameHeader& f = planes[r].header;
        integral = integral && f.slope == std::floor(f.slope) && f.intercept == std::floor(f.intercept);
    }
    ScalarType type = integral ? ScalarType::Int16 : ScalarType::Float32;

    // Memory before allocation: a header that claims 65535x65535 must give a message, not an OOM kill.
    const auto needBytes = [&](ScalarType t) {
        const double per = t == ScalarType::Int16 ? 2.0 : 4.0;
        double b = double(plan.raw.voxelCount()) * per;
        if (plan.resample)
            b += double(plan.grid.voxelCount()) * per;
        return b;
    };
    checkMemory(scan.files[planes.front().file].string(), needBytes(type),
                std::to_string(series.columns) + "x" + std::to_string(series.rows) + "x" +
                    std::to_string(plan.order.size()) + " voxels",
                options);

    // One decode job per file, each writing its planes at their place in the stack.
    std::map<std::size_t, std::vector<DecodeTarget>> targets;
    for (std::size_t r = 0; r < plan.order.size(); ++r) {
        const PlaneRef& p = planes[plan.order[r]];
        targets[p.file].push_back({p.header.frame, int(r), p.header.slope, p.header.intercept});
    }
    std::vector<std::size_t> jobFiles;
    for (const auto& [f, t] : targets)
        jobFiles.push_back(f);
    const float paddingHU = paddingHuOf(h0);

    // Native files (any byte order, 8 to 32 bits) whose pixels the scan located are read by our own code on
    // threads, into private memory (huge pages); anything else is decoded by GDCM in isolated worker
    // processes.
    std::vector<IsolatedResult> results;
    Volume raw;
    bool native = nativeFiles(scan.headers, jobFiles, options);
    const bool adopted =
        staged && adoptStaged(*staged, scan, planes, plan, type, paddingHU, jobFiles, raw, results);
    if (adopted)
        native = staged->native;
    else if (staged)
        *staged = StagedPlanes(); // its memory back before the stack is decoded again
    // `ctview convert`: the planes go straight to the output file (LoadOptions::streamFd), never held.
    const bool streaming = options.streamFd >= 0 && native && !plan.resample && !adopted;
    // The jobs: one per file, each with its planes. Read natively, a multi-frame file (Enhanced CT: the whole
    // series in one file) is split into runs of frames, so that its planes are read on every core as single
    // files are.
    std::vector<std::size_t> jobFile;
    std::vector<std::vector<DecodeTarget>> jobTargets;
    for (std::size_t f : jobFiles) {
        const std::vector<DecodeTarget>& all = targets[f];
        const std::size_t run = native && !adopted ? kFramesPerJob : all.size();
        for (std::size_t from = 0; from < all.size(); from += run) {
            jobFile.push_back(f);
            jobTargets.emplace_back(all.begin() + std::ptrdiff_t(from),
                                    all.begin() + std::ptrdiff_t(std::min(all.size(), from + run)));
        }
    }
    // The viewer opens at the middle of the stack: decode the job of that slice first (and go on from there
    // in file order, wrapping round), so that the first picture with real pixels comes after one job's
    // decode, not after half the series'.
    const int middle = int(plan.order.size()) / 2;
    const auto holdsMiddle = [&](const std::vector<DecodeTarget>& t) {
        return std::any_of(t.begin(), t.end(), [&](const DecodeTarget& d) { return d.slice == middle; });
    };
    const auto firstJob =
        std::find_if(jobTargets.begin(), jobTargets.end(), holdsMiddle) - jobTargets.begin();
    std::rotate(jobFile.begin(), jobFile.begin() + firstJob, jobFile.end());
    std::rotate(jobTargets.begin(), jobTargets.begin() + firstJob, jobTargets.end());
    for (int attempt = 0; attempt < 2 && !adopted; ++attempt) {
        if (!streaming)
            raw = Volume(plan.raw, type,
                         native ? SharedBuffer::Sharing::Private : SharedBuffer::Sharing::Processes);
        auto makeJob = [&](std::size_t n) {
            DecodeJob job;
            job.path = scan.files[jobFile[n]];
            job.header = &scan.headers[jobFile[n]];
            job.targets = jobTargets[n];
            job.buffer = raw.data();
            job.outputFd = streaming ? options.streamFd : -1;
            job.outputOffset = options.streamOffset;
            job.type = type;
            job.columns = series.columns;
            job.rows = series.rows;
            job.paddingHU = paddingHU;
            job.ownDecoders = options.nativeFastPath;
            return job;
        };
        std::mutex readyMutex;
        auto ready = [&](std::size_t n) {
            if (!options.slicesReady || plan.resample || streaming)
                return;
            std::vector<int> slices;
            for (const DecodeTarget& t : jobTargets[n])
                slices.push_back(t.slice);
            std::lock_guard lock(readyMutex);
            options.slicesReady(raw, slices);
        };
        if (options.slicesReady && !plan.resample && !streaming)
            options.slicesReady(raw, {});
        results = decodeFiles(scan.headers, jobFile, native, options, makeJob, ready);
        const bool overflow = std::any_of(results.begin(), results.end(), [](const IsolatedResult& r) {
            return r.status == IsolatedResult::Status::Ok && deserializeDecodeStats(r.payload).overflow;
        });
        if (!overflow || type == ScalarType::Float32)
            break;
        type = ScalarType::Float32; // values beyond int16: decode again, exactly, as float32
    }

    bool anyOk = false, bigEndianLongs = false, allOwn = true;
    double lo = 0, hi = 0;
    std::vector<std::size_t> failedFiles;
    std::vector<DecodeTarget> failedPlanes;
    for (std::size_t n = 0; n < results.size(); ++n) {
        const IsolatedResult& r = results[n];
        if (r.status != IsolatedResult::Status::Ok) {
            failedPlanes.insert(failedPlanes.end(), jobTargets[n].begin(), jobTargets[n].end());
            if (std::find(failedFiles.begin(), failedFiles.end(), jobFile[n]) == failedFiles.end()) {
                failedFiles.push_back(jobFile[n]);
                out.failed.push_back({scan.files[jobFile[n]], r.describe()});
            }
            continue;
        }
        const DecodeStats s = deserializeDecodeStats(r.payload);
        bigEndianLongs = bigEndianLongs || s.bigEndianLongs;
        allOwn = allOwn && s.ownDecoder;
        lo = anyOk ? std::min(lo, s.minHU) : s.minHU;
        hi = anyOk ? std::max(hi, s.maxHU) : s.maxHU;
        anyOk = true;
    }
    if (!anyOk)
        throw DataError(out.failed.front().path.string() + ": " + out.failed.front().reason);
    out.decodedNatively = native;
    out.decodedOnArrival = adopted;
    out.decodedByOwnCode = allOwn;
    out.minHU = float(lo);
    out.maxHU = float(hi);
    // Planes of files that failed hold no data: fill them with the lowest HU so that they read as empty.
    for (const DecodeTarget& t : failedPlanes) {
        if (streaming) {
            writeFilledPlane(options.streamFd, options.streamOffset, plan.raw, t.slice, type, out.minHU);
            continue;
        }
        for (int j = 0; j < series.rows; ++j)
            for (int i = 0; i < series.columns; ++i)
                raw.set(i, j, t.slice, out.minHU);
    }

    if (streaming) {
        out.streamed = VolumeLayout{plan.raw, type};
    } else if (plan.resample) {
        out.volume = Volume(plan.grid, type);
        resampleStack(raw, plan, planes, out.volume, out.minHU);
    } else {
        out.volume = std::move(raw);
    }
    // The volume's slices (k) that hold no acquired plane: in a gap (interpolated), or from a file that
    // failed (left empty). Said in the views, not only in the warnings.
    std::vector<double> failedAt; // positions along the normal of the failed planes
    for (const DecodeTarget& t : failedPlanes)
        failedAt.push_back(plan.distances[std::size_t(t.slice)]);
    if (plan.resample) {
        const double d0 = plan.distances.front(), step = out.volume.geometry().spacing.z;
        for (int k = 0; k < out.volume.geometry().dims.z; ++k) {
            const double d = d0 + k * step;
            double nearest = 1e30;
            for (double a : plan.distances)
                nearest = std::min(nearest, std::abs(a - d));
            if (nearest > 0.5 * std::max(plan.measuredStep, step))
                out.interpolated.push_back(k);
            for (double a : failedAt)
                if (std::abs(a - d) < 0.5 * step) {
                    out.empty.push_back(k);
                    break;
                }
        }
        out.resampleSummary = resampleSummary(plan, out.interpolated.size(), out.volume.geometry().dims.z);
    } else {
        for (const DecodeTarget& t : failedPlanes)
            out.empty.push_back(t.slice);
        std::sort(out.empty.begin(), out.empty.end());
        out.resampleSummary = resampleSummary(plan, 0, 0); // irregular with resampling off: said so
    }
    out.firstHeader = &scan.headers[planes[plan.order.front()].file];
    out.firstFile = scan.files[planes[plan.order.front()].file];
    out.monochrome1 = out.firstHeader->photometric == "MONOCHROME1";
    out.warnings.insert(out.warnings.begin(), plan.warnings.begin(), plan.warnings.end());
    if (plan.resample)
        out.warnings.push_back(out.resampleSummary + " (--no-resample keeps the acquired slices)");
    // Images of another size or orientation under the same SeriesInstanceUID were split off, never merged.
    for (const FileGroup& other : scan.series)
        if (&other != &series && other.uid == series.uid)
            out.warnings.push_back(
                "this SeriesInstanceUID also holds " + std::to_string(other.planes.size()) + " image(s) of " +
                std::to_string(other.columns) + "x" + std::to_string(other.rows) +
                (other.rows == series.rows && other.columns == series.columns ? " in another orientation"
                                                                              : "") +
                ", kept apart as series #" + std::to_string(other.number));
    if (bigEndianLongs)
        out.warnings.push_back("32-bit big-endian pixels are stored as whole longs, not as the 16-bit words "
                               "of OW (PS3.5 7.3): read as longs, the reading that gives plausible values");
    if (out.monochrome1)
        out.warnings.push_back(
            "PhotometricInterpretation is MONOCHROME1 (low values bright): HU are unchanged, "
            "grayscale display is inverted");
    for (const SkippedFile& f : out.failed)
        out.warnings.push_back(f.path.string() + ": could not be decoded (" + f.reason + ")");
    if (!failedFiles.empty())
        out.warnings.push_back(std::to_string(failedFiles.size()) +
                               " file(s) of this series could not be decoded: their slices are left empty");
    out.plan = std::move(plan);
    return out;
}

struct ArrivingStack::Impl {
    std::size_t expected;
    LoadOptions options; // without progress: the transfer reports it
    std::vector<fs::path> files;
    std::vector<FileHeader> headers;
    std::set<std::string> seen;
    struct Plane {
        std::size_t file; // index into files
        int frame;
        double distance; // along the normal, mm
        bool hasPosition;
    };
    std::vector<Plane> waiting; // arrived, not yet decoded (before the layout is known)
    std::shared_ptr<StagedPlanes> staged = std::make_shared<StagedPlanes>();
    bool failed = false; // staging gave up: loadSeries decodes everything
    // The layout, from the first planes: which image, and where along the normal slot 0 lies.
    std::size_t firstFile = std::size_t(-1); // index of the first image's header
    glm::dvec3 normal{0, 0, 1};
    double d0 = 0, step = 0, firstDistance = 0;
    bool laidOut = false, ascending = true;
    std::vector<bool> taken;

    const FileHeader& head() const { return headers[firstFile]; }

    bool sameImage(const FileHeader& h, const FrameHeader& f) const {
        const FrameHeader& a = head().frameHeaders.front();
        return h.seriesUID == head().seriesUID && h.rows == head().rows && h.columns == head().columns &&
               orientationKey(f) == orientationKey(a);
    }

    // Slot 0's distance and the step, from the planes so far; false until two positions differ.
    bool layOut() {
        std::vector<double> d;
        for (const Plane& p : waiting)
            if (p.hasPosition)
                d.push_back(p.distance);
        if (waiting.empty() || !waiting.front().hasPosition)
            return false;
        firstDistance = waiting.front().distance;
        const auto other =
            std::find_if(d.begin(), d.end(), [&](double x) { return std::abs(x - firstDistance) > 0.01; });
        if (other == d.end())
            return false;
        ascending = *other > firstDistance;
        std::sort(d.begin(), d.end());
        step = 0;
        for (std::size_t i = 1; i < d.size(); ++i)
            if (d[i] - d[i - 1] > 0.01 && (step == 0 || d[i] - d[i - 1] < step))
                step = d[i] - d[i - 1];
        d0 = ascending ? firstDistance : firstDistance - double(expected - 1) * step;
        return true;
    }

    // The slot the layout puts a plane in, or -1.
    int predicted(const Plane& p) const {
        if (!laidOut || !p.hasPosition)
            return -1;
        const double k = std::round((p.distance - d0) / step);
        if (k < 0 || k >= double(expected) || std::abs(p.distance - (d0 + k * step)) > 0.25 * step ||
            taken[std::size_t(k)])
            return -1;
        return int(k);
    }

    void allocate() {
        const FrameHeader& f = head().frameHeaders.front();
        const bool integral = f.slope == std::floor(f.slope) && f.intercept == std::floor(f.intercept);
        const ScalarType type = integral ? ScalarType::Int16 : ScalarType::Float32;
        checkMemory("the transfer",
                    double(head().rows) * head().columns * double(expected) * (integral ? 2 : 4),
                    std::to_string(expected) + " images", options);
        // What the stack will look like if the layout holds: the preview's geometry.
        Geometry g;
        g.dims = glm::ivec3(head().columns, head().rows, int(expected));
        g.spacing = glm::dvec3(f.pixelSpacing[1], f.pixelSpacing[0], laidOut ? step : 1.0);
        const glm::dvec3 row(f.orientation[0], f.orientation[1], f.orientation[2]);
        const glm::dvec3 col(f.orientation[3], f.orientation[4], f.orientation[5]);
        g.direction = glm::dmat3(row, col, normal);
        g.origin = glm::dvec3(f.position[0], f.position[1], f.position[2]) + (d0 - firstDistance) * normal;
        staged->stack = Volume(g, type);
        staged->paddingHU = paddingHuOf(head());
        taken.assign(expected, false);
    }

    // Decodes the waiting planes into their slots: where the layout puts them, else (when `last`, or once
    // laid out) any free slot. Shows those in place.
    void place(bool last) {
        if (firstFile == std::size_t(-1) || (!laidOut && !last))
            return;
        if (staged->stack.empty())
            allocate();
        std::map<std::size_t, std::vector<DecodeTarget>> targets;
        std::vector<std::pair<int, std::size_t>> inPlace; // slot, file
        for (const Plane& p : waiting) {
            int k = predicted(p);
            if (k >= 0) {
                inPlace.emplace_back(k, p.file);
            } else {
                // A spare slot from the end the layout fills last, so that it takes no later plane's place.
                k = -1;
                for (std::size_t n = 0; n < expected && k < 0; ++n) {
                    const std::size_t slot = ascending ? expected - 1 - n : n;
                    if (!taken[slot])
                        k = int(slot);
                }
                if (k < 0) {
                    failed = true; // more planes than the listing said
                    return;
                }
            }
            taken[std::size_t(k)] = true;
            staged->slots[{files[p.file].string(), p.frame}] = k;
            const FrameHeader& f = headers[p.file].frameHeaders[std::size_t(p.frame)];
            targets[p.file].push_back({p.frame, k, f.slope, f.intercept});
        }
        waiting.clear();
        std::vector<std::size_t> jobFiles;
        for (const auto& [file, t] : targets)
            jobFiles.push_back(file);
        auto makeJob = [&](std::size_t n) {
            DecodeJob job;
            job.path = files[jobFiles[n]];
            job.header = &headers[jobFiles[n]];
            job.targets = targets[jobFiles[n]];
            job.buffer = staged->stack.data();
            job.type = staged->stack.type();
            job.columns = head().columns;
            job.rows = head().rows;
            job.paddingHU = staged->paddingHU;
            job.ownDecoders = options.nativeFastPath;
            return job;
        };
        const bool native = nativeFiles(headers, jobFiles, options);
        staged->native = staged->native && native;
        const std::vector<IsolatedResult> results =
            decodeFiles(headers, jobFiles, native, options, makeJob, {});
        for (std::size_t n = 0; n < results.size(); ++n)
            if (results[n].status == IsolatedResult::Status::Ok)
                staged->stats[files[jobFiles[n]].string()] = deserializeDecodeStats(results[n].payload);
        // Only the planes in their predicted place are shown: a plane in a spare slot is not where it looks.
        std::vector<int> shown;
        for (const auto& [k, file] : inPlace)
            if (staged->stats.count(files[file].string()))
                shown.push_back(k);
        if (options.slicesReady && !shown.empty())
            options.slicesReady(staged->stack, shown);
    }
};

ArrivingStack::ArrivingStack(std::size_t expected, const LoadOptions& options)
    : impl_(std::make_unique<Impl>()) {
    impl_->expected = std::max<std::size_t>(1, expected);
    impl_->options = options;
    impl_->options.progress = nullptr;
}

ArrivingStack::~ArrivingStack() = default;

void ArrivingStack::add(const std::vector<fs::path>& files, bool last) {
    Impl& a = *impl_;
    try {
        std::vector<fs::path> fresh;
        for (const fs::path& f : files)
            if (a.seen.insert(f.string()).second)
                fresh.push_back(f);
        std::vector<FileHeader> headers = scanHeaders(fresh, a.options);
        for (std::size_t n = 0; n < fresh.size(); ++n) {
            a.files.push_back(fresh[n]);
            a.headers.push_back(std::move(headers[n]));
        }
        if (a.failed)
            return;
        const std::size_t base = a.files.size() - fresh.size();
        for (std::size_t i = base; i < a.files.size(); ++i) {
            const FileHeader& h = a.headers[i];
            if (h.kind != FileKind::Image)
                continue;
            for (const FrameHeader& f : h.frameHeaders) {
                if (a.firstFile == std::size_t(-1)) {
                    a.firstFile = i;
                    a.normal = sliceNormal(f);
                }
                if (!a.sameImage(h, f))
                    continue; // another group: loadSeries decodes it if it is the one asked for
                a.waiting.push_back(
                    {i, f.frame, glm::dot(glm::dvec3(f.position[0], f.position[1], f.position[2]), a.normal),
                     f.hasPosition});
            }
        }
        if (!a.laidOut && a.staged->stack.empty())
            a.laidOut = a.layOut();
        a.place(last);
    } catch (const std::exception&) {
        a.failed = true; // out of memory, or a worker that could not start: decoded again at the end
    }
}

ScanResult ArrivingStack::scan(const fs::path& folder) {
    Impl& a = *impl_;
    ScanResult scan;
    scan.input = folder;
    std::vector<std::size_t> order(a.files.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(),
              [&](std::size_t x, std::size_t y) { return a.files[x] < a.files[y]; });
    for (std::size_t i : order) {
        scan.files.push_back(a.files[i]);
        scan.headers.push_back(a.headers[i]);
    }
    // A header that failed while the transfer ran is read once more now that nothing else runs.
    std::vector<fs::path> again;
    std::vector<std::size_t> where;
    for (std::size_t i = 0; i < scan.files.size(); ++i)
        if (scan.headers[i].kind == FileKind::Unreadable) {
            again.push_back(scan.files[i]);
            where.push_back(i);
        }
    if (!again.empty()) {
        std::vector<FileHeader> fresh = scanHeaders(again, a.options);
        for (std::size_t n = 0; n < again.size(); ++n)
            scan.headers[where[n]] = std::move(fresh[n]);
    }
    groupSeries(scan);
    return scan;
}

std::shared_ptr<StagedPlanes> ArrivingStack::staged() {
    return impl_->failed || impl_->staged->stack.empty() ? nullptr : impl_->staged;
}

} // namespace ctview
