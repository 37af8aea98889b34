#include "dicom/decode.h"

#include "base/error.h"
#include "base/fsutil.h"

#include <gdcmImage.h>
#include <gdcmImageReader.h>
#include <gdcmTrace.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace ctview {

namespace {

// How stored words become HU, from the Image Pixel module (0028,xxxx) of one file and one plane's rescale.
struct StoredRules {
    int shift = 0;            // HighBit (0028,0102) - BitsStored (0028,0101) + 1
    std::uint64_t mask = 0;   // BitsStored ones
    std::int64_t signBit = 0; // 1 << (BitsStored - 1) when PixelRepresentation (0028,0103) is 1, else 0
    std::int64_t padLo = 1, padHi = 0; // PixelPaddingValue (0028,0120) .. PixelPaddingRangeLimit (0028,0121)
};

StoredRules storedRules(const FileHeader& h, int bitsStored, int highBit, bool isSigned) {
    StoredRules r;
    r.shift = std::max(0, highBit - bitsStored + 1);
    r.mask = bitsStored >= 64 ? ~0ull : ((1ull << bitsStored) - 1);
    r.signBit = isSigned ? std::int64_t(1) << (bitsStored - 1) : 0;
    if (h.paddingValue) {
        double lo = *h.paddingValue, hi = *h.paddingValue;
        if (h.paddingRangeLimit) {
            lo = std::min(lo, *h.paddingRangeLimit);
            hi = std::max(hi, *h.paddingRangeLimit);
        }
        r.padLo = std::int64_t(std::ceil(lo));
        r.padHi = std::int64_t(std::floor(hi));
    }
    return r;
}

void mergeRange(DecodeStats& st, bool& first, double lo, double hi) {
    st.minHU = first ? lo : std::min(st.minHU, lo);
    st.maxHU = first ? hi : std::max(st.maxHU, hi);
    first = false;
}

// The stored value of one word: masked to BitsStored after the HighBit shift, sign-extended. Branch-free
// (signBit is 0 for unsigned pixels), so that the loops below vectorise.
template <typename Raw, typename Int> inline Int storedValue(Raw word, const StoredRules& r) {
    const Int v = Int((std::uint64_t(static_cast<std::make_unsigned_t<Raw>>(word)) >> r.shift) & r.mask);
    return Int((v ^ Int(r.signBit)) - Int(r.signBit));
}

// The common CT case: words of at most 16 bits into int16 with an integral rescale whose results fit in
// 32 bits. Padding is a select, not a branch. Compiled for AVX2 too (chosen at run time), where the whole
// loop runs 8 or 16 voxels at a time; works in place when src aliases out (16-bit words).
template <typename Raw>
__attribute__((always_inline)) inline void
convertInt16Small(const Raw* src, std::size_t count, std::int16_t* out, const StoredRules& r,
                  std::int32_t slope, std::int32_t intercept, std::int32_t padHU, std::int32_t& lo,
                  std::int32_t& hi) {
    const std::int32_t padLo = std::int32_t(std::clamp<std::int64_t>(r.padLo, INT32_MIN, INT32_MAX));
    const std::int32_t padHi = std::int32_t(std::clamp<std::int64_t>(r.padHi, INT32_MIN, INT32_MAX));
    const bool anyPad = r.padLo <= r.padHi;
    std::int32_t l = lo, h = hi;
    for (std::size_t n = 0; n < count; ++n) {
        const std::int32_t v = storedValue<Raw, std::int32_t>(src[n], r);
        std::int32_t hu = v * slope + intercept;
        hu = anyPad && v >= padLo && v <= padHi ? padHU : hu;
        l = std::min(l, hu);
        h = std::max(h, hu);
        out[n] = std::int16_t(hu);
    }
    lo = l;
    hi = h;
}

__attribute__((target_clones("avx2", "default"))) void
convertInt16Small16(const std::uint16_t* src, std::size_t count, std::int16_t* out, const StoredRules& r,
                    std::int32_t slope, std::int32_t intercept, std::int32_t padHU, std::int32_t& lo,
                    std::int32_t& hi) {
    convertInt16Small(src, count, out, r, slope, intercept, padHU, lo, hi);
}

__attribute__((target_clones("avx2", "default"))) void
convertInt16Small8(const std::uint8_t* src, std::size_t count, std::int16_t* out, const StoredRules& r,
                   std::int32_t slope, std::int32_t intercept, std::int32_t padHU, std::int32_t& lo,
                   std::int32_t& hi) {
    convertInt16Small(src, count, out, r, slope, intercept, padHU, lo, hi);
}

// 32-bit words into int16 with an integral rescale, in 64 bits: the same rule as convertInt16Small, and a
// result outside int16 is reported by its range (the series is then decoded again as float32).
__attribute__((target_clones("avx2", "default"))) void
convertInt16Wide32(const std::uint32_t* src, std::size_t count, std::int16_t* out, const StoredRules& r,
                   std::int64_t slope, std::int64_t intercept, std::int64_t padHU, std::int64_t& lo,
                   std::int64_t& hi) {
    const bool anyPad = r.padLo <= r.padHi;
    std::int64_t l = lo, h = hi;
    for (std::size_t n = 0; n < count; ++n) {
        const std::int64_t v = storedValue<std::uint32_t, std::int64_t>(src[n], r);
        std::int64_t hu = v * slope + intercept;
        hu = anyPad && v >= r.padLo && v <= r.padHi ? padHU : hu;
        l = std::min(l, hu);
        h = std::max(h, hu);
        out[n] = std::int16_t(hu);
    }
    lo = l;
    hi = h;
}

// A non-integral rescale (RescaleSlope 0.5, dose grids) into float32, in double precision as the GDCM path
// always did; padding a select.
template <typename Raw>
__attribute__((always_inline)) inline void convertFloat(const Raw* src, std::size_t count, float* out,
                                                        const StoredRules& r, double slope, double intercept,
                                                        double padHU, double& lo, double& hi) {
    const bool anyPad = r.padLo <= r.padHi;
    double l = lo, h = hi;
    for (std::size_t n = 0; n < count; ++n) {
        const std::int64_t v = storedValue<Raw, std::int64_t>(src[n], r);
        double hu = double(v) * slope + intercept;
        hu = anyPad && v >= r.padLo && v <= r.padHi ? padHU : hu;
        l = std::min(l, hu);
        h = std::max(h, hu);
        out[n] = float(hu);
    }
    lo = l;
    hi = h;
}

__attribute__((target_clones("avx2", "default"))) void
convertFloat16(const std::uint16_t* src, std::size_t count, float* out, const StoredRules& r, double slope,
               double intercept, double padHU, double& lo, double& hi) {
    convertFloat(src, count, out, r, slope, intercept, padHU, lo, hi);
}

// Stored words of one plane to HU in the job's output plane t.slice. Every path computes exactly
// HU = stored * RescaleSlope + RescaleIntercept (stored masked, sign-extended, padding replaced); they differ
// only in the integer width they can afford. The fast native path and GDCM's path share this function.
template <typename Raw>
void convertPlane(const Raw* src, std::size_t count, const DecodeJob& job, const DecodeTarget& t, void* plane,
                  int bitsStored, int highBit, bool isSigned, DecodeStats& st, bool& first) {
    const StoredRules r = storedRules(*job.header, bitsStored, highBit, isSigned);
    const bool intRescale = t.slope == std::floor(t.slope) && t.intercept == std::floor(t.intercept);
    std::int16_t* out16 = static_cast<std::int16_t*>(plane);
    float* out32 = static_cast<float*>(plane);
    const bool padIntegral = job.paddingHU == std::floor(job.paddingHU) && std::abs(job.paddingHU) < 1e9;
    if (job.type == ScalarType::Int16 && intRescale && padIntegral && sizeof(Raw) <= 2 &&
        std::abs(t.slope) < 16384 && std::abs(t.intercept) < 1e9) {
        // |stored| < 2^16 and |slope| < 2^14: stored * slope + intercept stays inside 32 bits.
        std::int32_t lo = INT32_MAX, hi = INT32_MIN;
        if constexpr (sizeof(Raw) == 2)
            convertInt16Small16(reinterpret_cast<const std::uint16_t*>(src), count, out16, r,
                                std::int32_t(t.slope), std::int32_t(t.intercept), std::int32_t(job.paddingHU),
                                lo, hi);
        else
            convertInt16Small8(reinterpret_cast<const std::uint8_t*>(src), count, out16, r,
                               std::int32_t(t.slope), std::int32_t(t.intercept), std::int32_t(job.paddingHU),
                               lo, hi);
        if (lo < -32768 || hi > 32767)
            st.overflow = true;
        mergeRange(st, first, lo, hi);
        return;
    }
    if (job.type == ScalarType::Int16 && intRescale && padIntegral && sizeof(Raw) == 4 &&
        std::abs(t.slope) < 1e9 && std::abs(t.intercept) < 1e9) {
        // |stored| < 2^32 and |slope| < 2^30: stored * slope + intercept stays inside 64 bits.
        std::int64_t lo = INT64_MAX, hi = INT64_MIN;
        convertInt16Wide32(reinterpret_cast<const std::uint32_t*>(src), count, out16, r,
                           std::int64_t(t.slope), std::int64_t(t.intercept), std::int64_t(job.paddingHU), lo,
                           hi);
        if (lo < -32768 || hi > 32767)
            st.overflow = true;
        mergeRange(st, first, double(lo), double(hi));
        return;
    }
    double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
    if (job.type == ScalarType::Float32) {
        if constexpr (sizeof(Raw) == 2)
            convertFloat16(reinterpret_cast<const std::uint16_t*>(src), count, out32, r, t.slope, t.intercept,
                           job.paddingHU, lo, hi);
        else
            convertFloat(src, count, out32, r, t.slope, t.intercept, job.paddingHU, lo, hi);
        mergeRange(st, first, lo, hi);
        return;
    }
    // Int16 output of wide words (32-bit) or a large rescale: in 64 bits and double, checking every value.
    for (std::size_t n = 0; n < count; ++n) {
        const std::int64_t v = storedValue<Raw, std::int64_t>(src[n], r);
        const bool pad = v >= r.padLo && v <= r.padHi;
        const double hu = pad ? double(job.paddingHU) : double(v) * t.slope + t.intercept;
        lo = std::min(lo, hu);
        hi = std::max(hi, hu);
        if (hu < -32768.0 || hu > 32767.0 || hu != std::floor(hu)) {
            st.overflow = true;
            out16[n] = 0;
        } else {
            out16[n] = std::int16_t(hu);
        }
    }
    mergeRange(st, first, lo, hi);
}

// Where plane t.slice of the job's output lies in its buffer.
void* planeIn(const DecodeJob& job, const DecodeTarget& t, std::size_t count) {
    const std::size_t bytes = job.type == ScalarType::Int16 ? 2 : 4;
    return static_cast<char*>(job.buffer) + std::size_t(t.slice) * count * bytes;
}

// One plane of host-order words `bytes` wide (1, 2 or 4) through convertPlane, for every decoder. BitsStored
// and HighBit as the file says them, made consistent with the word width here.
void convertWords(const void* words, int bytes, std::size_t count, const DecodeJob& job,
                  const DecodeTarget& t, void* plane, int bitsStored, int highBit, bool isSigned,
                  DecodeStats& st, bool& first) {
    const int bitsAllocated = 8 * bytes;
    bitsStored = std::clamp(bitsStored, 1, bitsAllocated);
    highBit = std::clamp(highBit, bitsStored - 1, bitsAllocated - 1);
    if (bytes == 4)
        convertPlane(static_cast<const std::uint32_t*>(words), count, job, t, plane, bitsStored, highBit,
                     isSigned, st, first);
    else if (bytes == 2)
        convertPlane(static_cast<const std::uint16_t*>(words), count, job, t, plane, bitsStored, highBit,
                     isSigned, st, first);
    else
        convertPlane(static_cast<const std::uint8_t*>(words), count, job, t, plane, bitsStored, highBit,
                     isSigned, st, first);
}

// Big-endian pixels (Explicit VR Big Endian, 1.2.840.10008.1.2.2) to host order, in place. Pixel Data is OW,
// a stream of 16-bit words each stored big endian (PS3.5 7.3), so a 32-bit cell is two such words, low word
// first: how GDCM and DCMTK read it. Some writers (pydicom among them) store 32-bit cells as whole big-endian
// longs instead, high word first. Read the other way, a cell's words trade places, which moves its varying
// low half into the high half: the wrong reading's values are about 65536 times larger. So the plane is read
// as longs only when that makes its largest magnitude at least 256 times smaller. Returns true when it did.
__attribute__((target_clones("avx2", "default"))) bool toHostOrder(char* data, std::size_t count, int bytes) {
    if (bytes == 2) {
        auto* w = reinterpret_cast<std::uint16_t*>(data);
        for (std::size_t n = 0; n < count; ++n)
            w[n] = __builtin_bswap16(w[n]);
        return false;
    }
    if (bytes != 4)
        return false;
    // One pass reads the cells as words (the standard's reading) and measures both readings; a long is its
    // cell's words with their halves traded. Magnitudes in 32 bits (min of v and -v: signed or unsigned, the
    // smaller) so that the loop vectorises.
    auto* w = reinterpret_cast<std::uint32_t*>(data);
    const auto magnitude = [](std::uint32_t v) { return std::min(v, 0u - v); };
    std::uint32_t maxWords = 0, maxLongs = 0;
    for (std::size_t n = 0; n < count; ++n) {
        const std::uint32_t c = w[n];
        const std::uint32_t words = (c >> 8 & 0x00ff00ffu) | (c << 8 & 0xff00ff00u);
        maxWords = std::max(maxWords, magnitude(words));
        maxLongs = std::max(maxLongs, magnitude(words >> 16 | words << 16));
        w[n] = words;
    }
    const bool asLongs = maxWords > 0 && std::uint64_t(maxLongs) * 256 <= maxWords;
    if (asLongs)
        for (std::size_t n = 0; n < count; ++n)
            w[n] = w[n] >> 16 | w[n] << 16;
    return asLongs;
}

// A file our own decoders read with pread (thread-safe, no GDCM): opened read-only, closed on destruction.
class InputFile {
  public:
    explicit InputFile(const std::filesystem::path& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd_ < 0)
            throw DataError(std::string("cannot be opened (") + std::strerror(errno) + ")");
    }
    ~InputFile() { ::close(fd_); }
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;
    // The file's size now, or 0 when it cannot be known.
    std::uint64_t size() const {
        struct stat st {};
        return ::fstat(fd_, &st) == 0 ? std::uint64_t(st.st_size) : 0;
    }
    // Exactly `n` bytes at `offset`; false when the file ends first or cannot be read.
    bool readAt(void* into, std::size_t n, std::uint64_t offset) const {
        char* p = static_cast<char*>(into);
        for (std::size_t done = 0; done < n;) {
            const ssize_t r = ::pread(fd_, p + done, n - done, off_t(offset + done));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                return false;
            done += std::size_t(r);
        }
        return true;
    }

  private:
    int fd_;
};

// One PackBits segment (`size` bytes) into exactly `want` bytes; false if it does not decode to exactly that.
bool unpackBits(const unsigned char* in, std::size_t size, unsigned char* out, std::size_t want) {
    std::size_t i = 0, o = 0;
    while (o < want && i < size) {
        const int n = in[i] < 128 ? int(in[i]) : int(in[i]) - 256; // the header byte, two's complement
        ++i;
        if (n >= 0) { // n + 1 literal bytes
            const std::size_t len = std::size_t(n) + 1;
            if (i + len > size || o + len > want)
                return false;
            std::memcpy(out + o, in + i, len);
            i += len;
            o += len;
        } else if (n != -128) { // the next byte 1 - n times
            const std::size_t len = std::size_t(1 - n);
            if (i >= size || o + len > want)
                return false;
            std::memset(out + o, in[i++], len);
            o += len;
        }
    }
    return o == want;
}

std::uint32_t le32(const unsigned char* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}

} // namespace

bool decodeRle(const DecodeJob& job, DecodeStats& stats) {
    const FileHeader& h = *job.header;
    const int bytes = h.bitsAllocated / 8;
    if (h.rleOffset == 0 || h.samplesPerPixel != 1 || (bytes != 1 && bytes != 2 && bytes != 4) ||
        h.rows != job.rows || h.columns != job.columns || h.bitsAllocated % 8 != 0)
        return false;
    const InputFile file(job.path);
    const std::uint64_t fileSize = file.size();
    if (fileSize <= h.rleOffset)
        return false;
    std::vector<unsigned char> data(std::size_t(fileSize - h.rleOffset));
    if (!file.readAt(data.data(), data.size(), h.rleOffset))
        return false;
    // Items (FFFE,E000) up to the sequence delimiter (FFFE,E0DD): the Basic Offset Table, then one fragment
    // per frame (PS3.5 A.4.2 requires exactly one for RLE; anything else goes to GDCM).
    std::vector<std::pair<std::size_t, std::size_t>> fragments; // offset, length in `data`
    std::size_t p = 0;
    bool first = true, closed = false;
    while (p + 8 <= data.size()) {
        const std::uint32_t tag = le32(&data[p]), len = le32(&data[p + 4]);
        p += 8;
        if (tag == 0xe0ddfffe) {
            closed = true;
            break;
        }
        if (tag != 0xe000fffe || len == 0xffffffff || p + len > data.size())
            return false;
        if (!first)
            fragments.push_back({p, len});
        first = false;
        p += len;
    }
    if (!closed || fragments.size() != std::size_t(h.frames))
        return false;
    const std::size_t count = std::size_t(job.columns) * std::size_t(job.rows);
    std::vector<unsigned char> segment(count);
    std::vector<char> words(count * std::size_t(bytes));
    bool firstPlane = true;
    for (const DecodeTarget& t : job.targets) {
        if (t.frame < 0 || t.frame >= h.frames)
            return false;
        const auto [offset, length] = fragments[std::size_t(t.frame)];
        if (length < 64)
            return false;
        const unsigned char* frag = &data[offset];
        // The RLE header: the number of segments, then 15 offsets from the fragment's start.
        if (le32(frag) != std::uint32_t(bytes))
            return false;
        for (int sgm = 0; sgm < bytes; ++sgm) {
            const std::uint32_t from = le32(frag + 4 + 4 * sgm);
            const std::uint32_t to = sgm + 1 < bytes ? le32(frag + 8 + 4 * sgm) : std::uint32_t(length);
            if (from < 64 || to > length || from >= to ||
                !unpackBits(frag + from, to - from, segment.data(), count))
                return false;
            // Segment 0 holds the most significant bytes: it goes to the highest byte of each host word.
            const int shift = bytes - 1 - sgm;
            for (std::size_t n = 0; n < count; ++n)
                words[n * std::size_t(bytes) + std::size_t(shift)] = char(segment[n]);
        }
        convertWords(words.data(), bytes, count, job, t, planeIn(job, t, count), h.bitsStored, h.highBit,
                     h.pixelRepresentation == 1, stats, firstPlane);
    }
    stats.ownDecoder = true;
    return true;
}

DecodeStats decodeInto(const DecodeJob& job) {
    // A native file in a series that also holds compressed ones comes here too: our own reader, not GDCM,
    // which aborts on some (RT dose with FrameIncrementPointer but no NumberOfFrames).
    if (job.ownDecoders && job.header->pixelOffset != 0)
        return decodeNative(job);
    if (job.ownDecoders && job.header->transferSyntax == syntax::kRle) {
        DecodeStats own;
        if (decodeRle(job, own))
            return own;
    }
    gdcm::Trace::SetWarning(false);
    gdcm::Trace::SetError(false);
    gdcm::ImageReader reader;
    reader.SetFileName(job.path.c_str());
    if (!reader.Read())
        throw DataError("GDCM cannot read the image");
    const gdcm::Image& img = reader.GetImage();
    const unsigned* dims = img.GetDimensions();
    const int cols = int(dims[0]), rows = int(dims[1]);
    const int frames = img.GetNumberOfDimensions() > 2 ? int(dims[2]) : 1;
    if (cols != job.columns || rows != job.rows)
        throw DataError("image size " + std::to_string(cols) + "x" + std::to_string(rows) +
                        " differs from the header's");
    const gdcm::PixelFormat& pf = img.GetPixelFormat();
    if (pf.GetSamplesPerPixel() != 1)
        throw DataError("colour images (" + std::to_string(pf.GetSamplesPerPixel()) +
                        " samples per pixel) are not supported");
    // Packed 12-bit pixels (BitsAllocated 12, old ACR-NEMA style) come out of GDCM unpacked into 16 bits.
    const int storedBits = pf.GetBitsAllocated();
    const int bitsAllocated = storedBits == 12 ? 16 : storedBits;
    if (bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32)
        throw DataError("BitsAllocated " + std::to_string(storedBits) + " is not supported");
    const std::size_t count = std::size_t(cols) * std::size_t(rows);
    const std::size_t planeBytes = count * std::size_t(bitsAllocated / 8);
    const std::size_t need = planeBytes * std::size_t(frames);
    const unsigned long have = img.GetBufferLength();
    if (have < need)
        throw DataError("pixel data is truncated (" + std::to_string(have) + " of " + std::to_string(need) +
                        " bytes)");
    const std::size_t fileNeed = (count * std::size_t(frames) * std::size_t(storedBits) + 7) / 8;
    // Native (uncompressed) pixel data: the element's own length must hold every frame. A file cut short
    // keeps its header's promise but not the bytes.
    if (const gdcm::ByteValue* bv = img.GetDataElement().GetByteValue(); bv && bv->GetLength() < fileNeed)
        throw DataError("pixel data is truncated (" + std::to_string(bv->GetLength()) + " of " +
                        std::to_string(fileNeed) + " bytes)");
    // GDCM reads a native Pixel Data element that the file cuts short without complaint (the missing bytes
    // come back as zeros), so check where the value would end against the file's size.
    if (const PixelDataLocation loc =
            locatePixelData(job.path, job.header->transferSyntax, fileNeed, job.header->fileSize);
        loc.found && loc.missing > 0)
        throw DataError("pixel data is truncated (the file ends " + std::to_string(loc.missing) +
                        " bytes early)");
    // Kept from file to file (a worker decodes many): no fresh pages to fault in and zero for each.
    thread_local std::vector<char> pixels;
    pixels.resize(have);
    if (!img.GetBuffer(pixels.data()))
        throw DataError("GDCM cannot decode the pixel data");

    DecodeStats st;
    bool first = true;
    for (const DecodeTarget& t : job.targets) {
        if (t.frame < 0 || t.frame >= frames)
            throw DataError("frame " + std::to_string(t.frame) + " is missing");
        convertWords(pixels.data() + planeBytes * std::size_t(t.frame), bitsAllocated / 8, count, job, t,
                     planeIn(job, t, count), pf.GetBitsStored(), pf.GetHighBit(),
                     pf.GetPixelRepresentation() == 1, st, first);
    }
    return st;
}

DecodeStats decodeNative(const DecodeJob& job) {
    const FileHeader& h = *job.header;
    const int bytes = h.bitsAllocated / 8;
    const std::size_t count = std::size_t(job.columns) * std::size_t(job.rows);
    const std::size_t planeBytes = count * std::size_t(bytes);
    if (h.pixelOffset == 0 || (bytes != 1 && bytes != 2 && bytes != 4) || h.rows != job.rows ||
        h.columns != job.columns)
        throw DataError("no native pixel data located");
    const InputFile file(job.path);
    if (file.size() < h.pixelOffset + std::uint64_t(h.frames) * planeBytes)
        throw DataError("pixel data is truncated (the file is shorter than when it was scanned)");
    const bool bigEndian = h.transferSyntax == syntax::kExplicitBE;
    const bool toFile = job.outputFd >= 0;
    const std::size_t outBytes = count * (job.type == ScalarType::Int16 ? 2 : 4);
    // In place when the stored words are as wide as the output (16-bit into int16); otherwise via scratch.
    // Planes that go to a file are converted in `out` and written from there.
    thread_local std::vector<char> scratch, out;
    DecodeStats stats;
    stats.ownDecoder = true;
    bool first = true;
    for (const DecodeTarget& t : job.targets) {
        if (t.frame < 0 || t.frame >= h.frames)
            throw DataError("frame " + std::to_string(t.frame) + " is missing");
        if (toFile)
            out.resize(outBytes);
        void* plane = toFile ? out.data() : planeIn(job, t, count);
        const bool inPlace = bytes == 2 && job.type == ScalarType::Int16;
        char* dst = inPlace ? static_cast<char*>(plane) : nullptr;
        if (!inPlace) {
            scratch.resize(planeBytes);
            dst = scratch.data();
        }
        if (!file.readAt(dst, planeBytes, h.pixelOffset + std::uint64_t(t.frame) * planeBytes))
            throw DataError("pixel data is truncated or unreadable");
        if (bigEndian && toHostOrder(dst, count, bytes))
            stats.bigEndianLongs = true;
        convertWords(dst, bytes, count, job, t, plane, h.bitsStored, h.highBit, h.pixelRepresentation == 1,
                     stats, first);
        if (toFile)
            writeAt(job.outputFd, job.outputOffset + std::uint64_t(t.slice) * outBytes, plane, outBytes);
    }
    return stats;
}

std::string serialize(const DecodeStats& s) {
    std::ostringstream o;
    o.precision(17);
    o << s.minHU << ' ' << s.maxHU << ' ' << (s.overflow ? 1 : 0) << ' ' << (s.bigEndianLongs ? 1 : 0) << ' '
      << (s.ownDecoder ? 1 : 0);
    return o.str();
}

DecodeStats deserializeDecodeStats(const std::string& bytes) {
    std::istringstream in(bytes);
    DecodeStats s;
    int o = 0;
    int longs = 0, own = 0;
    in >> s.minHU >> s.maxHU >> o >> longs >> own;
    s.ownDecoder = own != 0;
    s.overflow = o != 0;
    s.bigEndianLongs = longs != 0;
    return s;
}

} // namespace ctview
