#include "dicom/rtstruct_read.h"

#include "base/error.h"
#include "dicom/dataset_values.h"
#include "dicom/dicom_scan.h"

#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <nlohmann/json.hpp>

#include <map>

namespace ctview {

namespace {

using namespace dicomvalues;

// The items' data sets of a sequence (none when it is absent).
std::vector<const gdcm::DataSet*> items(const gdcm::DataSet& ds, const gdcm::Tag& seq) {
    std::vector<const gdcm::DataSet*> out;
    if (!ds.FindDataElement(seq))
        return out;
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement(seq).GetValueAsSQ();
    for (std::size_t i = 1; sq && i <= sq->GetNumberOfItems(); ++i)
        out.push_back(&sq->GetItem(i).GetNestedDataSet());
    return out;
}

// Series UIDs under ReferencedFrameOfReferenceSequence > RTReferencedStudySequence >
// RTReferencedSeriesSequence.
std::vector<std::string> referencedSeries(const gdcm::DataSet& ds) {
    std::vector<std::string> out;
    for (const gdcm::DataSet* frame : items(ds, gdcm::Tag(0x3006, 0x0010)))
        for (const gdcm::DataSet* study : items(*frame, gdcm::Tag(0x3006, 0x0012)))
            for (const gdcm::DataSet* series : items(*study, gdcm::Tag(0x3006, 0x0014)))
                if (std::string uid = str(*series, gdcm::Tag(0x0020, 0x000e)); !uid.empty())
                    out.push_back(uid);
    return out;
}

} // namespace

bool isRtStructFile(const std::filesystem::path& file) {
    return metaNamesSopClass(file, kRtStructureSetStorage);
}

RtStruct readRtStruct(const std::filesystem::path& file) {
    const std::string name = file.string();
    gdcm::Reader reader;
    reader.SetFileName(name.c_str());
    if (!reader.Read())
        throw DataError(name + ": not a DICOM file GDCM can read");
    const gdcm::DataSet& ds = reader.GetFile().GetDataSet();
    if (str(ds, gdcm::Tag(0x0008, 0x0016)) != kRtStructureSetStorage)
        throw DataError(name + ": not an RT Structure Set (SOP class " + str(ds, gdcm::Tag(0x0008, 0x0016)) +
                        ")");
    RtStruct s;
    s.referencedSeries = referencedSeries(ds);
    std::map<int, std::size_t> byNumber;
    for (const gdcm::DataSet* item : items(ds, gdcm::Tag(0x3006, 0x0020))) {
        RtRoi roi;
        roi.number = int(number(*item, gdcm::Tag(0x3006, 0x0022)).value_or(0));
        roi.name = str(*item, gdcm::Tag(0x3006, 0x0026));
        roi.frameOfReference = str(*item, gdcm::Tag(0x3006, 0x0024));
        byNumber[roi.number] = s.rois.size();
        s.rois.push_back(std::move(roi));
    }
    if (s.rois.empty())
        throw DataError(name + ": no ROIs (StructureSetROISequence is empty)");
    for (const gdcm::DataSet* item : items(ds, gdcm::Tag(0x3006, 0x0039))) {
        const int ref = int(number(*item, gdcm::Tag(0x3006, 0x0084)).value_or(-1));
        const auto at = byNumber.find(ref);
        if (at == byNumber.end())
            throw DataError(name + ": contours for ROI " + std::to_string(ref) +
                            ", which the StructureSetROISequence does not have");
        RtRoi& roi = s.rois[at->second];
        if (auto c = numbers(*item, gdcm::Tag(0x3006, 0x002a)); c.size() == 3) {
            roi.color = {int(c[0]), int(c[1]), int(c[2])};
            roi.hasColor = true;
        }
        for (const gdcm::DataSet* contour : items(*item, gdcm::Tag(0x3006, 0x0040))) {
            RtContour c;
            c.type = str(*contour, gdcm::Tag(0x3006, 0x0042));
            c.points = numbers(*contour, gdcm::Tag(0x3006, 0x0050));
            if (c.points.size() % 3 != 0)
                throw DataError(name + ": ROI \"" + roi.name +
                                "\" has contour data that is not x\\y\\z triples (" +
                                std::to_string(c.points.size()) + " numbers)");
            roi.contours.push_back(std::move(c));
        }
    }
    return s;
}

std::string serialize(const RtStruct& s) {
    nlohmann::json rois = nlohmann::json::array();
    for (const RtRoi& r : s.rois) {
        nlohmann::json contours = nlohmann::json::array();
        for (const RtContour& c : r.contours)
            contours.push_back({c.type, c.points});
        rois.push_back({r.number, r.name, r.frameOfReference, r.hasColor, r.color, contours});
    }
    return nlohmann::json{{"rois", rois}, {"refs", s.referencedSeries}}.dump();
}

RtStruct deserializeRtStruct(const std::string& bytes) {
    const nlohmann::json j = nlohmann::json::parse(bytes);
    RtStruct s;
    s.referencedSeries = j["refs"].get<std::vector<std::string>>();
    for (const auto& r : j["rois"]) {
        RtRoi roi;
        roi.number = r[0];
        roi.name = r[1];
        roi.frameOfReference = r[2];
        roi.hasColor = r[3];
        roi.color = r[4].get<std::array<int, 3>>();
        for (const auto& c : r[5])
            roi.contours.push_back({c[0], c[1].get<std::vector<double>>()});
        s.rois.push_back(std::move(roi));
    }
    return s;
}

} // namespace ctview
