// DICOM SEG as a layer: each frame's set pixels placed on the CT's grid through patient space (the frame's
// ImagePositionPatient, ImageOrientationPatient and PixelSpacing), so that frames in any order, frames only
// where a segment is present, and frames on planes that are not the CT's slices all land where they belong.
// A frame on a CT slice maps pixel for pixel; any other goes to the nearest voxel, and the load says so.
// FRACTIONAL segmentations count a pixel in at a fraction of 0.5 or more, and keep each fraction (a fraction
// group, labels/label_layer.h) so that the views draw it as a soft edge. GDCM parses the header and copies
// the frames in isolated workers (dicom/seg_read.h), as every DICOM file is decoded.
#include "base/error.h"
#include "base/isolate.h"
#include "base/text.h"
#include "dicom/seg_read.h"
#include "sources/isolated_file.h"
#include "sources/layers.h"
#include "volume/colormap.h"
#include "volume/parallel.h"

#include <glm/glm.hpp>

#include <cmath>
#include <cstring>
#include <map>
#include <thread>

namespace ctview {

namespace {

// The FRACTIONAL segments kept soft, each a byte a voxel (a SEG of many probability maps would otherwise
// take a byte a voxel for every one); the rest are kept at 0.5, as a BINARY segment.
constexpr std::size_t kSoftSegments = 8;

// Where pixel (x, y) of a frame lands in CT voxel coordinates: origin + x * dx + y * dy.
struct FrameMap {
    glm::dvec3 origin, dx, dy;
    bool onGrid = false; // pixels are voxels of one CT slice, one for one
};

FrameMap mapFrame(const SegFrame& f, const Geometry& ct) {
    const glm::dvec3 p(f.position[0], f.position[1], f.position[2]);
    const glm::dvec3 row(f.orientation[0], f.orientation[1], f.orientation[2]);
    const glm::dvec3 col(f.orientation[3], f.orientation[4], f.orientation[5]);
    FrameMap m;
    m.origin = ct.patientToVoxel(p);
    // PixelSpacing: between rows (along a column, y), then between columns (along a row, x).
    m.dx = ct.patientToVoxel(p + row * f.pixelSpacing[1]) - m.origin;
    m.dy = ct.patientToVoxel(p + col * f.pixelSpacing[0]) - m.origin;
    auto near = [](glm::dvec3 a, glm::dvec3 b) { return glm::length(a - b) < 1e-3; };
    m.onGrid = near(m.origin, glm::round(m.origin)) && near(m.dx, {1, 0, 0}) && near(m.dy, {0, 1, 0});
    return m;
}

// Calls set(x) for each set pixel x of the bits [a, b) of a BINARY frame (a bit per pixel, the first pixel
// in the lowest bit: PS3.5 8.1.1), or of the bytes [a, b) of a FRACTIONAL one at or over `threshold`. Most
// of a frame is empty: eight zero bytes are 64 pixels skipped at once.
template <class F>
void forEachSetPixel(const std::uint8_t* bytes, std::size_t a, std::size_t b, bool fractional,
                     double threshold, F set) {
    if (fractional) {
        for (std::size_t n = a; n < b; ++n) {
            if (n + 8 <= b) {
                std::uint64_t w;
                std::memcpy(&w, bytes + n, 8);
                if (w == 0) {
                    n += 7;
                    continue;
                }
            }
            if (bytes[n] >= threshold)
                set(int(n - a));
        }
        return;
    }
    for (std::size_t n = a; n < b;) {
        if ((n & 7) == 0 && n + 64 <= b) {
            std::uint64_t w;
            std::memcpy(&w, bytes + (n >> 3), 8);
            if (w == 0) {
                n += 64;
                continue;
            }
        }
        if ((n & 7) == 0 && n + 8 <= b && bytes[n >> 3] == 0) {
            n += 8;
            continue;
        }
        if ((bytes[n >> 3] >> (n & 7)) & 1)
            set(int(n - a));
        ++n;
    }
}

// One segment's voxels from its frames: grid indices (as Volume::index; a voxel twice where two of its
// frames fall on one slice), and how many of its pixels fall outside the grid.
struct SegmentVoxels {
    std::vector<std::uint32_t> voxels;
    std::vector<std::uint8_t> fractions; // kept soft: each voxel's fraction, 0..255 (in at 128)
    std::size_t outside = 0;
};

// `soft`: a FRACTIONAL segment's every pixel above 0, with its fraction; else the pixels in it.
SegmentVoxels decodeFrames(const SegHeader& h, const std::uint8_t* bytes,
                           const std::vector<std::size_t>& frames, const std::vector<FrameMap>& maps,
                           const Geometry& g, bool soft) {
    SegmentVoxels out;
    const std::size_t framePixels = std::size_t(h.rows) * std::size_t(h.columns);
    // In at 0.5 of MaximumFractionalValue, and never at 0 (a file that says 0 would count every empty pixel
    // in). Scaled to 0..255, the half is 127.5: a fraction rounds to 128 or more exactly when it is in.
    const double threshold = soft ? 1.0 : std::max(1.0, 0.5 * h.maxFractional);
    const double maxFraction = std::max(1.0, double(h.maxFractional));
    // `pixel`: the frame's byte (FRACTIONAL; a BINARY frame's pixels are bits, whose byte is not read).
    const auto keep = [&](std::uint32_t voxel, std::size_t pixel) {
        out.voxels.push_back(voxel);
        if (!soft)
            return;
        // Times 255, then divided: 50 x (255 / 100) is 127.49999..., not the half it is.
        out.fractions.push_back(
            std::uint8_t(std::min(255L, std::lround(double(bytes[pixel]) * 255.0 / maxFraction))));
    };
    const auto index = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
        return std::uint32_t((std::size_t(k) * std::size_t(g.dims.y) + std::size_t(j)) *
                                 std::size_t(g.dims.x) +
                             std::size_t(i));
    };
    for (const std::size_t f : frames) {
        const FrameMap& m = maps[f];
        const std::size_t first = f * framePixels;
        for (int y = 0; y < h.rows; ++y) {
            const std::size_t a = first + std::size_t(y) * std::size_t(h.columns),
                              b = a + std::size_t(h.columns);
            const glm::dvec3 rowStart = m.origin + m.dy * double(y);
            if (m.onGrid) {
                // The row is a run of voxels along i of one row (j) of one slice (k).
                const glm::dvec3 r = glm::round(rowStart);
                const auto i0 = std::int64_t(r.x), j = std::int64_t(r.y), k = std::int64_t(r.z);
                const bool rowInside = j >= 0 && j < g.dims.y && k >= 0 && k < g.dims.z;
                forEachSetPixel(bytes, a, b, h.fractional, threshold, [&](int x) {
                    const std::int64_t i = i0 + x;
                    if (rowInside && i >= 0 && i < g.dims.x)
                        keep(index(i, j, k), a + std::size_t(x));
                    else
                        ++out.outside;
                });
                continue;
            }
            forEachSetPixel(bytes, a, b, h.fractional, threshold, [&](int x) {
                const glm::dvec3 v = glm::floor(rowStart + m.dx * double(x) + 0.5);
                if (v.x < 0 || v.y < 0 || v.z < 0 || v.x >= g.dims.x || v.y >= g.dims.y || v.z >= g.dims.z)
                    ++out.outside;
                else
                    keep(index(std::int64_t(v.x), std::int64_t(v.y), std::int64_t(v.z)), a + std::size_t(x));
            });
        }
    }
    return out;
}

LabelLayer openSeg(const std::filesystem::path& file, const Series& base, const LoadOptions& options) {
    const SegHeader h = deserializeSegHeader(isolatedOnFile(
        file, [&] { return serialize(readSegHeader(file)); }, options.timeoutSeconds, 1ull << 30));
    const Geometry& g = base.volume.geometry();
    if (g.voxelCount() >= (std::uint64_t(1) << 32))
        throw DataError(file.string() + ": the series is too large for segmentations (2^32 voxels)");
    std::vector<std::string> notes;
    // Tied to the CT by the frame of reference (the patient space both are in) and the series it references.
    const std::string ctFor = base.about.field("FrameOfReferenceUID");
    if (!h.frameOfReference.empty() && !ctFor.empty() && h.frameOfReference != ctFor)
        throw DataError(file.string() + ": drawn in another frame of reference (" + h.frameOfReference +
                        ") than the series (" + ctFor + "): its positions are not the series' patient space");
    const std::string& ctUid = base.about.listing.uid;
    if (!h.referencedSeries.empty() && !ctUid.empty() &&
        std::find(h.referencedSeries.begin(), h.referencedSeries.end(), ctUid) == h.referencedSeries.end())
        notes.push_back("references series " + joined(h.referencedSeries, ", ") +
                        ", not this one: placed by its positions in patient space");

    // The frames, copied into memory this process shares with the worker that reads them.
    checkMemory(file.string(), double(h.pixelBytes), std::to_string(h.frames.size()) + " frames", options);
    SharedBuffer pixels(std::max<std::uint64_t>(h.pixelBytes, 1));
    isolatedOnFile(
        file,
        [&] {
            readSegPixels(file, h, pixels.data());
            return std::string("ok");
        },
        std::max(600.0, options.timeoutSeconds), h.pixelBytes * 2 + (1ull << 30));
    const auto* bytes = static_cast<const std::uint8_t*>(pixels.data());

    // Each segment's voxels, a few segments at a time (one a core), each added to the layer as soon as it is
    // decoded: the voxel lists of a 96-segment SEG would be 4 bytes a voxel of every segment at once.
    std::vector<FrameMap> maps(h.frames.size());
    std::map<int, std::vector<std::size_t>> framesOf;
    std::size_t offGrid = 0, outside = 0, total = 0;
    for (std::size_t f = 0; f < h.frames.size(); ++f) {
        maps[f] = mapFrame(h.frames[f], g);
        offGrid += !maps[f].onGrid;
        framesOf[h.frames[f].segment].push_back(f);
    }
    const std::vector<std::size_t> none;
    auto framesOfSegment = [&](int number) -> const std::vector<std::size_t>& {
        const auto it = framesOf.find(number);
        return it == framesOf.end() ? none : it->second;
    };
    LabelLayerBuilder builder(g);
    // A FRACTIONAL segment kept soft costs a byte a voxel of its own: the first few are.
    const std::size_t soft = h.fractional ? std::min(h.segments.size(), kSoftSegments) : 0;
    if (h.segments.size() > soft && soft > 0)
        notes.push_back(std::to_string(h.segments.size() - soft) + " FRACTIONAL segments past the first " +
                        std::to_string(soft) + " are shown without soft edges (at 0.5)");
    const int batch = threadCount();
    for (std::size_t s0 = 0; s0 < h.segments.size(); s0 += std::size_t(batch)) {
        const std::size_t count = std::min(h.segments.size() - s0, std::size_t(batch));
        std::vector<SegmentVoxels> decoded(count);
        parallelFor(int(count), [&](int a, int b) {
            for (int i = a; i < b; ++i)
                decoded[std::size_t(i)] =
                    decodeFrames(h, bytes, framesOfSegment(h.segments[s0 + std::size_t(i)].number), maps, g,
                                 s0 + std::size_t(i) < soft);
        });
        for (std::size_t i = 0; i < count; ++i) {
            const SegSegment& s = h.segments[s0 + i];
            Segment seg;
            seg.number = s.number;
            seg.name = s.label.empty() ? "Segment " + std::to_string(s.number) : s.label;
            seg.color = s.hasColor ? cielabToRgb(std::uint16_t(s.lab[0]), std::uint16_t(s.lab[1]),
                                                 std::uint16_t(s.lab[2]))
                                   : labelColor(s.number);
            outside += decoded[i].outside;
            total += decoded[i].voxels.size();
            if (s0 + i < soft)
                builder.addFraction(std::move(seg), decoded[i].voxels, decoded[i].fractions);
            else
                builder.add(std::move(seg), decoded[i].voxels);
            decoded[i] = {}; // its voxel list (4 bytes a voxel) goes as soon as the layer holds it
        }
    }
    if (total == 0 && outside > 0)
        throw DataError(file.string() + ": its segments lie outside the series (" + std::to_string(outside) +
                        " pixels, none on the series' grid)");
    if (offGrid > 0)
        notes.push_back(std::to_string(offGrid) + " of " + std::to_string(h.frames.size()) +
                        " frames are not on the series' slices: resampled, nearest voxel");
    LabelLayer layer = builder.take(file.filename().string(), file.string(), "DICOM SEG");
    if (outside > 0)
        layer.problems.push_back(counted(outside, "segment pixel lies", "segment pixels lie") +
                                 " outside the series");
    layer.notes = std::move(notes);
    layer.references = h.referencedSeries;
    return layer;
}

} // namespace

extern const LayerKind segLayer;
const LayerKind segLayer{
    "DICOM SEG",
    [](const std::filesystem::path& file) { return isSegFile(file); },
    openSeg,
};

} // namespace ctview
