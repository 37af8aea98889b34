#include "media/tiff.h"

#include "base/error.h"
#include "base/fsutil.h"

#include <tiffio.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace ctview {

HuPlane nativeSlice(const Volume& v, Axis axis, int k, const Slab& slab) {
    const SliceFrame f = sliceFrame(v.geometry(), axis);
    if (k < 0 || k >= f.count)
        throw UsageError(std::string("voxel index ") + std::to_string(k) + " is out of range: the " +
                         axisName(axis) + " view has voxel indices 0.." + std::to_string(f.count - 1));
    HuPlane p;
    p.width = f.width;
    p.height = f.height;
    p.hSpacing = f.hSpacing;
    p.vSpacing = f.vSpacing;
    const bool thick = isThick(slab, f.nSpacing);
    p.integral = v.type() == ScalarType::Int16 && (!thick || slab.mode != SlabMode::Average);
    p.hu.resize(std::size_t(p.width) * std::size_t(p.height));
    for (int y = 0; y < p.height; ++y)
        for (int x = 0; x < p.width; ++x) {
            int ijk[3];
            ijk[f.nAxis] = k;
            ijk[f.hAxis] = f.hFlip ? f.width - 1 - x : x;
            ijk[f.vAxis] = f.vFlip ? f.height - 1 - y : y;
            p.hu[std::size_t(y) * std::size_t(p.width) + std::size_t(x)] =
                thick ? slabValue(v, f, glm::ivec3(ijk[0], ijk[1], ijk[2]), slab)
                      : v.at(ijk[0], ijk[1], ijk[2]);
        }
    return p;
}

namespace {

// libtiff reports through handlers that print to stderr; ctview says what failed in its own message.
void quietTiff() {
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
}

void writeTo(const HuPlane& p, const std::filesystem::path& file, const std::filesystem::path& named) {
    quietTiff();
    TIFF* t = TIFFOpen(file.c_str(), "w");
    if (!t)
        throw DataError(named.string() + ": cannot be written (" + std::strerror(errno) + ")");
    const int rowsPerStrip = 8;
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, std::uint32_t(p.width));
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, std::uint32_t(p.height));
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, std::uint16_t(1));
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, std::uint16_t(p.integral ? 16 : 32));
    TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, std::uint16_t(p.integral ? SAMPLEFORMAT_INT : SAMPLEFORMAT_IEEEFP));
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, std::uint16_t(PHOTOMETRIC_MINISBLACK));
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, std::uint16_t(PLANARCONFIG_CONTIG));
    TIFFSetField(t, TIFFTAG_COMPRESSION, std::uint16_t(COMPRESSION_NONE));
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, std::uint32_t(rowsPerStrip));
    // Pixels per centimetre: 10 mm over the spacing.
    TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, std::uint16_t(RESUNIT_CENTIMETER));
    TIFFSetField(t, TIFFTAG_XRESOLUTION, float(10.0 / p.hSpacing));
    TIFFSetField(t, TIFFTAG_YRESOLUTION, float(10.0 / p.vSpacing));
    TIFFSetField(t, TIFFTAG_SOFTWARE, "ctview");
    TIFFSetField(t, TIFFTAG_IMAGEDESCRIPTION, "Hounsfield units");
    std::vector<std::int16_t> row16(std::size_t(p.width));
    std::vector<float> row32(std::size_t(p.width));
    bool ok = true;
    for (int y = 0; y < p.height && ok; ++y) {
        const float* src = p.hu.data() + std::size_t(y) * std::size_t(p.width);
        void* row = nullptr;
        if (p.integral) {
            for (int x = 0; x < p.width; ++x)
                row16[std::size_t(x)] = std::int16_t(std::lround(src[x]));
            row = row16.data();
        } else {
            std::memcpy(row32.data(), src, row32.size() * sizeof(float));
            row = row32.data();
        }
        ok = TIFFWriteScanline(t, row, std::uint32_t(y), 0) == 1;
    }
    ok = ok && TIFFWriteDirectory(t) == 1;
    TIFFClose(t);
    if (!ok)
        throw DataError(named.string() + ": cannot be written (the disk may be full)");
}

} // namespace

std::filesystem::path writeHuTiff(const HuPlane& p, const std::filesystem::path& wanted, bool force) {
    if (p.width <= 0 || p.height <= 0 || p.hu.size() != std::size_t(p.width) * std::size_t(p.height))
        throw DataError(wanted.string() + ": no pixels to write");
    std::filesystem::path target = uniqueOutputPath(wanted, force); // not const: returned by move
    writeFileAtomically(
        target, [&](const std::filesystem::path& tmp) { writeTo(p, tmp, target); }, force);
    return target;
}

} // namespace ctview
