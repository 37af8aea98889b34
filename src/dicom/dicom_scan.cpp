#include "dicom/dicom_scan.h"

#include "base/text.h"
#include "dicom/dataset_values.h"

#include "base/error.h"

#include <gdcmAttribute.h>
#include <gdcmDataSet.h>
#include <gdcmFileMetaInformation.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmTrace.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

namespace ctview {

namespace {
using namespace dicomvalues;

const gdcm::Tag kPixelData(0x7fe0, 0x0010);

// Read the plane geometry and rescale of one frame from a data set (the top level, or a functional-group
// item).
void readPlane(const gdcm::DataSet& ds, FrameHeader& f) {
    if (auto p = numbers(ds, gdcm::Tag(0x0020, 0x0032)); p.size() == 3) {
        f.position = {p[0], p[1], p[2]};
        f.hasPosition = true;
    }
    if (auto o = numbers(ds, gdcm::Tag(0x0020, 0x0037)); o.size() == 6) {
        for (int i = 0; i < 6; ++i)
            f.orientation[std::size_t(i)] = o[std::size_t(i)];
        f.hasOrientation = true;
    }
    if (auto s = numbers(ds, gdcm::Tag(0x0028, 0x0030)); s.size() == 2 && s[0] > 0 && s[1] > 0) {
        f.pixelSpacing = {s[0], s[1]};
        f.hasPixelSpacing = true;
    }
    if (auto t = number(ds, gdcm::Tag(0x0018, 0x0050)))
        f.sliceThickness = *t;
    if (auto s = number(ds, gdcm::Tag(0x0028, 0x1053)); s && *s != 0)
        f.slope = *s;
    if (auto i = number(ds, gdcm::Tag(0x0028, 0x1052)))
        f.intercept = *i;
}

// A DICOM time (TM, HHMMSS.FFFFFF; HH, HHMM, and the old HH:MM:SS too) in seconds since midnight.
std::optional<double> secondsOfDay(std::string t) {
    t.erase(std::remove(t.begin(), t.end(), ':'), t.end());
    while (!t.empty() && t.back() == ' ')
        t.pop_back();
    const std::size_t digits = std::min<std::size_t>(t.size(), 4);
    if (t.size() < 2 || t.size() == 3 ||
        !std::all_of(t.begin(), t.begin() + long(digits), [](unsigned char c) { return std::isdigit(c); }))
        return std::nullopt;
    const double h = std::stod(t.substr(0, 2));
    const double m = t.size() >= 4 ? std::stod(t.substr(2, 2)) : 0;
    double sec = 0;
    if (t.size() > 4) {
        // SS[.FFFFFF] only: digits, one point (strtod alone would take "nan", "inf" or an exponent).
        const std::string rest = t.substr(4);
        if (rest.find_first_not_of("0123456789.") != std::string::npos ||
            std::count(rest.begin(), rest.end(), '.') > 1 ||
            !std::isdigit(static_cast<unsigned char>(rest[0])))
            return std::nullopt;
        sec = std::strtod(rest.c_str(), nullptr);
    }
    if (h >= 24 || m >= 60 || sec >= 61) // 60: a leap second
        return std::nullopt;
    return h * 3600 + m * 60 + sec;
}

// The temporal values of kTemporalKeys this data set holds (the top level, or a functional group's item).
void readTemporal(const gdcm::DataSet& ds, FrameHeader& f) {
    for (std::size_t n = 0; n < kTemporalKeys.size(); ++n) {
        const TemporalKey& k = kTemporalKeys[n];
        const gdcm::Tag tag(k.group, k.element);
        std::optional<double> v;
        if (std::string(k.unit) == "s") {
            if (const std::string text = str(ds, tag); !text.empty())
                v = secondsOfDay(text);
        } else {
            v = numeric(ds, tag); // NominalPercentageOfCardiacPhase is FL
        }
        if (v) {
            f.time[n] = *v;
            f.timeKnown |= 1u << n;
        }
    }
}

// Enhanced CT's temporal entries: FrameContentSequence (0020,9111)'s TemporalPositionIndex (0020,9128) as
// the temporal position, CardiacSynchronizationSequence (0018,9118)'s NominalCardiacTriggerDelayTime
// (0020,9153) as the trigger time and its NominalPercentageOfCardiacPhase.
void readFrameTime(const gdcm::DataSet& group, FrameHeader& f) {
    if (const gdcm::DataSet* content = firstItem(group, gdcm::Tag(0x0020, 0x9111)))
        if (auto v = numeric(*content, gdcm::Tag(0x0020, 0x9128))) { // UL
            f.time[0] = *v;
            f.timeKnown |= 1u;
        }
    if (const gdcm::DataSet* cardiac = firstItem(group, gdcm::Tag(0x0018, 0x9118))) {
        if (auto v = numeric(*cardiac, gdcm::Tag(0x0020, 0x9153))) { // FD
            f.time[1] = *v;
            f.timeKnown |= 2u;
        }
        if (auto v = numeric(*cardiac, gdcm::Tag(0x0020, 0x9241))) { // FL
            f.time[2] = *v;
            f.timeKnown |= 4u;
        }
    }
}

// Enhanced (multi-frame) objects keep geometry in functional groups: Shared (5200,9229) for all frames, and
// Per-frame (5200,9230), one item per frame. Each holds macros as sequences: PlanePositionSequence
// (0020,9113), PlaneOrientationSequence (0020,9116), PixelMeasuresSequence (0028,9110),
// PixelValueTransformationSequence (0028,9145). Per-frame values override shared ones.
void readFunctionalGroup(const gdcm::DataSet& group, FrameHeader& f) {
    for (const gdcm::Tag& macro : {gdcm::Tag(0x0020, 0x9113), gdcm::Tag(0x0020, 0x9116),
                                   gdcm::Tag(0x0028, 0x9110), gdcm::Tag(0x0028, 0x9145)})
        if (const gdcm::DataSet* item = firstItem(group, macro))
            readPlane(*item, f);
    readFrameTime(group, f);
}

std::string classifyNonImage(const std::string& sop, const std::string& modality) {
    auto starts = [&](const char* prefix) { return sop.rfind(prefix, 0) == 0; };
    if (sop == "1.2.840.10008.1.3.10")
        return "DICOMDIR";
    if (starts("1.2.840.10008.5.1.4.1.1.88.") || modality == "SR")
        return "structured report";
    if (sop == "1.2.840.10008.5.1.4.1.1.481.3" || modality == "RTSTRUCT")
        return "RT structure set";
    if (sop == "1.2.840.10008.5.1.4.1.1.481.5" || modality == "RTPLAN")
        return "RT plan";
    if (sop == "1.2.840.10008.5.1.4.1.1.104.1")
        return "encapsulated PDF";
    if (starts("1.2.840.10008.5.1.4.1.1.11."))
        return "presentation state";
    if (sop == "1.2.840.10008.5.1.4.1.1.66.4" || modality == "SEG")
        return "segmentation";
    if (sop == "1.2.840.10008.5.1.4.1.1.66")
        return "raw data";
    if (starts("1.2.840.10008.5.1.4.1.1.9."))
        return "waveform";
    if (modality == "KO")
        return "key object selection";
    return {};
}

struct MetaField {
    const char* key;
    std::uint16_t group, element;
};
// Descriptive fields shown by `ctview info` (kept as text exactly as stored, trimmed).
const MetaField kMetaFields[] = {
    {"PatientName", 0x0010, 0x0010},
    {"PatientID", 0x0010, 0x0020},
    {"PatientSex", 0x0010, 0x0040},
    {"PatientAge", 0x0010, 0x1010},
    {"PatientBirthDate", 0x0010, 0x0030},
    {"StudyDate", 0x0008, 0x0020},
    {"StudyTime", 0x0008, 0x0030},
    {"StudyDescription", 0x0008, 0x1030},
    {"StudyID", 0x0020, 0x0010},
    {"AccessionNumber", 0x0008, 0x0050},
    {"ReferringPhysicianName", 0x0008, 0x0090},
    {"SeriesDate", 0x0008, 0x0021},
    {"SeriesTime", 0x0008, 0x0031},
    {"SeriesDescription", 0x0008, 0x103e},
    {"Manufacturer", 0x0008, 0x0070},
    {"ManufacturerModelName", 0x0008, 0x1090},
    {"BodyPartExamined", 0x0018, 0x0015},
    {"KVP", 0x0018, 0x0060},
    {"Exposure", 0x0018, 0x1152},
    {"XRayTubeCurrent", 0x0018, 0x1151},
    {"ExposureTime", 0x0018, 0x1150},
    {"ConvolutionKernel", 0x0018, 0x1210},
    {"WindowCenter", 0x0028, 0x1050},
    {"WindowWidth", 0x0028, 0x1051},
    {"WindowCenterWidthExplanation", 0x0028, 0x1055},
    {"ImageType", 0x0008, 0x0008},
    {"InstitutionName", 0x0008, 0x0080},
    {"FrameOfReferenceUID", 0x0020, 0x0052},  // ties a segmentation to the CT it was drawn on
    {"SpecificCharacterSet", 0x0008, 0x0005}, // how the texts above are encoded (a SEG written from the CT)
};

} // namespace

namespace {

// Most headers fit in 4 KiB: `find` looks at the file's first 4 KiB, then, only when it found nothing there,
// at up to 1 MiB of it. Returns whether it found what it looks for.
bool searchHead(const std::filesystem::path& path, std::uint64_t fileSize,
                const std::function<bool(const std::vector<char>&)>& find) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> head;
    for (std::uint64_t want : {std::uint64_t(4096), std::uint64_t(1) << 20}) {
        const std::size_t size = std::size_t(std::min<std::uint64_t>(fileSize, want));
        if (size <= head.size())
            break;
        const std::size_t old = head.size();
        head.resize(size);
        in.read(head.data() + old, std::streamsize(size - old));
        head.resize(old + std::size_t(in.gcount()));
        if (find(head))
            return true;
    }
    return false;
}

} // namespace

PixelDataLocation locatePixelData(const std::filesystem::path& path, const std::string& ts,
                                  std::uint64_t expected, std::uint64_t fileSize) {
    // The tag, then for explicit VR "OW"/"OB", two reserved bytes and a 32-bit length; for implicit VR the
    // length directly. The length must be exactly what the header promises (rounded up to even), which rules
    // out an icon's nested Pixel Data (0088,0200) and tag-like bytes inside other values.
    PixelDataLocation loc;
    const bool implicit = ts == syntax::kImplicitLE, bigEndian = ts == syntax::kExplicitBE;
    if ((!implicit && !bigEndian && ts != syntax::kExplicitLE) || expected == 0)
        return loc;
    const std::uint64_t even = expected + (expected % 2);
    searchHead(path, fileSize, [&](const std::vector<char>& head) {
        const std::size_t got = head.size();
        const char* tag = bigEndian ? "\x7f\xe0\x00\x10" : "\xe0\x7f\x10\x00";
        for (std::size_t p = 0; p + 12 <= got; ++p) {
            if (std::memcmp(&head[p], tag, 4) != 0)
                continue;
            std::size_t lenAt = p + 4;
            if (!implicit) {
                if (!(head[p + 4] == 'O' && (head[p + 5] == 'W' || head[p + 5] == 'B')) || head[p + 6] ||
                    head[p + 7])
                    continue;
                lenAt = p + 8;
            }
            unsigned char b[4];
            std::memcpy(b, &head[lenAt], 4);
            const std::uint32_t len = bigEndian ? (std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 |
                                                   std::uint32_t(b[2]) << 8 | b[3])
                                                : (std::uint32_t(b[3]) << 24 | std::uint32_t(b[2]) << 16 |
                                                   std::uint32_t(b[1]) << 8 | b[0]);
            if (len != expected && len != even)
                continue;
            loc.found = true;
            loc.offset = lenAt + 4;
            loc.length = len;
            loc.missing = loc.offset + expected > fileSize ? loc.offset + expected - fileSize : 0;
            return true;
        }
        return false;
    });
    return loc;
}

std::uint64_t locateEncapsulatedPixelData(const std::filesystem::path& path, std::uint64_t fileSize) {
    // (7FE0,0010) OB, two reserved bytes, length FFFFFFFF, then an item tag (FFFE,E000). gdcmconv 2.8 wrote
    // the VR as OW (pydicom's rtdose_rle_1frame.dcm), so either is taken. A wrong hit (an icon's pixel data)
    // is caught by the decoder, whose fragments and segments must then come out at the image's exact size.
    static const char pattern[] = "\xe0\x7f\x10\x00OB\x00\x00\xff\xff\xff\xff\xfe\xff\x00\xe0";
    constexpr std::size_t n = sizeof pattern - 1;
    std::uint64_t found = 0;
    searchHead(path, fileSize, [&](const std::vector<char>& head) {
        const char* end = head.data() + head.size();
        for (const char* p = head.data(); p + n <= end; ++p) {
            p = static_cast<const char*>(::memmem(p, std::size_t(end - p), pattern, 5)); // the tag, 'O'
            if (!p || p + n > end)
                break;
            const bool ob = std::memcmp(p, pattern, n) == 0;
            const bool ow = p[5] == 'W' && std::memcmp(p + 6, pattern + 6, n - 6) == 0;
            if (ob || ow)
                found = std::uint64_t(p - head.data()) + 12; // the last one: an icon's comes earlier
        }
        return found != 0;
    });
    return found;
}

bool sniffDicom(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    unsigned char buf[132] = {};
    in.read(reinterpret_cast<char*>(buf), sizeof buf);
    const std::streamsize got = in.gcount();
    if (got == 132 && std::memcmp(buf + 128, "DICM", 4) == 0)
        return true;
    if (got < 8)
        return false;
    // No preamble: a data set that starts with a little-endian group 0002 or 0008 tag (as old ACR-NEMA-style
    // exports do), element number small and even.
    const unsigned group = unsigned(buf[0]) | unsigned(buf[1]) << 8;
    const unsigned element = unsigned(buf[2]) | unsigned(buf[3]) << 8;
    return (group == 0x0002 || group == 0x0008) && element < 0x0200 && element % 2 == 0;
}

bool metaNamesSopClass(const std::filesystem::path& path, const std::string& sopClassUid) {
    std::ifstream in(path, std::ios::binary);
    char head[1024] = {};
    in.read(head, sizeof head);
    const std::streamsize got = in.gcount();
    if (got < 132 || std::memcmp(head + 128, "DICM", 4) != 0)
        return false;
    return std::string(head, std::size_t(got)).find(sopClassUid) != std::string::npos;
}

FileHeader scanFile(const std::filesystem::path& path) {
    gdcm::Trace::SetWarning(false);
    gdcm::Trace::SetError(false);
    gdcm::Trace::SetDebug(false);

    FileHeader h;
    std::error_code ec;
    h.fileSize = std::filesystem::file_size(path, ec);
    if (!sniffDicom(path)) {
        h.kind = FileKind::NotDicom;
        h.reason = "not DICOM";
        return h;
    }
    gdcm::Reader reader;
    reader.SetFileName(path.c_str());
    // Headers only: stop at PixelData (7FE0,0010) without reading its value, so that scanning never reads or
    // decodes pixels. Without the skip set GDCM reads the value too (the tag is inclusive): an Enhanced CT's
    // whole volume a second time, or whatever length a damaged header claims.
    if (!reader.ReadUpToTag(kPixelData, {kPixelData})) {
        h.kind = FileKind::Unreadable;
        h.reason = "not a readable DICOM file";
        return h;
    }
    const gdcm::File& file = reader.GetFile();
    const gdcm::DataSet& ds = file.GetDataSet();
    const gdcm::FileMetaInformation& fmi = file.GetHeader();

    h.transferSyntax = str(fmi, gdcm::Tag(0x0002, 0x0010));
    if (h.transferSyntax.empty())
        h.transferSyntax = syntax::kImplicitLE; // no meta header: implicit VR LE
    h.sopClassUID = str(ds, gdcm::Tag(0x0008, 0x0016));
    if (h.sopClassUID.empty())
        h.sopClassUID = str(fmi, gdcm::Tag(0x0002, 0x0002));
    h.sopInstanceUID = str(ds, gdcm::Tag(0x0008, 0x0018));
    h.studyUID = str(ds, gdcm::Tag(0x0020, 0x000d));
    h.seriesUID = str(ds, gdcm::Tag(0x0020, 0x000e));
    h.modality = str(ds, gdcm::Tag(0x0008, 0x0060));
    if (auto v = number(ds, gdcm::Tag(0x0020, 0x0011)))
        h.seriesNumber = int(*v);
    if (auto v = number(ds, gdcm::Tag(0x0020, 0x0013))) {
        h.instanceNumber = int(*v);
        h.hasInstanceNumber = true;
    }
    if (auto v = number(ds, gdcm::Tag(0x0020, 0x0012)))
        h.acquisitionNumber = int(*v);
    // Texts in UTF-8 whatever the file's character set (Latin-1 names of European archives): what every
    // view shows, the scan cache keeps (JSON), and a SEG written from the series declares.
    const std::string charset = str(ds, gdcm::Tag(0x0008, 0x0005));
    for (const MetaField& m : kMetaFields) {
        std::string v = str(ds, gdcm::Tag(m.group, m.element));
        if (!v.empty())
            h.meta[m.key] = textAsUtf8(v, charset);
    }

    if (std::string what = classifyNonImage(h.sopClassUID, h.modality); !what.empty()) {
        h.kind = FileKind::NonImage;
        h.reason = what;
        if (what == "DICOMDIR") {
            // DirectoryRecordSequence (0004,1220): each record may name a file by ReferencedFileID
            // (0004,1500), path components separated by backslashes, relative to the DICOMDIR's folder.
            if (ds.FindDataElement(gdcm::Tag(0x0004, 0x1220))) {
                gdcm::SmartPointer<gdcm::SequenceOfItems> sq =
                    ds.GetDataElement(gdcm::Tag(0x0004, 0x1220)).GetValueAsSQ();
                for (std::size_t i = 1; sq && i <= sq->GetNumberOfItems(); ++i) {
                    std::string id = str(sq->GetItem(i).GetNestedDataSet(), gdcm::Tag(0x0004, 0x1500));
                    if (id.empty())
                        continue;
                    std::filesystem::path p = path.parent_path();
                    std::stringstream ss(id);
                    std::string part;
                    while (std::getline(ss, part, '\\'))
                        if (!part.empty() && part != "..")
                            p /= part;
                    h.referencedFiles.push_back(p.string());
                }
            }
        }
        return h;
    }

    const auto rows = ushort(ds, gdcm::Tag(0x0028, 0x0010));
    const auto cols = ushort(ds, gdcm::Tag(0x0028, 0x0011));
    if (!rows || !cols || *rows == 0 || *cols == 0) {
        h.kind = FileKind::NonImage;
        h.reason = "no image";
        return h;
    }
    h.kind = FileKind::Image;
    h.rows = *rows;
    h.columns = *cols;
    h.samplesPerPixel = ushort(ds, gdcm::Tag(0x0028, 0x0002)).value_or(1);
    h.bitsAllocated = ushort(ds, gdcm::Tag(0x0028, 0x0100)).value_or(16);
    h.bitsStored = ushort(ds, gdcm::Tag(0x0028, 0x0101)).value_or(h.bitsAllocated);
    h.highBit = ushort(ds, gdcm::Tag(0x0028, 0x0102)).value_or(h.bitsStored - 1);
    h.pixelRepresentation = ushort(ds, gdcm::Tag(0x0028, 0x0103)).value_or(0);
    if (std::string pi = str(ds, gdcm::Tag(0x0028, 0x0004)); !pi.empty())
        h.photometric = pi;
    if (auto nf = number(ds, gdcm::Tag(0x0028, 0x0008)); nf && *nf >= 1)
        h.frames = int(*nf);
    if (auto t = number(ds, gdcm::Tag(0x0018, 0x1120)))
        h.gantryTilt = *t;

    // PixelPaddingValue (0028,0120) and its range limit (0028,0121) are US or SS like the pixels.
    auto padding = [&](const gdcm::Tag& t) -> std::optional<double> {
        auto v = ushort(ds, t);
        if (!v)
            return std::nullopt;
        if (h.pixelRepresentation == 1)
            return double(std::int16_t(std::uint16_t(*v)));
        return double(*v);
    };
    h.paddingValue = padding(gdcm::Tag(0x0028, 0x0120));
    h.paddingRangeLimit = padding(gdcm::Tag(0x0028, 0x0121));

    FrameHeader base;
    readPlane(ds, base);
    readTemporal(ds, base);
    const gdcm::DataSet* shared = firstItem(ds, gdcm::Tag(0x5200, 0x9229));
    if (shared)
        readFunctionalGroup(*shared, base);
    gdcm::SmartPointer<gdcm::SequenceOfItems> perFrame;
    if (ds.FindDataElement(gdcm::Tag(0x5200, 0x9230)))
        perFrame = ds.GetDataElement(gdcm::Tag(0x5200, 0x9230)).GetValueAsSQ();
    const bool perFrameOk = perFrame && perFrame->GetNumberOfItems() == std::size_t(h.frames);
    for (int f = 0; f < h.frames; ++f) {
        FrameHeader fr = base;
        fr.frame = f;
        if (perFrameOk)
            readFunctionalGroup(perFrame->GetItem(std::size_t(f) + 1).GetNestedDataSet(), fr);
        else if (f > 0)
            fr.hasPosition = false; // a multi-frame file without per-frame positions
        h.frameHeaders.push_back(fr);
    }
    // Native 8/16/32-bit pixels (either byte order) that are all there: the loader reads them itself
    // (decodeNative), without GDCM.
    if (h.bitsAllocated == 8 || h.bitsAllocated == 16 || h.bitsAllocated == 32) {
        const std::uint64_t expected = std::uint64_t(h.rows) * std::uint64_t(h.columns) *
                                       std::uint64_t(h.frames) * std::uint64_t(h.bitsAllocated / 8);
        const PixelDataLocation loc = locatePixelData(path, h.transferSyntax, expected, h.fileSize);
        if (loc.found && loc.missing == 0) {
            h.pixelOffset = loc.offset;
            h.pixelLength = loc.length;
        }
    }
    if (h.transferSyntax == syntax::kRle)
        h.rleOffset = locateEncapsulatedPixelData(path, h.fileSize);
    return h;
}

// ---- serialisation ----------------------------------------------------------------------------------------

NLOHMANN_JSON_SERIALIZE_ENUM(FileKind, {{FileKind::Image, "image"},
                                        {FileKind::NonImage, "nonimage"},
                                        {FileKind::NotDicom, "notdicom"},
                                        {FileKind::Unreadable, "unreadable"}})

static void to_json(nlohmann::json& j, const FrameHeader& f) {
    j = {{"f", f.frame},
         {"p", f.position},
         {"hp", f.hasPosition},
         {"o", f.orientation},
         {"ho", f.hasOrientation},
         {"s", f.pixelSpacing},
         {"hs", f.hasPixelSpacing},
         {"t", f.sliceThickness},
         {"m", f.slope},
         {"b", f.intercept},
         {"tm", f.time},
         {"tk", f.timeKnown}};
}
static void from_json(const nlohmann::json& j, FrameHeader& f) {
    j.at("f").get_to(f.frame);
    j.at("p").get_to(f.position);
    j.at("hp").get_to(f.hasPosition);
    j.at("o").get_to(f.orientation);
    j.at("ho").get_to(f.hasOrientation);
    j.at("s").get_to(f.pixelSpacing);
    j.at("hs").get_to(f.hasPixelSpacing);
    j.at("t").get_to(f.sliceThickness);
    j.at("m").get_to(f.slope);
    j.at("b").get_to(f.intercept);
    j.at("tm").get_to(f.time);
    j.at("tk").get_to(f.timeKnown);
}

std::string serialize(const FileHeader& h) {
    nlohmann::json j;
    j["kind"] = h.kind;
    j["reason"] = h.reason;
    j["uids"] = {h.sopClassUID, h.sopInstanceUID, h.studyUID, h.seriesUID, h.modality, h.transferSyntax};
    j["nums"] = {h.seriesNumber, h.instanceNumber, h.acquisitionNumber, h.hasInstanceNumber ? 1 : 0};
    j["pix"] = {h.rows,          h.columns,    h.frames,  h.samplesPerPixel,
                h.bitsAllocated, h.bitsStored, h.highBit, h.pixelRepresentation};
    j["pi"] = h.photometric;
    if (h.paddingValue)
        j["pad"] = *h.paddingValue;
    if (h.paddingRangeLimit)
        j["padlim"] = *h.paddingRangeLimit;
    j["tilt"] = h.gantryTilt;
    j["size"] = h.fileSize;
    j["pixoff"] = {h.pixelOffset, h.pixelLength, h.rleOffset};
    j["frames"] = h.frameHeaders;
    j["meta"] = h.meta;
    j["refs"] = h.referencedFiles;
    // Invalid UTF-8 in a header string must not make the trip fail: replace it.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

FileHeader deserializeFileHeader(const std::string& bytes) {
    const nlohmann::json j = nlohmann::json::parse(bytes);
    FileHeader h;
    j.at("kind").get_to(h.kind);
    j.at("reason").get_to(h.reason);
    const auto& u = j.at("uids");
    h.sopClassUID = u[0];
    h.sopInstanceUID = u[1];
    h.studyUID = u[2];
    h.seriesUID = u[3];
    h.modality = u[4];
    h.transferSyntax = u[5];
    const auto& n = j.at("nums");
    h.seriesNumber = n[0];
    h.instanceNumber = n[1];
    h.acquisitionNumber = n[2];
    h.hasInstanceNumber = n[3].get<int>() != 0;
    const auto& p = j.at("pix");
    h.rows = p[0];
    h.columns = p[1];
    h.frames = p[2];
    h.samplesPerPixel = p[3];
    h.bitsAllocated = p[4];
    h.bitsStored = p[5];
    h.highBit = p[6];
    h.pixelRepresentation = p[7];
    h.photometric = j.at("pi");
    if (j.contains("pad"))
        h.paddingValue = j["pad"].get<double>();
    if (j.contains("padlim"))
        h.paddingRangeLimit = j["padlim"].get<double>();
    h.gantryTilt = j.at("tilt");
    h.fileSize = j.at("size");
    h.pixelOffset = j.at("pixoff")[0];
    h.rleOffset = j.at("pixoff")[2];
    h.pixelLength = j.at("pixoff")[1];
    h.frameHeaders = j.at("frames").get<std::vector<FrameHeader>>();
    h.meta = j.at("meta").get<std::map<std::string, std::string>>();
    h.referencedFiles = j.at("refs").get<std::vector<std::string>>();
    return h;
}

} // namespace ctview
