#include "dicom/dicom_write.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "base/text.h"
#include "dicom/rtstruct_read.h"
#include "dicom/seg_read.h"

#include <gdcmAttribute.h>
#include <gdcmDICOMDIRGenerator.h>
#include <gdcmDataElement.h>
#include <gdcmDict.h>
#include <gdcmDicts.h>
#include <gdcmGlobal.h>
#include <gdcmImage.h>
#include <gdcmImageChangeTransferSyntax.h>
#include <gdcmImageWriter.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmTrace.h>
#include <gdcmWriter.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <unistd.h>

namespace ctview {

namespace {

// Keyword -> tag for the descriptive fields callers may set.
const std::map<std::string, gdcm::Tag>& keywordTags() {
    static const std::map<std::string, gdcm::Tag> tags = {
        {"PatientName", {0x0010, 0x0010}},
        {"PatientID", {0x0010, 0x0020}},
        {"PatientSex", {0x0010, 0x0040}},
        {"PatientAge", {0x0010, 0x1010}},
        {"PatientBirthDate", {0x0010, 0x0030}},
        {"StudyDate", {0x0008, 0x0020}},
        {"StudyTime", {0x0008, 0x0030}},
        {"StudyDescription", {0x0008, 0x1030}},
        {"SeriesDescription", {0x0008, 0x103e}},
        {"Manufacturer", {0x0008, 0x0070}},
        {"ManufacturerModelName", {0x0008, 0x1090}},
        {"BodyPartExamined", {0x0018, 0x0015}},
        {"KVP", {0x0018, 0x0060}},
        {"Exposure", {0x0018, 0x1152}},
        {"XRayTubeCurrent", {0x0018, 0x1151}},
        {"ConvolutionKernel", {0x0018, 0x1210}},
        {"WindowCenter", {0x0028, 0x1050}},
        {"WindowWidth", {0x0028, 0x1051}},
        {"WindowCenterWidthExplanation", {0x0028, 0x1055}},
        {"GantryDetectorTilt", {0x0018, 0x1120}},
        {"SeriesDate", {0x0008, 0x0021}},
        {"SeriesTime", {0x0008, 0x0031}},
        {"ImageType", {0x0008, 0x0008}},
        {"AccessionNumber", {0x0008, 0x0050}},
        {"ReferringPhysicianName", {0x0008, 0x0090}},
        {"StudyID", {0x0020, 0x0010}},
        {"FrameOfReferenceUID", {0x0020, 0x0052}},
        {"PatientPosition", {0x0018, 0x5100}},
        {"SpecificCharacterSet", {0x0008, 0x0005}},
        // The temporal attributes that tell a 4D series' phases apart (dicom_scan.h, kTemporalKeys).
        {"TemporalPositionIdentifier", {0x0020, 0x0100}},
        {"TriggerTime", {0x0018, 0x1060}},
        {"NominalPercentageOfCardiacPhase", {0x0020, 0x9241}},
        {"AcquisitionNumber", {0x0020, 0x0012}},
        {"AcquisitionTime", {0x0008, 0x0032}},
        {"ContentTime", {0x0008, 0x0033}},
    };
    return tags;
}

void put(gdcm::DataSet& ds, const gdcm::Tag& tag, std::string value) {
    const gdcm::DictEntry& entry = gdcm::Global::GetInstance().GetDicts().GetDictEntry(tag);
    gdcm::VR vr = entry.GetVR();
    if (vr == gdcm::VR::INVALID || vr == gdcm::VR::VR_END)
        vr = gdcm::VR::LO;
    if (vr == gdcm::VR::FL || vr == gdcm::VR::FD || vr == gdcm::VR::UL || vr == gdcm::VR::SL) {
        // Binary numbers (NominalPercentageOfCardiacPhase is FL, an Enhanced CT's trigger delay FD, its
        // TemporalPositionIndex UL), given as text: "a\\b" written as little-endian values.
        std::string bytes;
        std::stringstream parts(value);
        for (std::string part; std::getline(parts, part, '\\');) {
            const double v = std::stod(part);
            auto append = [&bytes](auto x) { bytes.append(reinterpret_cast<const char*>(&x), sizeof x); };
            if (vr == gdcm::VR::FL)
                append(float(v));
            else if (vr == gdcm::VR::FD)
                append(v);
            else if (vr == gdcm::VR::UL)
                append(std::uint32_t(v));
            else
                append(std::int32_t(v));
        }
        value = bytes;
    }
    if (value.size() % 2)
        value += (vr == gdcm::VR::UI ? '\0' : ' '); // DICOM values have even length
    gdcm::DataElement de(tag);
    de.SetVR(vr);
    de.SetByteValue(value.data(), std::uint32_t(value.size()));
    ds.Replace(de);
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v); // DS is at most 16 characters; %.10g stays inside
    return buf;
}

gdcm::TransferSyntax::TSType tsFor(WriteSyntax s) {
    switch (s) {
    case WriteSyntax::ExplicitLE:
        return gdcm::TransferSyntax::ExplicitVRLittleEndian;
    case WriteSyntax::ImplicitLE:
        return gdcm::TransferSyntax::ImplicitVRLittleEndian;
    case WriteSyntax::ExplicitBE:
        return gdcm::TransferSyntax::ExplicitVRBigEndian;
    case WriteSyntax::JpegLossless:
        return gdcm::TransferSyntax::JPEGLosslessProcess14_1;
    case WriteSyntax::JpegLS:
        return gdcm::TransferSyntax::JPEGLSLossless;
    case WriteSyntax::Jpeg2000Lossless:
        return gdcm::TransferSyntax::JPEG2000Lossless;
    case WriteSyntax::Rle:
        return gdcm::TransferSyntax::RLELossless;
    case WriteSyntax::Deflated:
        return gdcm::TransferSyntax::DeflatedExplicitVRLittleEndian;
    case WriteSyntax::JpegExtended:
        return gdcm::TransferSyntax::JPEGExtendedProcess2_4;
    }
    return gdcm::TransferSyntax::ExplicitVRLittleEndian;
}

} // namespace

void writeRawDicom(const std::filesystem::path& path, const std::vector<RawElement>& elements,
                   const std::string& pixelBytes, const std::string& transferSyntaxUID) {
    gdcm::Writer writer;
    gdcm::DataSet& ds = writer.GetFile().GetDataSet();
    for (const RawElement& e : elements) {
        const gdcm::Tag tag(e.group, e.element);
        const gdcm::VR vr = gdcm::Global::GetInstance().GetDicts().GetDictEntry(tag).GetVR();
        if (vr == gdcm::VR::US || vr == gdcm::VR::SS || vr == gdcm::VR::UL || vr == gdcm::VR::US_SS) {
            // Binary numbers: 2 bytes each (4 for UL), little endian.
            std::string bytes;
            std::stringstream ss(e.value);
            for (std::string part; std::getline(ss, part, '\\');) {
                const long v = std::stol(part);
                const int width = vr == gdcm::VR::UL ? 4 : 2;
                for (int b = 0; b < width; ++b)
                    bytes.push_back(char((v >> (8 * b)) & 0xff));
            }
            gdcm::DataElement de(tag);
            de.SetVR(vr == gdcm::VR::US_SS ? gdcm::VR(gdcm::VR::US) : vr);
            de.SetByteValue(bytes.data(), std::uint32_t(bytes.size()));
            ds.Replace(de);
        } else {
            put(ds, tag, e.value);
        }
    }
    if (!pixelBytes.empty()) {
        std::string even = pixelBytes;
        if (even.size() % 2)
            even.push_back('\0');
        gdcm::DataElement de(gdcm::Tag(0x7fe0, 0x0010));
        de.SetVR(gdcm::VR::OW);
        de.SetByteValue(even.data(), std::uint32_t(even.size()));
        ds.Replace(de);
    }
    writer.GetFile().GetHeader().SetDataSetTransferSyntax(
        gdcm::TransferSyntax::GetTSType(transferSyntaxUID.c_str()));
    writer.SetFileName(path.c_str());
    if (!writer.Write())
        throw DataError(path.string() + ": GDCM could not write the file");
}

namespace {

void putUS(gdcm::DataSet& ds, const gdcm::Tag& tag, const std::vector<int>& values) {
    std::string bytes;
    for (int v : values) {
        bytes.push_back(char(v & 0xff));
        bytes.push_back(char((v >> 8) & 0xff));
    }
    gdcm::DataElement de(tag);
    de.SetVR(gdcm::VR::US);
    de.SetByteValue(bytes.data(), std::uint32_t(bytes.size()));
    ds.Replace(de);
}

// A sequence of the given items' data sets.
void putSequence(gdcm::DataSet& ds, const gdcm::Tag& tag, const std::vector<gdcm::DataSet>& items) {
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = new gdcm::SequenceOfItems;
    sq->SetLengthToUndefined();
    for (const gdcm::DataSet& nested : items) {
        gdcm::Item item;
        item.SetVLToUndefined();
        item.SetNestedDataSet(nested);
        sq->AddItem(item);
    }
    gdcm::DataElement de(tag);
    de.SetVR(gdcm::VR::SQ);
    de.SetValue(*sq);
    de.SetVLToUndefined();
    ds.Replace(de);
}

gdcm::DataSet one(const gdcm::Tag& tag, const std::string& value) {
    gdcm::DataSet ds;
    put(ds, tag, value);
    return ds;
}

std::string joinedNumbers(const double* v, int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
        s += (i ? "\\" : "") + num(v[i]);
    return s;
}

} // namespace

namespace {

// Unsigned longs (VR UL), little endian.
void putUL(gdcm::DataSet& ds, const gdcm::Tag& tag, const std::vector<std::uint32_t>& values) {
    gdcm::DataElement de(tag);
    de.SetVR(gdcm::VR::UL);
    de.SetByteValue(reinterpret_cast<const char*>(values.data()), std::uint32_t(4 * values.size()));
    ds.Replace(de);
}

// An attribute tag as a value (VR AT): group then element, each 16-bit little endian.
void putAT(gdcm::DataSet& ds, const gdcm::Tag& tag, const gdcm::Tag& value) {
    const std::uint16_t words[2] = {value.GetGroup(), value.GetElement()};
    gdcm::DataElement de(tag);
    de.SetVR(gdcm::VR::AT);
    de.SetByteValue(reinterpret_cast<const char*>(words), 4);
    ds.Replace(de);
}

gdcm::DataSet codeItem(const SegSpec::Code& c) {
    gdcm::DataSet item;
    put(item, gdcm::Tag(0x0008, 0x0100), c.value);
    put(item, gdcm::Tag(0x0008, 0x0102), c.scheme);
    put(item, gdcm::Tag(0x0008, 0x0104), c.meaning);
    return item;
}

// Patient, General Study, General Series, Frame of Reference and the equipment modules (PS3.3 A.51.3): who
// and what the segmentation is of, copied from its CT where the spec gives them; type 2 attributes present
// (empty) when unknown.
void putSegPatientStudySeries(gdcm::DataSet& ds, const SegSpec& spec, const std::string& studyUID,
                              const std::string& seriesUID) {
    auto given = [&](const char* keyword) {
        auto it = spec.strings.find(keyword);
        return it == spec.strings.end() ? std::string() : it->second;
    };
    put(ds, gdcm::Tag(0x0010, 0x0010), spec.patientName.empty() ? given("PatientName") : spec.patientName);
    put(ds, gdcm::Tag(0x0010, 0x0020), spec.patientID.empty() ? given("PatientID") : spec.patientID);
    for (const char* key : {"PatientBirthDate", "PatientSex", "StudyDate", "StudyTime", "StudyID",
                            "AccessionNumber", "ReferringPhysicianName"})
        put(ds, keywordTags().at(key), given(key));
    for (const char* key : {"PatientAge", "StudyDescription"})
        if (!given(key).empty())
            put(ds, keywordTags().at(key), given(key));
    put(ds, gdcm::Tag(0x0020, 0x000d), studyUID);
    put(ds, gdcm::Tag(0x0008, 0x0060), "SEG");
    put(ds, gdcm::Tag(0x0020, 0x000e), seriesUID);
    put(ds, gdcm::Tag(0x0020, 0x0011), std::to_string(spec.seriesNumber));
    put(ds, gdcm::Tag(0x0008, 0x103e), spec.seriesDescription);
    put(ds, gdcm::Tag(0x0020, 0x0052),
        spec.frameOfReferenceUID.empty() ? makeUid("seg frame of reference " + seriesUID)
                                         : spec.frameOfReferenceUID);
    put(ds, gdcm::Tag(0x0020, 0x1040), ""); // PositionReferenceIndicator
    // General and Enhanced General Equipment: who wrote it.
    put(ds, gdcm::Tag(0x0008, 0x0070), "ctview");
    put(ds, gdcm::Tag(0x0008, 0x1090), "ctview");
    put(ds, gdcm::Tag(0x0018, 0x1000), "1");
    put(ds, gdcm::Tag(0x0018, 0x1020), spec.softwareVersion);
}

// Segmentation Image module's segments (PS3.3 C.8.20.2): number, label, how it was made, what it is
// (coded), colour.
void putSegmentSequence(gdcm::DataSet& ds, const SegSpec& spec) {
    std::vector<gdcm::DataSet> segments;
    for (const SegSpec::Segment& s : spec.segments) {
        gdcm::DataSet item;
        putUS(item, gdcm::Tag(0x0062, 0x0004), {s.number});
        put(item, gdcm::Tag(0x0062, 0x0005), s.label);
        put(item, gdcm::Tag(0x0062, 0x0008), s.algorithmType);
        if (s.algorithmType != "MANUAL")
            put(item, gdcm::Tag(0x0062, 0x0009), "ctview"); // SegmentAlgorithmName
        putSequence(item, gdcm::Tag(0x0062, 0x0003), {codeItem(s.category)});
        putSequence(item, gdcm::Tag(0x0062, 0x000f), {codeItem(s.type)});
        if (s.lab)
            putUS(item, gdcm::Tag(0x0062, 0x000d), {(*s.lab)[0], (*s.lab)[1], (*s.lab)[2]});
        segments.push_back(item);
    }
    putSequence(ds, gdcm::Tag(0x0062, 0x0002), segments);
}

// Multi-frame Dimension module: frames indexed by segment, then by position (as highdicom and dcmqi do).
void putDimensions(gdcm::DataSet& ds, const std::string& seriesUID) {
    const std::string organisation = makeUid("seg dimensions " + seriesUID);
    putSequence(ds, gdcm::Tag(0x0020, 0x9221), {one(gdcm::Tag(0x0020, 0x9164), organisation)});
    auto index = [&](const gdcm::Tag& pointer, const gdcm::Tag& group, const char* label) {
        gdcm::DataSet item;
        put(item, gdcm::Tag(0x0020, 0x9164), organisation);
        putAT(item, gdcm::Tag(0x0020, 0x9165), pointer);
        putAT(item, gdcm::Tag(0x0020, 0x9167), group);
        put(item, gdcm::Tag(0x0020, 0x9421), label);
        return item;
    };
    putSequence(ds, gdcm::Tag(0x0020, 0x9222),
                {index(gdcm::Tag(0x0062, 0x000b), gdcm::Tag(0x0062, 0x000a), "ReferencedSegmentNumber"),
                 index(gdcm::Tag(0x0020, 0x0032), gdcm::Tag(0x0020, 0x9113), "ImagePositionPatient")});
}

// Derivation Image functional group of a frame drawn on `source` (PS3.3 C.7.6.16.2.6).
gdcm::DataSet derivationItem(const SegSpec::Source& source) {
    gdcm::DataSet image;
    put(image, gdcm::Tag(0x0008, 0x1150), source.sopClass);
    put(image, gdcm::Tag(0x0008, 0x1155), source.sopInstance);
    if (source.frame > 0)
        put(image, gdcm::Tag(0x0008, 0x1160), std::to_string(source.frame));
    putSequence(image, gdcm::Tag(0x0040, 0xa170),
                {codeItem({"121322", "DCM", "Source image for image processing operation"})});
    gdcm::DataSet derivation;
    putSequence(derivation, gdcm::Tag(0x0008, 0x2112), {image});
    putSequence(derivation, gdcm::Tag(0x0008, 0x9215), {codeItem({"113076", "DCM", "Segmentation"})});
    return derivation;
}

// Common Instance Reference module: the series the segmentation is of, and its images.
void putReferencedSeries(gdcm::DataSet& ds, const SegSpec& spec) {
    std::vector<gdcm::DataSet> instances;
    std::set<std::string> seen; // a multi-frame image is one instance
    for (const SegSpec::Source& s : spec.sources)
        if (seen.insert(s.sopInstance).second) {
            gdcm::DataSet item;
            put(item, gdcm::Tag(0x0008, 0x1150), s.sopClass);
            put(item, gdcm::Tag(0x0008, 0x1155), s.sopInstance);
            instances.push_back(item);
        }
    gdcm::DataSet series = one(gdcm::Tag(0x0020, 0x000e), spec.referencedSeriesUID);
    if (!instances.empty())
        putSequence(series, gdcm::Tag(0x0008, 0x114a), instances);
    putSequence(ds, gdcm::Tag(0x0008, 0x1115), {series});
}

// Pixel Data: BINARY frames follow each other bit by bit, the first pixel in the lowest bit (PS3.5 8.1.1);
// FRACTIONAL ones a byte per pixel.
std::string segPixelData(const SegSpec& spec) {
    const std::size_t framePixels = std::size_t(spec.rows) * std::size_t(spec.columns);
    std::string pixels;
    std::vector<std::uint8_t> scratch(framePixels);
    auto pixelsOf = [&](const SegSpec::Frame& f) -> const std::uint8_t* {
        if (f.pixels.empty() && f.fill) {
            f.fill(scratch.data());
            return scratch.data();
        }
        if (f.pixels.size() != framePixels)
            throw DataError("writeSegmentation: a frame of " + std::to_string(f.pixels.size()) +
                            " pixels, not rows x columns (" + std::to_string(framePixels) + ")");
        return f.pixels.data();
    };
    if (spec.fractional) {
        for (const SegSpec::Frame& f : spec.frames) {
            const std::uint8_t* p = pixelsOf(f);
            pixels.append(p, p + framePixels);
        }
    } else {
        pixels.assign((framePixels * spec.frames.size() + 7) / 8, '\0');
        std::size_t n = 0;
        for (const SegSpec::Frame& f : spec.frames) {
            const std::uint8_t* p = pixelsOf(f);
            for (std::size_t i = 0; i < framePixels; ++i, ++n)
                if (p[i])
                    pixels[n >> 3] = char(std::uint8_t(pixels[n >> 3]) | (1u << (n & 7)));
        }
    }
    if (pixels.size() % 2)
        pixels.push_back('\0');
    return pixels;
}

} // namespace

void writeSegmentation(const SegSpec& spec, const std::filesystem::path& path, const std::string& shownAs) {
    gdcm::Writer writer;
    gdcm::DataSet& ds = writer.GetFile().GetDataSet();
    const std::string studyUID =
        spec.studyUID.empty() ? makeUid("seg study " + path.string()) : spec.studyUID;
    const std::string seriesUID =
        spec.seriesUID.empty() ? makeUid("seg series " + path.string()) : spec.seriesUID;
    put(ds, gdcm::Tag(0x0008, 0x0005), "ISO_IR 192"); // UTF-8: segment names as the user typed them
    put(ds, gdcm::Tag(0x0008, 0x0016), kSegmentationStorage);
    put(ds, gdcm::Tag(0x0008, 0x0018), spec.sopInstanceUID.empty() ? seriesUID + ".1" : spec.sopInstanceUID);
    putSegPatientStudySeries(ds, spec, studyUID, seriesUID);
    if (!spec.referencedSeriesUID.empty())
        putReferencedSeries(ds, spec);

    // General Image, Segmentation Image and its Content Identification.
    const std::string now = localTimeText("%Y%m%d%H%M%S"); // DICOM's DA and TM, of one instant
    const std::string date = now.substr(0, 8), time = now.substr(8);
    put(ds, gdcm::Tag(0x0020, 0x0013), "1");
    put(ds, gdcm::Tag(0x0008, 0x0023), date);
    put(ds, gdcm::Tag(0x0008, 0x0033), time);
    put(ds, gdcm::Tag(0x0008, 0x0008), "DERIVED\\PRIMARY");
    put(ds, gdcm::Tag(0x0070, 0x0080), spec.contentLabel);
    put(ds, gdcm::Tag(0x0070, 0x0081), "");
    put(ds, gdcm::Tag(0x0070, 0x0084), spec.creator);
    put(ds, gdcm::Tag(0x0028, 0x2110), "00"); // LossyImageCompression: none
    put(ds, gdcm::Tag(0x0062, 0x0001), spec.fractional ? "FRACTIONAL" : "BINARY");
    if (spec.fractional) {
        put(ds, gdcm::Tag(0x0062, 0x0010), "PROBABILITY");
        putUS(ds, gdcm::Tag(0x0062, 0x000e), {spec.maxFractional});
    }
    putUS(ds, gdcm::Tag(0x0028, 0x0002), {1});
    put(ds, gdcm::Tag(0x0028, 0x0004), "MONOCHROME2");
    putUS(ds, gdcm::Tag(0x0028, 0x0010), {spec.rows});
    putUS(ds, gdcm::Tag(0x0028, 0x0011), {spec.columns});
    const int bits = spec.fractional ? 8 : 1;
    putUS(ds, gdcm::Tag(0x0028, 0x0100), {bits});
    putUS(ds, gdcm::Tag(0x0028, 0x0101), {bits});
    putUS(ds, gdcm::Tag(0x0028, 0x0102), {bits - 1});
    putUS(ds, gdcm::Tag(0x0028, 0x0103), {0});
    put(ds, gdcm::Tag(0x0028, 0x0008), std::to_string(spec.frames.size()));
    putSegmentSequence(ds, spec);
    putDimensions(ds, seriesUID);

    // Functional groups: spacing and orientation shared, each frame's position, segment and source image.
    const std::string orientation = joinedNumbers(spec.orientation.data(), 6);
    gdcm::DataSet shared, measures;
    put(measures, gdcm::Tag(0x0028, 0x0030), joinedNumbers(spec.pixelSpacing.data(), 2));
    put(measures, gdcm::Tag(0x0018, 0x0050), num(spec.sliceThickness));
    putSequence(shared, gdcm::Tag(0x0028, 0x9110), {measures});
    if (!spec.perFrameOrientation)
        putSequence(shared, gdcm::Tag(0x0020, 0x9116), {one(gdcm::Tag(0x0020, 0x0037), orientation)});
    putSequence(ds, gdcm::Tag(0x5200, 0x9229), {shared});
    // Position indices for DimensionIndexValues: 1-based over the distinct positions, in order along the
    // slice normal (row cosine x column cosine).
    const std::array<double, 6>& o = spec.orientation;
    const std::array<double, 3> normal{o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5],
                                       o[0] * o[4] - o[1] * o[3]};
    auto along = [&](const std::array<double, 3>& p) {
        return p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
    };
    std::vector<std::array<double, 3>> positions;
    for (const SegSpec::Frame& f : spec.frames)
        positions.push_back(f.position);
    std::sort(positions.begin(), positions.end(), [&](const auto& a, const auto& b) {
        return along(a) < along(b) || (along(a) == along(b) && a < b);
    });
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    std::map<std::array<double, 3>, int> positionIndex;
    for (std::size_t n = 0; n < positions.size(); ++n)
        positionIndex[positions[n]] = int(n) + 1;
    std::vector<gdcm::DataSet> perFrame;
    for (const SegSpec::Frame& f : spec.frames) {
        gdcm::DataSet group, content;
        putUL(content, gdcm::Tag(0x0020, 0x9157),
              {std::uint32_t(f.segment), std::uint32_t(positionIndex.at(f.position))});
        putSequence(group, gdcm::Tag(0x0020, 0x9111), {content});
        putSequence(group, gdcm::Tag(0x0020, 0x9113),
                    {one(gdcm::Tag(0x0020, 0x0032), joinedNumbers(f.position.data(), 3))});
        if (spec.perFrameOrientation)
            putSequence(group, gdcm::Tag(0x0020, 0x9116), {one(gdcm::Tag(0x0020, 0x0037), orientation)});
        if (f.source >= 0)
            putSequence(group, gdcm::Tag(0x0008, 0x9124),
                        {derivationItem(spec.sources.at(std::size_t(f.source)))});
        gdcm::DataSet id;
        putUS(id, gdcm::Tag(0x0062, 0x000b), {f.segment});
        putSequence(group, gdcm::Tag(0x0062, 0x000a), {id});
        perFrame.push_back(group);
    }
    putSequence(ds, gdcm::Tag(0x5200, 0x9230), perFrame);

    const std::string pixels = segPixelData(spec);
    gdcm::DataElement de(gdcm::Tag(0x7fe0, 0x0010));
    de.SetVR(gdcm::VR::OB);
    de.SetByteValue(pixels.data(), std::uint32_t(pixels.size()));
    ds.Replace(de);
    writer.GetFile().GetHeader().SetDataSetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    // Through a stream of our own: GDCM's SetFileName asserts when the file cannot be opened.
    const std::string name = shownAs.empty() ? path.string() : shownAs;
    std::ofstream out(path, std::ios::binary);
    if (!out)
        throw DataError(name + ": cannot be written (" + std::strerror(errno) + ")");
    writer.SetStream(out);
    if (!writer.Write())
        throw DataError(name + ": GDCM could not write the segmentation");
    out.close();
    if (!out)
        throw DataError(name + ": cannot be written (" + std::strerror(errno) + ")");
}

void writeRtStruct(const RtStructSpec& spec, const std::filesystem::path& path) {
    gdcm::Writer writer;
    gdcm::DataSet& ds = writer.GetFile().GetDataSet();
    const std::string studyUID = spec.studyUID.empty() ? makeUid("rt study " + path.string()) : spec.studyUID;
    const std::string seriesUID = makeUid("rt series " + path.string());
    put(ds, gdcm::Tag(0x0008, 0x0016), kRtStructureSetStorage);
    put(ds, gdcm::Tag(0x0008, 0x0018), seriesUID + ".1");
    put(ds, gdcm::Tag(0x0008, 0x0060), "RTSTRUCT");
    put(ds, gdcm::Tag(0x0020, 0x000d), studyUID);
    put(ds, gdcm::Tag(0x0020, 0x000e), seriesUID);
    put(ds, gdcm::Tag(0x3006, 0x0002), "ctview test");
    // ReferencedFrameOfReferenceSequence > RTReferencedStudySequence > RTReferencedSeriesSequence.
    gdcm::DataSet frame;
    put(frame, gdcm::Tag(0x0020, 0x0052), spec.frameOfReferenceUID);
    if (!spec.referencedSeriesUID.empty()) {
        gdcm::DataSet study;
        put(study, gdcm::Tag(0x0008, 0x1150), "1.2.840.10008.3.1.2.3.1");
        put(study, gdcm::Tag(0x0008, 0x1155), studyUID);
        putSequence(study, gdcm::Tag(0x3006, 0x0014),
                    {one(gdcm::Tag(0x0020, 0x000e), spec.referencedSeriesUID)});
        putSequence(frame, gdcm::Tag(0x3006, 0x0012), {study});
    }
    putSequence(ds, gdcm::Tag(0x3006, 0x0010), {frame});
    std::vector<gdcm::DataSet> rois, contours, observations;
    for (const RtStructSpec::Roi& r : spec.rois) {
        gdcm::DataSet roi;
        put(roi, gdcm::Tag(0x3006, 0x0022), std::to_string(r.number));
        put(roi, gdcm::Tag(0x3006, 0x0024), spec.frameOfReferenceUID);
        put(roi, gdcm::Tag(0x3006, 0x0026), r.name);
        put(roi, gdcm::Tag(0x3006, 0x0036), "MANUAL");
        rois.push_back(roi);
        gdcm::DataSet item;
        put(item, gdcm::Tag(0x3006, 0x002a),
            std::to_string(r.color[0]) + "\\" + std::to_string(r.color[1]) + "\\" +
                std::to_string(r.color[2]));
        std::vector<gdcm::DataSet> list;
        for (const RtStructSpec::Contour& c : r.contours) {
            gdcm::DataSet contour;
            put(contour, gdcm::Tag(0x3006, 0x0042), c.type);
            put(contour, gdcm::Tag(0x3006, 0x0046), std::to_string(c.points.size()));
            std::vector<double> flat;
            for (const auto& p : c.points)
                flat.insert(flat.end(), p.begin(), p.end());
            put(contour, gdcm::Tag(0x3006, 0x0050), joinedNumbers(flat.data(), int(flat.size())));
            list.push_back(contour);
        }
        putSequence(item, gdcm::Tag(0x3006, 0x0040), list);
        put(item, gdcm::Tag(0x3006, 0x0084), std::to_string(r.number));
        contours.push_back(item);
    }
    putSequence(ds, gdcm::Tag(0x3006, 0x0020), rois);
    putSequence(ds, gdcm::Tag(0x3006, 0x0039), contours);
    writer.GetFile().GetHeader().SetDataSetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    writer.SetFileName(path.c_str());
    if (!writer.Write())
        throw DataError(path.string() + ": GDCM could not write the structure set");
}

void writeDicomdir(const std::filesystem::path& folder, const std::vector<std::string>& files) {
    gdcm::DICOMDIRGenerator gen;
    gdcm::Directory::FilenamesType names;
    for (const std::string& f : files)
        names.push_back((folder / f).string());
    gen.SetFilenames(names);
    gen.SetRootDirectory(folder.string());
    gen.SetDescriptor("CTVIEW");
    if (!gen.Generate())
        throw DataError(folder.string() + ": GDCM could not generate a DICOMDIR");
    gdcm::Writer writer;
    writer.SetFile(gen.GetFile());
    const std::filesystem::path out = folder / "DICOMDIR";
    writer.SetFileName(out.c_str());
    if (!writer.Write())
        throw DataError(out.string() + ": GDCM could not write the DICOMDIR");
}

std::string makeUid(const std::string& seed) {
    // FNV-1a over the seed, twice with different offsets: a 128-bit-ish decimal under 2.25 (at most 64
    // chars).
    std::uint64_t h1 = 1469598103934665603ull, h2 = 1099511628211ull * 7919;
    for (unsigned char c : seed) {
        h1 = (h1 ^ c) * 1099511628211ull;
        h2 = (h2 ^ c) * 1099511628211ull + 1;
    }
    return "2.25." + std::to_string(h1) + std::to_string(h2 % 1000000000000ull);
}

std::string freshUid() {
    static std::random_device device;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return makeUid(
        "fresh " + std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()) + " " +
        std::to_string(::getpid()) + " " + std::to_string(device()) + " " + std::to_string(device()));
}

namespace {

// The first item of sequence `tag` in `ds` (a new one when there is none), to be changed and put back.
gdcm::DataSet firstItemOf(const gdcm::DataSet& ds, const gdcm::Tag& tag) {
    if (ds.FindDataElement(tag))
        if (gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement(tag).GetValueAsSQ();
            sq && sq->GetNumberOfItems() > 0)
            return sq->GetItem(1).GetNestedDataSet();
    return {};
}

// An Enhanced CT's per-frame functional groups (5200,9230) as `spec` says, over those GDCM's ImageWriter
// wrote (positions origin + k * step): frame k's own position (PlanePositionSequence), and its temporal
// entries from perSlice(k): TemporalPositionIndex in FrameContentSequence (0020,9111),
// NominalCardiacTriggerDelayTime and NominalPercentageOfCardiacPhase in CardiacSynchronizationSequence
// (0018,9118) — a 4D Enhanced CT, positions repeating once per phase.
void writePerFrameGroups(const std::filesystem::path& path, const SeriesSpec& spec) {
    gdcm::Reader reader;
    reader.SetFileName(path.c_str());
    if (!reader.Read())
        throw DataError(path.string() + ": GDCM could not read back the file it wrote");
    gdcm::DataSet& ds = reader.GetFile().GetDataSet();
    const gdcm::Tag perFrameTag(0x5200, 0x9230), contentTag(0x0020, 0x9111), cardiacTag(0x0018, 0x9118);
    gdcm::SmartPointer<gdcm::SequenceOfItems> old = ds.GetDataElement(perFrameTag).GetValueAsSQ();
    if (!old || old->GetNumberOfItems() != std::size_t(spec.slices))
        throw DataError(path.string() + ": GDCM wrote no per-frame functional group per frame");
    std::vector<gdcm::DataSet> groups;
    for (int k = 0; k < spec.slices; ++k) {
        gdcm::DataSet group = old->GetItem(std::size_t(k) + 1).GetNestedDataSet();
        if (!spec.positions.empty())
            putSequence(
                group, gdcm::Tag(0x0020, 0x9113),
                {one(gdcm::Tag(0x0020, 0x0032), joinedNumbers(spec.positions.at(std::size_t(k)).data(), 3))});
        gdcm::DataSet content = firstItemOf(group, contentTag), cardiac = firstItemOf(group, cardiacTag);
        bool hasCardiac = false;
        for (const auto& [key, value] :
             spec.perSlice ? spec.perSlice(k) : std::map<std::string, std::string>{}) {
            if (key == "TemporalPositionIndex") {
                put(content, gdcm::Tag(0x0020, 0x9128), value);
            } else if (key == "NominalCardiacTriggerDelayTime" || key == "NominalPercentageOfCardiacPhase") {
                put(cardiac, gdcm::Tag(0x0020, key == "NominalCardiacTriggerDelayTime" ? 0x9153 : 0x9241),
                    value);
                hasCardiac = true;
            } else {
                throw DataError("writeSeries: " + key + " is not a per-frame entry of an Enhanced CT");
            }
        }
        putSequence(group, contentTag, {content});
        if (hasCardiac)
            putSequence(group, cardiacTag, {cardiac});
        groups.push_back(group);
    }
    putSequence(ds, perFrameTag, groups);
    gdcm::Writer writer;
    writer.SetFile(reader.GetFile());
    writer.SetFileName(path.c_str());
    if (!writer.Write())
        throw DataError(path.string() + ": GDCM could not write the file");
}

} // namespace

void writeSeries(const SeriesSpec& spec, const std::filesystem::path& folder) {
    gdcm::Trace::SetWarning(false);
    createFolder(folder);
    const std::string studyUID = spec.studyUID.empty() ? makeUid("study " + folder.string()) : spec.studyUID;
    const std::string seriesUID =
        spec.seriesUID.empty() ? makeUid("series " + folder.string()) : spec.seriesUID;
    const std::array<double, 3> row{spec.orientation[0], spec.orientation[1], spec.orientation[2]};
    const std::array<double, 3> col{spec.orientation[3], spec.orientation[4], spec.orientation[5]};
    const std::array<double, 3> normal{row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2],
                                       row[0] * col[1] - row[1] * col[0]};
    const bool isSigned = spec.pixelRepresentation == 1;
    const double lo = isSigned ? -std::ldexp(1.0, spec.bitsStored - 1) : 0.0;
    const double hi =
        isSigned ? std::ldexp(1.0, spec.bitsStored - 1) - 1 : std::ldexp(1.0, spec.bitsStored) - 1;
    const std::size_t count = std::size_t(spec.columns) * std::size_t(spec.rows);

    if (spec.multiFrame) {
        // GDCM's ImageWriter turns a 3D image of a CT into an Enhanced CT object: per-frame positions
        // origin + k * spacing[2] * normal in PlanePositionSequence, orientation and spacing in the shared
        // groups.
        gdcm::ImageWriter writer;
        gdcm::Image& image = writer.GetImage();
        image.SetNumberOfDimensions(3);
        image.SetDimension(0, unsigned(spec.columns));
        image.SetDimension(1, unsigned(spec.rows));
        image.SetDimension(2, unsigned(spec.slices));
        gdcm::PixelFormat pf(gdcm::PixelFormat::UINT16);
        pf.SetBitsStored(std::uint16_t(spec.bitsStored));
        pf.SetHighBit(std::uint16_t(spec.bitsStored - 1));
        pf.SetPixelRepresentation(std::uint16_t(spec.pixelRepresentation));
        image.SetPixelFormat(pf);
        image.SetPhotometricInterpretation(gdcm::PhotometricInterpretation::MONOCHROME2);
        // Native syntaxes only: an Enhanced CT object is written as it is held, without transcoding.
        const gdcm::TransferSyntax ts(tsFor(spec.syntax));
        if (ts.IsEncapsulated())
            throw DataError("writeSeries: a multi-frame series is written in a native transfer syntax only");
        image.SetTransferSyntax(ts);
        std::vector<char> pixels(count * std::size_t(spec.slices) * 2);
        for (int k = 0; k < spec.slices; ++k)
            for (int j = 0; j < spec.rows; ++j)
                for (int i = 0; i < spec.columns; ++i) {
                    const std::uint16_t u =
                        std::uint16_t(std::int64_t(std::clamp(std::round(spec.stored(i, j, k)), lo, hi)));
                    std::memcpy(&pixels[2 * ((std::size_t(k) * std::size_t(spec.rows) + std::size_t(j)) *
                                                 std::size_t(spec.columns) +
                                             std::size_t(i))],
                                &u, 2);
                }
        gdcm::DataElement pixelData(gdcm::Tag(0x7fe0, 0x0010));
        pixelData.SetByteValue(pixels.data(), std::uint32_t(pixels.size()));
        image.SetDataElement(pixelData);
        double origin[3] = {spec.origin[0], spec.origin[1], spec.origin[2]};
        double cosines[6];
        for (int a = 0; a < 6; ++a)
            cosines[a] = spec.orientation[std::size_t(a)];
        image.SetOrigin(origin);
        image.SetDirectionCosines(cosines);
        image.SetSpacing(0, spec.pixelSpacing[1]);
        image.SetSpacing(1, spec.pixelSpacing[0]);
        image.SetSpacing(2, spec.sliceStep);
        image.SetIntercept(spec.intercept(0));
        image.SetSlope(spec.slope(0));
        gdcm::DataSet& ds = writer.GetFile().GetDataSet();
        put(ds, gdcm::Tag(0x0008, 0x0016), "1.2.840.10008.5.1.4.1.1.2.1"); // Enhanced CT Image Storage
        put(ds, gdcm::Tag(0x0008, 0x0018), seriesUID + ".1");
        put(ds, gdcm::Tag(0x0020, 0x000d), studyUID);
        put(ds, gdcm::Tag(0x0020, 0x000e), seriesUID);
        put(ds, gdcm::Tag(0x0008, 0x0060), spec.modality);
        put(ds, gdcm::Tag(0x0020, 0x0011), std::to_string(spec.seriesNumber));
        put(ds, gdcm::Tag(0x0020, 0x0013), "1");
        for (const auto& [key, value] : spec.strings) {
            auto it = keywordTags().find(key);
            if (it == keywordTags().end())
                throw DataError("writeSeries: unknown keyword " + key);
            put(ds, it->second, value);
        }
        const std::filesystem::path path = folder / spec.fileName(0);
        writer.SetFileName(path.c_str());
        if (!writer.Write())
            throw DataError(path.string() + ": GDCM could not write the file");
        if (!spec.positions.empty() || spec.perSlice)
            writePerFrameGroups(path, spec);
        return;
    }

    for (int k = 0; k < spec.slices; ++k) {
        std::array<double, 3> pos;
        if (!spec.positions.empty())
            pos = spec.positions[std::size_t(k)];
        else
            for (int a = 0; a < 3; ++a)
                pos[std::size_t(a)] =
                    spec.origin[std::size_t(a)] + k * spec.sliceStep * normal[std::size_t(a)];

        // The pixels go through a gdcm::Image only to be encoded in the requested transfer syntax; the data
        // set itself is written by gdcm::Writer as we build it, so that every tag is exactly what the spec
        // says (GDCM's ImageWriter would rewrite geometry from the Image and drop the z of a 2D image's
        // origin). Heap-allocated and reference-counted: GDCM filters keep a SmartPointer to their input and
        // delete it.
        gdcm::SmartPointer<gdcm::Image> imagePtr = new gdcm::Image;
        gdcm::Image& image = *imagePtr;
        image.SetNumberOfDimensions(2);
        image.SetDimension(0, unsigned(spec.columns));
        image.SetDimension(1, unsigned(spec.rows));
        gdcm::PixelFormat pf(spec.bitsAllocated == 32 ? gdcm::PixelFormat::UINT32
                                                      : gdcm::PixelFormat::UINT16);
        pf.SetBitsAllocated(std::uint16_t(spec.bitsAllocated));
        pf.SetBitsStored(std::uint16_t(spec.bitsStored));
        pf.SetHighBit(std::uint16_t(spec.bitsStored - 1));
        pf.SetPixelRepresentation(std::uint16_t(spec.pixelRepresentation));
        image.SetPixelFormat(pf);
        image.SetPhotometricInterpretation(
            gdcm::PhotometricInterpretation::GetPIType(spec.photometric.c_str()));
        image.SetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);

        std::vector<char> pixels(count * std::size_t(spec.bitsAllocated / 8));
        for (int j = 0; j < spec.rows; ++j)
            for (int i = 0; i < spec.columns; ++i) {
                const double raw = std::round(spec.stored(i, j, k));
                const double v = spec.clampToBitsStored ? std::clamp(raw, lo, hi) : raw;
                const std::size_t n = std::size_t(j) * std::size_t(spec.columns) + std::size_t(i);
                if (spec.bitsAllocated == 8) {
                    pixels[n] = char(std::uint8_t(std::int64_t(v)));
                } else if (spec.bitsAllocated == 32) {
                    std::uint32_t u = std::uint32_t(std::int64_t(v));
                    // gdcm::Writer swaps the bytes of each 16-bit word for big endian; with the halves
                    // exchanged first, the file holds the whole long big endian.
                    if (spec.bigEndianLongs && spec.syntax == WriteSyntax::ExplicitBE)
                        u = (u << 16) | (u >> 16);
                    std::memcpy(&pixels[4 * n], &u, 4);
                } else {
                    const std::uint16_t u = std::uint16_t(std::int64_t(v));
                    std::memcpy(&pixels[2 * n], &u, 2);
                }
            }
        gdcm::DataElement pixelData(gdcm::Tag(0x7fe0, 0x0010));
        pixelData.SetVR(spec.bitsAllocated == 8 ? gdcm::VR::OB : gdcm::VR::OW);
        pixelData.SetByteValue(pixels.data(), std::uint32_t(pixels.size()));
        image.SetDataElement(pixelData);

        const gdcm::TransferSyntax ts(tsFor(spec.syntax));
        const bool encapsulated = ts.IsEncapsulated();
        gdcm::ImageChangeTransferSyntax change;
        if (encapsulated) {
            change.SetTransferSyntax(ts);
            change.SetInput(image);
            if (!change.Change())
                throw DataError("GDCM cannot encode the pixels in the requested transfer syntax");
        }

        gdcm::Writer writer;
        gdcm::DataSet& ds = writer.GetFile().GetDataSet();
        auto us = [&](const gdcm::Tag& t, int v) {
            gdcm::DataElement de(t);
            de.SetVR(gdcm::VR::US);
            const std::uint16_t u = std::uint16_t(v);
            de.SetByteValue(reinterpret_cast<const char*>(&u), 2);
            ds.Replace(de);
        };
        us(gdcm::Tag(0x0028, 0x0002), 1);
        put(ds, gdcm::Tag(0x0028, 0x0004), spec.photometric);
        us(gdcm::Tag(0x0028, 0x0010), spec.rows);
        us(gdcm::Tag(0x0028, 0x0011), spec.columns);
        us(gdcm::Tag(0x0028, 0x0100), spec.bitsAllocated);
        us(gdcm::Tag(0x0028, 0x0101), spec.bitsStored);
        us(gdcm::Tag(0x0028, 0x0102), spec.bitsStored - 1);
        us(gdcm::Tag(0x0028, 0x0103), spec.pixelRepresentation);
        ds.Replace(encapsulated ? change.GetOutput().GetDataElement() : pixelData);
        put(ds, gdcm::Tag(0x0008, 0x0016), spec.sopClassUID);
        put(ds, gdcm::Tag(0x0008, 0x0018), seriesUID + "." + std::to_string(k + 1));
        put(ds, gdcm::Tag(0x0020, 0x000d), studyUID);
        put(ds, gdcm::Tag(0x0020, 0x000e), seriesUID);
        put(ds, gdcm::Tag(0x0008, 0x0060), spec.modality);
        put(ds, gdcm::Tag(0x0020, 0x0011), std::to_string(spec.seriesNumber));
        put(ds, gdcm::Tag(0x0020, 0x0013), std::to_string(spec.instanceNumber(k)));
        if (spec.writePositions)
            put(ds, gdcm::Tag(0x0020, 0x0032), num(pos[0]) + "\\" + num(pos[1]) + "\\" + num(pos[2]));
        std::string o;
        for (int a = 0; a < 6; ++a)
            o += (a ? "\\" : "") + num(spec.orientation[std::size_t(a)]);
        put(ds, gdcm::Tag(0x0020, 0x0037), o);
        put(ds, gdcm::Tag(0x0028, 0x0030), num(spec.pixelSpacing[0]) + "\\" + num(spec.pixelSpacing[1]));
        put(ds, gdcm::Tag(0x0018, 0x0050), num(spec.sliceThickness));
        put(ds, gdcm::Tag(0x0028, 0x1052), num(spec.intercept(k)));
        put(ds, gdcm::Tag(0x0028, 0x1053), num(spec.slope(k)));
        put(ds, gdcm::Tag(0x0028, 0x1054), "HU");
        // PixelPaddingValue (0028,0120) and PixelPaddingRangeLimit (0028,0121): US or SS like the pixels.
        for (const auto& [tag, value] : {std::pair{gdcm::Tag(0x0028, 0x0120), spec.paddingValue},
                                         std::pair{gdcm::Tag(0x0028, 0x0121), spec.paddingRangeLimit}}) {
            if (!value)
                continue;
            gdcm::DataElement pad(tag);
            pad.SetVR(isSigned ? gdcm::VR::SS : gdcm::VR::US);
            const std::uint16_t u = std::uint16_t(*value);
            pad.SetByteValue(reinterpret_cast<const char*>(&u), 2);
            ds.Replace(pad);
        }
        std::map<std::string, std::string> strings = spec.strings;
        if (spec.perSlice)
            for (const auto& [key, value] : spec.perSlice(k))
                strings[key] = value;
        for (const auto& [key, value] : strings) {
            auto it = keywordTags().find(key);
            if (it == keywordTags().end())
                throw DataError("writeSeries: unknown keyword " + key);
            put(ds, it->second, value);
        }
        writer.GetFile().GetHeader().SetDataSetTransferSyntax(ts);

        const std::filesystem::path path = folder / spec.fileName(k);
        createFolder(path.parent_path());
        writer.SetFileName(path.c_str());
        if (!writer.Write())
            throw DataError(path.string() + ": GDCM could not write the file");
        if (spec.progress)
            spec.progress(k + 1, spec.slices);
    }
}

} // namespace ctview
