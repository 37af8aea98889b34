#include "core/decode.h"

#include "core/error.h"

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

template <typename Raw>
void convertPlane(const Raw* src, std::size_t count, const DecodeJob& job, const DecodeTarget& t,
                  int bitsStored, int highBit, bool isSigned, DecodeStats& st, bool& first) {
    const FileHeader& h = *job.header;
    const int shift = std::max(0, highBit - bitsStored + 1);
    const std::uint64_t mask = bitsStored >= 64 ? ~0ull : ((1ull << bitsStored) - 1);
    const std::int64_t signBit = std::int64_t(1) << (bitsStored - 1);
    double padLo = 0, padHi = -1;
    if (h.paddingValue) {
        padLo = padHi = *h.paddingValue;
        if (h.paddingRangeLimit) {
            padLo = std::min(*h.paddingValue, *h.paddingRangeLimit);
            padHi = std::max(*h.paddingValue, *h.paddingRangeLimit);
        }
    }
    const bool intRescale = t.slope == std::floor(t.slope) && t.intercept == std::floor(t.intercept);
    const std::size_t planeOffset = std::size_t(t.slice) * count;
    std::int16_t* out16 = static_cast<std::int16_t*>(job.buffer) + planeOffset;
    float* out32 = static_cast<float*>(job.buffer) + planeOffset;
    if (job.type == ScalarType::Int16 && intRescale && padHi < padLo && std::abs(t.slope) < 65536 &&
        std::abs(t.intercept) < 1e9) {
        // The common CT case, in integers (and in place when src aliases the output): no padding, integral
        // rescale. The loop has no branches the compiler cannot turn into selects, so it vectorises.
        const std::int64_t slope = std::int64_t(t.slope), intercept = std::int64_t(t.intercept);
        std::int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (std::size_t n = 0; n < count; ++n) {
            std::int64_t v =
                std::int64_t((std::uint64_t(static_cast<std::make_unsigned_t<Raw>>(src[n])) >> shift) & mask);
            if (isSigned)
                v = (v ^ signBit) - signBit; // sign-extend from BitsStored
            const std::int64_t hu = v * slope + intercept;
            lo = std::min(lo, hu);
            hi = std::max(hi, hu);
            out16[n] = std::int16_t(hu);
        }
        if (lo < -32768 || hi > 32767)
            st.overflow = true;
        if (first) {
            st.minHU = double(lo);
            st.maxHU = double(hi);
            first = false;
        } else {
            st.minHU = std::min(st.minHU, double(lo));
            st.maxHU = std::max(st.maxHU, double(hi));
        }
        return;
    }
    double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
    for (std::size_t n = 0; n < count; ++n) {
        std::uint64_t raw = (std::uint64_t(static_cast<std::make_unsigned_t<Raw>>(src[n])) >> shift) & mask;
        std::int64_t v = std::int64_t(raw);
        if (isSigned && (v & signBit))
            v -= signBit << 1;
        double hu;
        if (padHi >= padLo && double(v) >= padLo && double(v) <= padHi)
            hu = job.paddingHU;
        else
            hu = double(v) * t.slope + t.intercept;
        lo = std::min(lo, hu);
        hi = std::max(hi, hu);
        if (job.type == ScalarType::Int16) {
            if (hu < -32768.0 || hu > 32767.0 || (!intRescale && hu != std::floor(hu))) {
                st.overflow = true;
                out16[n] = 0;
            } else {
                out16[n] = std::int16_t(hu);
            }
        } else {
            out32[n] = float(hu);
        }
    }
    if (first) {
        st.minHU = lo;
        st.maxHU = hi;
        first = false;
    } else {
        st.minHU = std::min(st.minHU, lo);
        st.maxHU = std::max(st.maxHU, hi);
    }
}

} // namespace

DecodeStats decodeInto(const DecodeJob& job) {
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
    std::vector<char> pixels(have);
    if (!img.GetBuffer(pixels.data()))
        throw DataError("GDCM cannot decode the pixel data");

    DecodeStats st;
    bool first = true;
    const int bitsStored = std::clamp(int(pf.GetBitsStored()), 1, bitsAllocated);
    const int highBit = std::clamp(int(pf.GetHighBit()), bitsStored - 1, bitsAllocated - 1);
    const bool isSigned = pf.GetPixelRepresentation() == 1;
    for (const DecodeTarget& t : job.targets) {
        if (t.frame < 0 || t.frame >= frames)
            throw DataError("frame " + std::to_string(t.frame) + " is missing");
        const char* src = pixels.data() + planeBytes * std::size_t(t.frame);
        switch (bitsAllocated) {
        case 8:
            convertPlane(reinterpret_cast<const std::uint8_t*>(src), count, job, t, bitsStored, highBit,
                         isSigned, st, first);
            break;
        case 16:
            convertPlane(reinterpret_cast<const std::uint16_t*>(src), count, job, t, bitsStored, highBit,
                         isSigned, st, first);
            break;
        default:
            convertPlane(reinterpret_cast<const std::uint32_t*>(src), count, job, t, bitsStored, highBit,
                         isSigned, st, first);
            break;
        }
    }
    return st;
}

DecodeStats decodeNative(const DecodeJob& job) {
    const FileHeader& h = *job.header;
    const int bytes = h.bitsAllocated / 8;
    const std::size_t count = std::size_t(job.columns) * std::size_t(job.rows);
    const std::size_t planeBytes = count * std::size_t(bytes);
    if (h.pixelOffset == 0 || (bytes != 1 && bytes != 2) || h.rows != job.rows || h.columns != job.columns)
        throw DataError("no native pixel data located");
    const int fd = ::open(job.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw DataError(std::string("cannot be opened (") + std::strerror(errno) + ")");
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 ||
        std::uint64_t(st.st_size) < h.pixelOffset + std::uint64_t(h.frames) * planeBytes)
        throw DataError("pixel data is truncated (the file is shorter than when it was scanned)");
    // In place when the stored words are as wide as the output (16-bit into int16); otherwise via scratch.
    thread_local std::vector<char> scratch;
    DecodeStats stats;
    bool first = true;
    const int bitsStored = std::clamp(h.bitsStored, 1, h.bitsAllocated);
    const int highBit = std::clamp(h.highBit, bitsStored - 1, h.bitsAllocated - 1);
    for (const DecodeTarget& t : job.targets) {
        if (t.frame < 0 || t.frame >= h.frames)
            throw DataError("frame " + std::to_string(t.frame) + " is missing");
        const bool inPlace = bytes == 2 && job.type == ScalarType::Int16;
        char* dst = inPlace ? static_cast<char*>(job.buffer) + std::size_t(t.slice) * planeBytes : nullptr;
        if (!inPlace) {
            scratch.resize(planeBytes);
            dst = scratch.data();
        }
        std::size_t done = 0;
        const std::uint64_t offset = h.pixelOffset + std::uint64_t(t.frame) * planeBytes;
        while (done < planeBytes) {
            const ssize_t r = ::pread(fd, dst + done, planeBytes - done, off_t(offset + done));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                throw DataError("pixel data is truncated or unreadable");
            done += std::size_t(r);
        }
        if (bytes == 2)
            convertPlane(reinterpret_cast<const std::uint16_t*>(dst), count, job, t, bitsStored, highBit,
                         h.pixelRepresentation == 1, stats, first);
        else
            convertPlane(reinterpret_cast<const std::uint8_t*>(dst), count, job, t, bitsStored, highBit,
                         h.pixelRepresentation == 1, stats, first);
    }
    return stats;
}

std::string serialize(const DecodeStats& s) {
    std::ostringstream o;
    o.precision(17);
    o << s.minHU << ' ' << s.maxHU << ' ' << (s.overflow ? 1 : 0);
    return o.str();
}

DecodeStats deserializeDecodeStats(const std::string& bytes) {
    std::istringstream in(bytes);
    DecodeStats s;
    int o = 0;
    in >> s.minHU >> s.maxHU >> o;
    s.overflow = o != 0;
    return s;
}

} // namespace ctview
