#include "dicom/seg_read.h"

#include "base/error.h"
#include "dicom/dataset_values.h"
#include "dicom/dicom_scan.h"

#include <gdcmImageReader.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>

namespace ctview {

namespace {

using namespace dicomvalues;

const gdcm::Tag kPixelData(0x7fe0, 0x0010);

// The plane of a frame from a functional-group item: PlanePositionSequence (0020,9113),
// PlaneOrientationSequence (0020,9116), PixelMeasuresSequence (0028,9110); SegmentIdentificationSequence
// (0062,000A) for the segment. Per-frame items override the shared one.
void readGroup(const gdcm::DataSet& group, SegFrame& f, bool& hasPosition) {
    if (const gdcm::DataSet* item = firstItem(group, gdcm::Tag(0x0020, 0x9113)))
        if (auto p = numbers(*item, gdcm::Tag(0x0020, 0x0032)); p.size() == 3) {
            f.position = {p[0], p[1], p[2]};
            hasPosition = true;
        }
    if (const gdcm::DataSet* item = firstItem(group, gdcm::Tag(0x0020, 0x9116)))
        if (auto o = numbers(*item, gdcm::Tag(0x0020, 0x0037)); o.size() == 6)
            for (std::size_t i = 0; i < 6; ++i)
                f.orientation[i] = o[i];
    if (const gdcm::DataSet* item = firstItem(group, gdcm::Tag(0x0028, 0x9110)))
        if (auto s = numbers(*item, gdcm::Tag(0x0028, 0x0030)); s.size() == 2 && s[0] > 0 && s[1] > 0)
            f.pixelSpacing = {s[0], s[1]};
    if (const gdcm::DataSet* item = firstItem(group, gdcm::Tag(0x0062, 0x000a)))
        if (auto n = ushort(*item, gdcm::Tag(0x0062, 0x000b)))
            f.segment = *n;
    if (const gdcm::DataSet* derivation = firstItem(group, gdcm::Tag(0x0008, 0x9124)))
        if (const gdcm::DataSet* source = firstItem(*derivation, gdcm::Tag(0x0008, 0x2112)))
            f.sourceInstance = str(*source, gdcm::Tag(0x0008, 0x1155));
}

std::vector<SegSegment> readSegments(const gdcm::DataSet& ds) {
    std::vector<SegSegment> out;
    const gdcm::Tag seq(0x0062, 0x0002);
    if (!ds.FindDataElement(seq))
        return out;
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement(seq).GetValueAsSQ();
    for (std::size_t i = 1; sq && i <= sq->GetNumberOfItems(); ++i) {
        const gdcm::DataSet& item = sq->GetItem(i).GetNestedDataSet();
        SegSegment s;
        if (auto n = ushort(item, gdcm::Tag(0x0062, 0x0004)))
            s.number = *n;
        s.label = str(item, gdcm::Tag(0x0062, 0x0005));
        if (item.FindDataElement(gdcm::Tag(0x0062, 0x000d))) {
            const gdcm::ByteValue* bv = item.GetDataElement(gdcm::Tag(0x0062, 0x000d)).GetByteValue();
            if (bv && bv->GetLength() >= 6) {
                std::uint16_t lab[3];
                std::memcpy(lab, bv->GetPointer(), 6);
                s.lab = {lab[0], lab[1], lab[2]};
                s.hasColor = true;
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<std::string> referencedSeries(const gdcm::DataSet& ds) {
    std::vector<std::string> out;
    const gdcm::Tag seq(0x0008, 0x1115);
    if (!ds.FindDataElement(seq))
        return out;
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement(seq).GetValueAsSQ();
    for (std::size_t i = 1; sq && i <= sq->GetNumberOfItems(); ++i)
        if (std::string uid = str(sq->GetItem(i).GetNestedDataSet(), gdcm::Tag(0x0020, 0x000e)); !uid.empty())
            out.push_back(uid);
    return out;
}

} // namespace

bool isSegFile(const std::filesystem::path& file) {
    return metaNamesSopClass(file, kSegmentationStorage);
}

SegHeader readSegHeader(const std::filesystem::path& file) {
    const std::string name = file.string();
    gdcm::Reader reader;
    reader.SetFileName(name.c_str());
    if (!reader.ReadUpToTag(kPixelData, {kPixelData}))
        throw DataError(name + ": not a DICOM file GDCM can read");
    const gdcm::DataSet& ds = reader.GetFile().GetDataSet();
    if (str(ds, gdcm::Tag(0x0008, 0x0016)) != kSegmentationStorage)
        throw DataError(name + ": not a DICOM Segmentation (SOP class " + str(ds, gdcm::Tag(0x0008, 0x0016)) +
                        ")");
    SegHeader h;
    h.transferSyntax = reader.GetFile().GetHeader().GetDataSetTransferSyntax().GetString();
    h.fractional = str(ds, gdcm::Tag(0x0062, 0x0001)) == "FRACTIONAL";
    if (auto m = ushort(ds, gdcm::Tag(0x0062, 0x000e)); m && *m > 0)
        h.maxFractional = *m;
    h.rows = ushort(ds, gdcm::Tag(0x0028, 0x0010)).value_or(0);
    h.columns = ushort(ds, gdcm::Tag(0x0028, 0x0011)).value_or(0);
    h.bitsAllocated = ushort(ds, gdcm::Tag(0x0028, 0x0100)).value_or(0);
    const int frames = int(number(ds, gdcm::Tag(0x0028, 0x0008)).value_or(1));
    h.seriesDescription = str(ds, gdcm::Tag(0x0008, 0x103e));
    h.frameOfReference = str(ds, gdcm::Tag(0x0020, 0x0052));
    h.referencedSeries = referencedSeries(ds);
    h.segments = readSegments(ds);
    if (h.rows <= 0 || h.columns <= 0 || frames <= 0)
        throw DataError(name + ": no frames (Rows, Columns or NumberOfFrames missing or 0)");
    if (h.bitsAllocated != (h.fractional ? 8 : 1))
        throw DataError(name + ": " + std::to_string(h.bitsAllocated) + " bits allocated for a " +
                        (h.fractional ? "FRACTIONAL" : "BINARY") + " segmentation (expected " +
                        (h.fractional ? "8" : "1") + ")");
    if (h.segments.empty())
        throw DataError(name + ": no segments (SegmentSequence is empty)");
    // Compressed frames are a FRACTIONAL SEG's (RLE, JPEG-LS, JPEG 2000: a byte a pixel, as CT frames are);
    // a BINARY one's bits, each frame compressed on its own, are not read yet.
    h.compressed = reader.GetFile().GetHeader().GetDataSetTransferSyntax().IsEncapsulated();
    if (h.compressed && !h.fractional)
        throw DataError(
            name + ": compressed BINARY frames (transfer syntax " + h.transferSyntax +
            ") are not read yet; write the SEG uncompressed (e.g. with dcmdjpeg or gdcmconv --raw)");

    SegFrame shared;
    bool sharedPosition = false;
    if (const gdcm::DataSet* group = firstItem(ds, gdcm::Tag(0x5200, 0x9229)))
        readGroup(*group, shared, sharedPosition);
    gdcm::SmartPointer<gdcm::SequenceOfItems> perFrame;
    if (ds.FindDataElement(gdcm::Tag(0x5200, 0x9230)))
        perFrame = ds.GetDataElement(gdcm::Tag(0x5200, 0x9230)).GetValueAsSQ();
    if (!perFrame || perFrame->GetNumberOfItems() != std::size_t(frames))
        throw DataError(name + ": " + std::to_string(frames) + " frames but " +
                        std::to_string(perFrame ? perFrame->GetNumberOfItems() : 0) +
                        " items of per-frame functional groups (5200,9230)");
    for (int f = 0; f < frames; ++f) {
        SegFrame frame = shared;
        bool hasPosition = sharedPosition;
        readGroup(perFrame->GetItem(std::size_t(f) + 1).GetNestedDataSet(), frame, hasPosition);
        if (!hasPosition)
            throw DataError(name + ": frame " + std::to_string(f + 1) +
                            " has no position (PlanePositionSequence)");
        const bool known = std::any_of(h.segments.begin(), h.segments.end(),
                                       [&](const SegSegment& s) { return s.number == frame.segment; });
        if (!known)
            throw DataError(name + ": frame " + std::to_string(f + 1) + " names segment " +
                            std::to_string(frame.segment) + ", which the SegmentSequence does not have");
        h.frames.push_back(frame);
    }
    // 1-bit frames follow each other without padding (PS3.5 8.1.1); the whole is padded to an even length.
    const std::uint64_t bits = std::uint64_t(h.rows) * std::uint64_t(h.columns) * std::uint64_t(frames) *
                               std::uint64_t(h.bitsAllocated);
    h.pixelBytes = (bits + 7) / 8;
    return h;
}

void readSegPixels(const std::filesystem::path& file, const SegHeader& h, void* into) {
    const std::string name = file.string();
    std::error_code ec;
    const std::uint64_t fileSize = std::filesystem::file_size(file, ec);
    // Native frames are read straight from the file, where the Pixel Data element of the promised length
    // is (as the CT loader does): no copy of a 400 MB value in GDCM's memory, and a truncated file is told.
    if (const PixelDataLocation loc = locatePixelData(file, h.transferSyntax, h.pixelBytes, fileSize);
        loc.found) {
        if (loc.missing > 0)
            throw DataError(name + ": the file is cut short (" + std::to_string(loc.missing) +
                            " bytes of the frames are missing)");
        std::ifstream in(file, std::ios::binary);
        in.seekg(std::streamoff(loc.offset));
        in.read(static_cast<char*>(into), std::streamsize(h.pixelBytes));
        if (std::uint64_t(in.gcount()) != h.pixelBytes)
            throw DataError(name + ": the frames could not be read");
        return;
    }
    if (h.compressed) {
        // GDCM's codecs decode every frame into place, in order.
        gdcm::ImageReader images;
        images.SetFileName(name.c_str());
        if (!images.Read())
            throw DataError(name + ": GDCM could not read the compressed frames (transfer syntax " +
                            h.transferSyntax + ")");
        const gdcm::Image& image = images.GetImage();
        if (image.GetBufferLength() != h.pixelBytes)
            throw DataError(name + ": the frames decode to " + std::to_string(image.GetBufferLength()) +
                            " bytes, " + std::to_string(h.frames.size()) + " frames of " +
                            std::to_string(h.columns) + "x" + std::to_string(h.rows) + " are " +
                            std::to_string(h.pixelBytes));
        if (!image.GetBuffer(static_cast<char*>(into)))
            throw DataError(name + ": GDCM could not decode the frames (transfer syntax " + h.transferSyntax +
                            ")");
        return;
    }
    gdcm::Reader reader;
    reader.SetFileName(name.c_str());
    if (!reader.Read())
        throw DataError(name + ": GDCM could not read the file");
    const gdcm::DataSet& ds = reader.GetFile().GetDataSet();
    const gdcm::ByteValue* bv =
        ds.FindDataElement(kPixelData) ? ds.GetDataElement(kPixelData).GetByteValue() : nullptr;
    if (!bv)
        throw DataError(name + ": no Pixel Data");
    if (bv->GetLength() < h.pixelBytes || bv->GetLength() > fileSize)
        throw DataError(name + ": the Pixel Data holds " + std::to_string(bv->GetLength()) + " bytes, " +
                        std::to_string(h.frames.size()) + " frames of " + std::to_string(h.columns) + "x" +
                        std::to_string(h.rows) + " need " + std::to_string(h.pixelBytes));
    std::memcpy(into, bv->GetPointer(), h.pixelBytes);
}

std::string serialize(const SegHeader& h) {
    nlohmann::json j;
    j["fractional"] = h.fractional;
    j["max"] = h.maxFractional;
    j["size"] = {h.rows, h.columns, h.bitsAllocated};
    j["description"] = h.seriesDescription;
    j["for"] = h.frameOfReference;
    j["refs"] = h.referencedSeries;
    j["ts"] = h.transferSyntax;
    j["compressed"] = h.compressed;
    j["bytes"] = h.pixelBytes;
    nlohmann::json segments = nlohmann::json::array();
    for (const SegSegment& s : h.segments)
        segments.push_back({s.number, s.label, s.hasColor, s.lab});
    j["segments"] = segments;
    nlohmann::json frames = nlohmann::json::array();
    for (const SegFrame& f : h.frames)
        frames.push_back({f.position, f.orientation, f.pixelSpacing, f.segment, f.sourceInstance});
    j["frames"] = frames;
    return j.dump();
}

SegHeader deserializeSegHeader(const std::string& bytes) {
    const nlohmann::json j = nlohmann::json::parse(bytes);
    SegHeader h;
    h.fractional = j["fractional"];
    h.maxFractional = j["max"];
    h.rows = j["size"][0];
    h.columns = j["size"][1];
    h.bitsAllocated = j["size"][2];
    h.seriesDescription = j["description"];
    h.frameOfReference = j["for"];
    h.referencedSeries = j["refs"].get<std::vector<std::string>>();
    h.transferSyntax = j["ts"];
    h.compressed = j["compressed"];
    h.pixelBytes = j["bytes"];
    for (const auto& s : j["segments"])
        h.segments.push_back({s[0], s[1], s[2], s[3].get<std::array<int, 3>>()});
    for (const auto& f : j["frames"])
        h.frames.push_back({f[0].get<std::array<double, 3>>(), f[1].get<std::array<double, 6>>(),
                            f[2].get<std::array<double, 2>>(), f[3], f[4]});
    return h;
}

} // namespace ctview
