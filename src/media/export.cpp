#include "media/export.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "media/tiff.h"
#include "volume/mpr.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO_FALLBACK_TO_NOTHING
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ctview {

namespace {
void appendBytes(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<unsigned char>*>(context);
    const auto* p = static_cast<const unsigned char*>(data);
    out->insert(out->end(), p, p + size);
}
} // namespace

std::filesystem::path writeImage(const RgbImage& img, const std::filesystem::path& wanted, ImageFormat format,
                                 bool force) {
    // Encode in memory first, so that a failed encode never creates a file.
    std::vector<unsigned char> bytes;
    int ok = 0;
    if (format == ImageFormat::Png)
        ok = stbi_write_png_to_func(appendBytes, &bytes, img.width, img.height, 3, img.rgb.data(),
                                    img.width * 3);
    else
        ok = stbi_write_jpg_to_func(appendBytes, &bytes, img.width, img.height, 3, img.rgb.data(), 95);
    if (!ok)
        throw DataError(wanted.string() + ": the image could not be encoded");

    std::filesystem::path target = uniqueOutputPath(wanted, force); // not const: returned by move
    writeFileAtomically(
        target,
        [&](const std::filesystem::path& tmp) {
            std::FILE* f = std::fopen(tmp.c_str(), "wbx");
            if (!f)
                throw DataError(target.string() + ": cannot be written (" + std::strerror(errno) + ")");
            const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
            const bool closed = std::fclose(f) == 0;
            if (!written || !closed)
                throw DataError(target.string() + ": cannot be written (" + std::strerror(errno) + ")");
        },
        force);
    return target;
}

std::string sliceFileName(int seriesNumber, Axis axis, int number, ImageFormat format, const Slab& slab,
                          double sliceSpacing, bool oblique) {
    char suffix[48] = "";
    if (isThick(slab, sliceSpacing))
        std::snprintf(suffix, sizeof suffix, "_%s%gmm", slabModeName(slab.mode), slab.thickness);
    char name[160];
    std::snprintf(name, sizeof name, "%d_%s%s_%04d%s.%s", seriesNumber, axisName(axis),
                  oblique ? "-oblique" : "", number, suffix,
                  format == ImageFormat::Png    ? "png"
                  : format == ImageFormat::Jpeg ? "jpg"
                                                : "tif");
    return name;
}

namespace {
// Draws `drawOver` on `img`, then writes it in each format under the name `nameFor` gives it.
std::vector<std::filesystem::path> writeFormats(RgbImage& img, const std::vector<ImageFormat>& formats,
                                                const std::filesystem::path& dir, bool force,
                                                const std::function<void(RgbImage&)>& drawOver,
                                                const std::function<std::string(ImageFormat)>& nameFor) {
    if (drawOver)
        drawOver(img);
    createFolder(dir);
    std::vector<std::filesystem::path> written;
    for (ImageFormat f : formats)
        if (f != ImageFormat::Tiff) // written from the HU, not from these pixels
            written.push_back(writeImage(img, dir / nameFor(f), f, force));
    return written;
}
bool wantsTiff(const std::vector<ImageFormat>& formats) {
    return std::find(formats.begin(), formats.end(), ImageFormat::Tiff) != formats.end();
}
} // namespace

std::vector<std::filesystem::path> exportSlice(const Volume& v, Axis axis, int k, const Slab& slab,
                                               const WindowLevel& wl, const ColormapTable& map,
                                               int seriesNumber, const std::vector<ImageFormat>& formats,
                                               const std::filesystem::path& dir, bool force,
                                               const std::function<void(RgbImage&)>& drawOver) {
    RgbImage img = renderSlice(extractSlice(v, axis, k, slab), wl, map);
    const SliceFrame frame = sliceFrame(v.geometry(), axis);
    const int number = sliceNumber(frame, k); // files are named as the overlay numbers them
    auto nameFor = [&](ImageFormat f) {
        return sliceFileName(seriesNumber, axis, number, f, slab, frame.nSpacing);
    };
    auto written = writeFormats(img, formats, dir, force, drawOver, nameFor);
    if (wantsTiff(formats))
        written.push_back(
            writeHuTiff(nativeSlice(v, axis, k, slab), dir / nameFor(ImageFormat::Tiff), force));
    return written;
}

std::vector<std::filesystem::path> exportPlane(const Volume& v, Axis axis, const SlicePlane& p, int number,
                                               const Slab& slab, bool linear, const WindowLevel& wl,
                                               const ColormapTable& map, int seriesNumber,
                                               const std::vector<ImageFormat>& formats,
                                               const std::filesystem::path& dir, bool force,
                                               const std::function<void(RgbImage&)>& drawOver) {
    const Geometry& g = v.geometry();
    const SliceImage plane = extractPlane(v, sliceFrame(g, axis), p, slab, linear);
    RgbImage img = renderSlice(plane, wl, map);
    const double step = normalStep(g, p.normal);
    auto nameFor = [&](ImageFormat f) {
        return sliceFileName(seriesNumber, axis, number, f, slab, step, true);
    };
    auto written = writeFormats(img, formats, dir, force, drawOver, nameFor);
    if (wantsTiff(formats)) {
        // A turned plane's samples (interpolated unless nearest): float, on its square pixels.
        HuPlane hu{plane.width, plane.height, plane.pixelSize, plane.pixelSize, plane.hu, false};
        written.push_back(writeHuTiff(hu, dir / nameFor(ImageFormat::Tiff), force));
    }
    return written;
}

} // namespace ctview
