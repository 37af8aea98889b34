// The volume file source: one NRRD (.nrrd, .nhdr) or NIfTI-1 (.nii, .nii.gz) file, one series. Teem and
// nifticlib parse the file inside isolated workers (as GDCM does for DICOM), the values land directly in the
// shared volume, so a file that crashes a library is reported, never fatal.
#include "base/error.h"
#include "base/fsutil.h"
#include "base/isolate.h"
#include "nrrd_nifti/volume_io.h"
#include "sources/isolated_file.h"
#include "sources/series.h"

#include <algorithm>
#include <cmath>

namespace ctview {

namespace {

std::string formatName(VolumeFormat f) {
    return f == VolumeFormat::Nrrd ? "NRRD" : "NIfTI-1";
}

class VolumeFileSource final : public SeriesSource {
  public:
    VolumeFileSource(const std::string& input, const LoadOptions& options)
        : SeriesSource(input), file_(input) {
        header_ = deserializeVolumeHeader(isolatedOnFile(
            file_, [&] { return serialize(readVolumeHeader(file_)); }, options.timeoutSeconds, 256u << 20));
        if (header_.layers > 1)
            throw DataError(input + ": a segmentation in " + std::to_string(header_.layers) +
                            " layers (3D Slicer's .seg.nrrd), not an image: open its CT and add it with "
                            "--labels (or drop it on the window)");
        const Geometry& g = header_.geometry;
        SeriesListing l;
        l.number = 1;
        l.uid = std::filesystem::absolute(file_).lexically_normal().string();
        l.description = header_.description.empty() ? file_.filename().string() : header_.description;
        l.slices = std::size_t(g.dims.z);
        l.columns = g.dims.x;
        l.rows = g.dims.y;
        l.thickness = g.spacing.z;
        if (header_.phases > 1) {
            // A 4D file: its volumes are the phases, known by their place along the fourth axis (the file
            // keeps no times ctview can trust).
            l.phases = std::size_t(header_.phases);
            l.phaseKey = "volume of the 4D file";
            for (int p = 1; p <= header_.phases; ++p)
                l.phaseValues.push_back("volume " + std::to_string(p));
        }
        listing_.push_back(l);
    }
    std::string kind() const override { return formatName(header_.format); }
    const std::vector<SeriesListing>& series() const override { return listing_; }
    int defaultSeries() const override { return 1; }
    std::string summary() const override {
        const Geometry& g = header_.geometry;
        return formatName(header_.format) + " file: " + std::to_string(g.dims.x) + "x" +
               std::to_string(g.dims.y) + "x" + std::to_string(g.dims.z) + " " + header_.valueType + ", " +
               header_.encoding;
    }

    Provenance describe(int) const override {
        const Geometry& g = header_.geometry;
        Provenance p;
        p.source = formatName(header_.format);
        p.location = location();
        p.listing = listing_.front();
        p.fields["SeriesDescription"] = p.listing.description;
        p.windows = header_.windows;
        p.encodings = {header_.encoding};
        p.decoder = header_.format == VolumeFormat::Nrrd ? "teem" : "niftiio";
        p.acquiredSlices = std::size_t(g.dims.z);
        p.measuredStep = g.spacing.z;
        p.orientation = {g.direction[0].x, g.direction[0].y, g.direction[0].z,
                         g.direction[1].x, g.direction[1].y, g.direction[1].z};
        p.tagSource = file_.string();
        const auto fields = header_.fields;
        p.listTags = [fields] {
            std::vector<TagEntry> out;
            for (const auto& [key, value] : fields)
                out.push_back({0, "", "", key, value});
            return out;
        };
        return p;
    }

    Series load(int number, const LoadOptions& options) const override {
        if (options.phase > header_.phases)
            throw UsageError("--phase " + std::to_string(options.phase) + ": " + file_.string() +
                             (header_.phases > 1 ? " has " + std::to_string(header_.phases) + " phases"
                                                 : std::string(" holds one volume (no phases)")));
        const int phase = header_.phases > 1 ? std::max(1, options.phase) : 0; // 1-based; 0: not 4D
        const Geometry& g = header_.geometry;
        const bool integer = header_.integerValues;
        checkMemory(file_.string(), double(g.voxelCount()) * (integer ? 2.0 : 4.0),
                    std::to_string(g.dims.x) + "x" + std::to_string(g.dims.y) + "x" +
                        std::to_string(g.dims.z) + " voxels",
                    options);
        if (options.progress)
            options.progress("reading", 0, 1);
        // The library holds the stored values (every phase of a 4D file) while they are converted into the
        // shared volume.
        const std::uint64_t budget = std::uint64_t(g.voxelCount()) * std::uint64_t(header_.phases) *
                                         valueTypeBytes(header_.valueType) +
                                     (1ull << 30);
        const double timeout = std::max(600.0, options.timeoutSeconds);
        Series out;
        auto readInto = [&](ScalarType type) {
            // Values our own code reads (pread, no library) need no worker; in this process's memory the
            // volume may take huge pages, and its pages are not faulted in again one by one when read here.
            if (readsWithoutLibrary(header_)) {
                out.volume = Volume(g, type, SharedBuffer::Sharing::Private);
                return readVolumeData(file_, header_, out.volume, 0, std::max(0, phase - 1));
            }
            out.volume = Volume(g, type);
            return isolatedOnFile(
                       file_,
                       [&] {
                           return readVolumeData(file_, header_, out.volume, 0, std::max(0, phase - 1))
                                      ? "ok"
                                      : "overflow";
                       },
                       timeout, budget) == "ok";
        };
        // Integer values are tried as int16 first (what DICOM CT gives); a value that does not fit means
        // float32.
        if (!readInto(integer ? ScalarType::Int16 : ScalarType::Float32))
            readInto(ScalarType::Float32);
        if (out.volume.type() == ScalarType::Float32)
            narrowToInt16(out.volume);
        if (options.progress)
            options.progress("reading", 1, 1);
        const auto [lo, hi] = out.volume.range();
        out.minHU = lo;
        out.maxHU = hi;
        out.warnings = header_.warnings;
        out.about = describe(number);
        out.about.phase = phase;
        return out;
    }

  private:
    // float32 values that are all exact int16 (a CT saved as float) become int16: half the memory, and the
    // same type a DICOM series of the same values gives.
    static void narrowToInt16(Volume& v) {
        const float* f = v.float32Data();
        const std::size_t n = v.geometry().voxelCount();
        for (std::size_t i = 0; i < n; ++i)
            if (!(f[i] >= -32768.0f && f[i] <= 32767.0f) || f[i] != std::floor(f[i]))
                return;
        Volume narrow(v.geometry(), ScalarType::Int16, SharedBuffer::Sharing::Private);
        std::int16_t* d = static_cast<std::int16_t*>(narrow.data());
        for (std::size_t i = 0; i < n; ++i)
            d[i] = std::int16_t(f[i]);
        v = std::move(narrow);
    }

    std::filesystem::path file_;
    VolumeFileHeader header_;
    std::vector<SeriesListing> listing_;
};

} // namespace

extern const SourceKind volumeFileSource;
const SourceKind volumeFileSource{
    "NRRD or NIfTI-1 volume file",
    [](const std::string& input) { return isVolumeFile(input); },
    [](const std::string& input, const LoadOptions& options) -> std::unique_ptr<SeriesSource> {
        return std::make_unique<VolumeFileSource>(input, options);
    },
};

} // namespace ctview
