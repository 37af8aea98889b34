// PS3.15 Annex E, Basic Application Level Confidentiality Profile: our table, checked in the tests against
// GDCM's list of the profile's attributes (gdcm::Anonymizer, PS3.15-2008 Table E.1-1) and extended with the
// attributes the current Table E.1-1 adds that CT headers carry. GDCM's own BasicApplicationLevel-
// ConfidentialityProfile() needs a certificate to encrypt the originals into the copy (E.1.2, for
// re-identification); ctview's copies keep nothing to re-identify, so the table is applied here with GDCM's
// reader and writer.
#include "dicom/anonymize.h"

#include "base/error.h"
#include "base/fsutil.h"

#include <gdcmAnonymizer.h>
#include <gdcmDataSet.h>
#include <gdcmDicts.h>
#include <gdcmGlobal.h>
#include <gdcmItem.h>
#include <gdcmReader.h>
#include <gdcmSHA1.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmWriter.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>

namespace ctview {

namespace {
using A = DeidAction;
using K = DeidKeep;
} // namespace

const std::vector<DeidRule>& deidentificationTable() {
    // Action letters of the Basic Profile column; where the table says "Z/D" or "X/Z" for a type 2 attribute
    // of the CT Image IOD, the attribute is emptied (Z), else removed (X).
    static const std::vector<DeidRule> rules = {
        {0x0008, 0x0012, "InstanceCreationDate", A::Remove, K::Dates},
        {0x0008, 0x0013, "InstanceCreationTime", A::Remove, K::Dates},
        {0x0008, 0x0014, "InstanceCreatorUID", A::Uid},
        {0x0008, 0x0018, "SOPInstanceUID", A::Uid},
        {0x0008, 0x0020, "StudyDate", A::Empty, K::Dates},
        {0x0008, 0x0021, "SeriesDate", A::Remove, K::Dates},
        {0x0008, 0x0022, "AcquisitionDate", A::Remove, K::Dates},
        {0x0008, 0x0023, "ContentDate", A::Empty, K::Dates},
        {0x0008, 0x0024, "OverlayDate", A::Remove, K::Dates},
        {0x0008, 0x0025, "CurveDate", A::Remove, K::Dates},
        {0x0008, 0x002A, "AcquisitionDateTime", A::Remove, K::Dates},
        {0x0008, 0x0030, "StudyTime", A::Empty, K::Dates},
        {0x0008, 0x0031, "SeriesTime", A::Remove, K::Dates},
        {0x0008, 0x0032, "AcquisitionTime", A::Remove, K::Dates},
        {0x0008, 0x0033, "ContentTime", A::Empty, K::Dates},
        {0x0008, 0x0034, "OverlayTime", A::Remove, K::Dates},
        {0x0008, 0x0035, "CurveTime", A::Remove, K::Dates},
        {0x0008, 0x0050, "AccessionNumber", A::Empty},
        {0x0008, 0x0080, "InstitutionName", A::Remove},
        {0x0008, 0x0081, "InstitutionAddress", A::Remove},
        {0x0008, 0x0082, "InstitutionCodeSequence", A::Remove},
        {0x0008, 0x0090, "ReferringPhysicianName", A::Empty},
        {0x0008, 0x0092, "ReferringPhysicianAddress", A::Remove},
        {0x0008, 0x0094, "ReferringPhysicianTelephoneNumbers", A::Remove},
        {0x0008, 0x0096, "ReferringPhysicianIdentificationSequence", A::Remove},
        {0x0008, 0x0201, "TimezoneOffsetFromUTC", A::Remove, K::Dates},
        {0x0008, 0x1010, "StationName", A::Remove},
        {0x0008, 0x1030, "StudyDescription", A::Remove, K::Descriptions},
        {0x0008, 0x103E, "SeriesDescription", A::Remove, K::Descriptions},
        {0x0008, 0x1040, "InstitutionalDepartmentName", A::Remove},
        {0x0008, 0x1048, "PhysiciansOfRecord", A::Remove},
        {0x0008, 0x1049, "PhysiciansOfRecordIdentificationSequence", A::Remove},
        {0x0008, 0x1050, "PerformingPhysicianName", A::Remove},
        {0x0008, 0x1052, "PerformingPhysicianIdentificationSequence", A::Remove},
        {0x0008, 0x1060, "NameOfPhysiciansReadingStudy", A::Remove},
        {0x0008, 0x1062, "PhysiciansReadingStudyIdentificationSequence", A::Remove},
        {0x0008, 0x1070, "OperatorsName", A::Remove},
        {0x0008, 0x1072, "OperatorIdentificationSequence", A::Remove},
        {0x0008, 0x1080, "AdmittingDiagnosesDescription", A::Remove, K::Descriptions},
        {0x0008, 0x1084, "AdmittingDiagnosesCodeSequence", A::Remove},
        {0x0008, 0x1110, "ReferencedStudySequence", A::Remove},
        {0x0008, 0x1111, "ReferencedPerformedProcedureStepSequence", A::Remove},
        {0x0008, 0x1120, "ReferencedPatientSequence", A::Remove},
        {0x0008, 0x1140, "ReferencedImageSequence", A::Remove},
        {0x0008, 0x1155, "ReferencedSOPInstanceUID", A::Uid},
        {0x0008, 0x1195, "TransactionUID", A::Uid},
        {0x0008, 0x2111, "DerivationDescription", A::Remove, K::Descriptions},
        {0x0008, 0x3010, "IrradiationEventUID", A::Uid},
        {0x0008, 0x4000, "IdentifyingComments", A::Remove},
        {0x0010, 0x0010, "PatientName", A::Dummy},
        {0x0010, 0x0020, "PatientID", A::Dummy},
        {0x0010, 0x0021, "IssuerOfPatientID", A::Remove},
        {0x0010, 0x0030, "PatientBirthDate", A::Empty},
        {0x0010, 0x0032, "PatientBirthTime", A::Remove},
        {0x0010, 0x0040, "PatientSex", A::Empty},
        {0x0010, 0x0050, "PatientInsurancePlanCodeSequence", A::Remove},
        {0x0010, 0x1000, "OtherPatientIDs", A::Remove},
        {0x0010, 0x1001, "OtherPatientNames", A::Remove},
        {0x0010, 0x1002, "OtherPatientIDsSequence", A::Remove},
        {0x0010, 0x1005, "PatientBirthName", A::Remove},
        {0x0010, 0x1010, "PatientAge", A::Remove},
        {0x0010, 0x1020, "PatientSize", A::Remove},
        {0x0010, 0x1030, "PatientWeight", A::Remove},
        {0x0010, 0x1040, "PatientAddress", A::Remove},
        {0x0010, 0x1060, "PatientMotherBirthName", A::Remove},
        {0x0010, 0x1080, "MilitaryRank", A::Remove},
        {0x0010, 0x1081, "BranchOfService", A::Remove},
        {0x0010, 0x1090, "MedicalRecordLocator", A::Remove},
        {0x0010, 0x2000, "MedicalAlerts", A::Remove},
        {0x0010, 0x2110, "Allergies", A::Remove},
        {0x0010, 0x2150, "CountryOfResidence", A::Remove},
        {0x0010, 0x2152, "RegionOfResidence", A::Remove},
        {0x0010, 0x2154, "PatientTelephoneNumbers", A::Remove},
        {0x0010, 0x2160, "EthnicGroup", A::Remove},
        {0x0010, 0x2180, "Occupation", A::Remove},
        {0x0010, 0x21A0, "SmokingStatus", A::Remove},
        {0x0010, 0x21B0, "AdditionalPatientHistory", A::Remove},
        {0x0010, 0x21C0, "PregnancyStatus", A::Remove},
        {0x0010, 0x21D0, "LastMenstrualDate", A::Remove},
        {0x0010, 0x21F0, "PatientReligiousPreference", A::Remove},
        {0x0010, 0x2297, "ResponsiblePerson", A::Remove},
        {0x0010, 0x2299, "ResponsibleOrganization", A::Remove},
        {0x0010, 0x4000, "PatientComments", A::Remove},
        {0x0018, 0x1000, "DeviceSerialNumber", A::Remove},
        {0x0018, 0x1002, "DeviceUID", A::Uid},
        {0x0018, 0x1004, "PlateID", A::Remove},
        {0x0018, 0x1005, "GeneratorID", A::Remove},
        {0x0018, 0x1007, "CassetteID", A::Remove},
        {0x0018, 0x1008, "GantryID", A::Remove},
        {0x0018, 0x1030, "ProtocolName", A::Remove, K::Descriptions},
        {0x0018, 0x4000, "AcquisitionComments", A::Remove},
        {0x0018, 0x700A, "DetectorID", A::Remove},
        {0x0018, 0x9424, "AcquisitionProtocolDescription", A::Remove, K::Descriptions},
        {0x0020, 0x000D, "StudyInstanceUID", A::Uid},
        {0x0020, 0x000E, "SeriesInstanceUID", A::Uid},
        {0x0020, 0x0010, "StudyID", A::Empty},
        {0x0020, 0x0052, "FrameOfReferenceUID", A::Uid},
        {0x0020, 0x0200, "SynchronizationFrameOfReferenceUID", A::Uid},
        {0x0020, 0x3401, "ModifyingDeviceID", A::Remove},
        {0x0020, 0x3404, "ModifyingDeviceManufacturer", A::Remove},
        {0x0020, 0x3406, "ModifiedImageDescription", A::Remove},
        {0x0020, 0x4000, "ImageComments", A::Remove, K::Descriptions},
        {0x0020, 0x9161, "ConcatenationUID", A::Uid},
        {0x0020, 0x9164, "DimensionOrganizationUID", A::Uid},
        {0x0028, 0x4000, "ImagePresentationComments", A::Remove},
        {0x0032, 0x0012, "StudyIDIssuer", A::Remove},
        {0x0032, 0x1020, "ScheduledStudyLocation", A::Remove},
        {0x0032, 0x1021, "ScheduledStudyLocationAETitle", A::Remove},
        {0x0032, 0x1030, "ReasonForStudy", A::Remove},
        {0x0032, 0x1032, "RequestingPhysician", A::Remove},
        {0x0032, 0x1033, "RequestingService", A::Remove},
        {0x0032, 0x1060, "RequestedProcedureDescription", A::Remove, K::Descriptions},
        {0x0032, 0x1070, "RequestedContrastAgent", A::Remove},
        {0x0032, 0x4000, "StudyComments", A::Remove},
        {0x0038, 0x0010, "AdmissionID", A::Remove},
        {0x0038, 0x0011, "IssuerOfAdmissionID", A::Remove},
        {0x0038, 0x001E, "ScheduledPatientInstitutionResidence", A::Remove},
        {0x0038, 0x0020, "AdmittingDate", A::Remove},
        {0x0038, 0x0021, "AdmittingTime", A::Remove},
        {0x0038, 0x0040, "DischargeDiagnosisDescription", A::Remove},
        {0x0038, 0x0050, "SpecialNeeds", A::Remove},
        {0x0038, 0x0060, "ServiceEpisodeID", A::Remove},
        {0x0038, 0x0300, "CurrentPatientLocation", A::Remove},
        {0x0038, 0x0400, "PatientInstitutionResidence", A::Remove},
        {0x0038, 0x0500, "PatientState", A::Remove},
        {0x0038, 0x4000, "VisitComments", A::Remove},
        {0x0040, 0x0006, "ScheduledPerformingPhysicianName", A::Remove},
        {0x0040, 0x0007, "ScheduledProcedureStepDescription", A::Remove},
        {0x0040, 0x000B, "ScheduledPerformingPhysicianIdentificationSequence", A::Remove},
        {0x0040, 0x0241, "PerformedStationAETitle", A::Remove},
        {0x0040, 0x0242, "PerformedStationName", A::Remove},
        {0x0040, 0x0243, "PerformedLocation", A::Remove},
        {0x0040, 0x0244, "PerformedProcedureStepStartDate", A::Remove, K::Dates},
        {0x0040, 0x0245, "PerformedProcedureStepStartTime", A::Remove, K::Dates},
        {0x0040, 0x0250, "PerformedProcedureStepEndDate", A::Remove, K::Dates},
        {0x0040, 0x0251, "PerformedProcedureStepEndTime", A::Remove, K::Dates},
        {0x0040, 0x0253, "PerformedProcedureStepID", A::Remove},
        {0x0040, 0x0254, "PerformedProcedureStepDescription", A::Remove, K::Descriptions},
        {0x0040, 0x0275, "RequestAttributesSequence", A::Remove},
        {0x0040, 0x0280, "CommentsOnThePerformedProcedureStep", A::Remove},
        {0x0040, 0x1001, "RequestedProcedureID", A::Remove},
        {0x0040, 0x1010, "NamesOfIntendedRecipientsOfResults", A::Remove},
        {0x0040, 0x1400, "RequestedProcedureComments", A::Remove},
        {0x0040, 0x2016, "PlacerOrderNumberImagingServiceRequest", A::Remove},
        {0x0040, 0x2017, "FillerOrderNumberImagingServiceRequest", A::Remove},
        {0x0040, 0x2400, "ImagingServiceRequestComments", A::Remove},
        {0x0040, 0xA027, "VerifyingOrganization", A::Remove},
        {0x0040, 0xA073, "VerifyingObserverSequence", A::Remove},
        {0x0040, 0xA075, "VerifyingObserverName", A::Remove},
        {0x0040, 0xA123, "PersonName", A::Remove},
        {0x0040, 0xA124, "UID", A::Uid},
        {0x0040, 0xA730, "ContentSequence",
         A::Remove}, // an SR's content (no Clean Structured Content option)
        {0x0070, 0x0084, "ContentCreatorName", A::Empty},
        {0x0088, 0x0140, "StorageMediaFileSetUID", A::Uid},
        {0x3006, 0x0024, "ReferencedFrameOfReferenceUID", A::Uid},
        {0x3006, 0x00C2, "RelatedFrameOfReferenceUID", A::Uid},
        {0x0400, 0x0561, "OriginalAttributesSequence", A::Remove},
        {0x4008, 0x0114, "PhysicianApprovingInterpretation", A::Remove},
        {0x4008, 0x0119, "DistributionName", A::Remove},
        {0x4008, 0x011A, "DistributionAddress", A::Remove},
        {0xFFFA, 0xFFFA, "DigitalSignaturesSequence", A::Remove},
    };
    return rules;
}

std::vector<std::pair<std::uint16_t, std::uint16_t>> gdcmProfileAttributes() {
    std::vector<std::pair<std::uint16_t, std::uint16_t>> out;
    for (const gdcm::Tag& t : gdcm::Anonymizer::GetBasicApplicationLevelConfidentialityProfileAttributes())
        out.emplace_back(t.GetGroup(), t.GetElement());
    return out;
}

namespace {

const DeidRule* ruleFor(const gdcm::Tag& t) {
    static const std::map<std::uint32_t, const DeidRule*> byTag = [] {
        std::map<std::uint32_t, const DeidRule*> m;
        for (const DeidRule& r : deidentificationTable())
            m[(std::uint32_t(r.group) << 16) | r.element] = &r;
        return m;
    }();
    const auto it = byTag.find(t.GetElementTag());
    return it == byTag.end() ? nullptr : it->second;
}

std::string sha1Hex(const std::string& s) {
    char digest[41] = {};
    if (!gdcm::SHA1::Compute(s.data(), static_cast<unsigned long>(s.size()), digest))
        throw DataError("SHA-1 is not available in this GDCM");
    return digest;
}

// RFC 4122 section 4.3: a version 5 UUID from SHA-1 of the namespace and the name, as a 2.25 UID (PS3.5
// B.2: the UUID's 128 bits as one decimal number).
std::string uuid5Uid(const std::string& space, const std::string& name) {
    const std::string hex = sha1Hex(space + name);
    unsigned char b[16];
    for (int i = 0; i < 16; ++i)
        b[i] = static_cast<unsigned char>(std::stoi(hex.substr(2 * std::size_t(i), 2), nullptr, 16));
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x50); // version 5
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80); // the RFC 4122 variant
    // The 128-bit big-endian number in decimal: long division by 10 over its bytes until it is zero.
    std::string digits;
    for (bool zero = false; !zero;) {
        unsigned remainder = 0;
        zero = true;
        for (unsigned char& byte : b) {
            const unsigned value = (remainder << 8) | byte;
            byte = static_cast<unsigned char>(value / 10);
            remainder = value % 10;
            zero = zero && byte == 0;
        }
        digits.insert(digits.begin(), char('0' + int(remainder)));
    }
    return "2.25." + digits;
}

std::string textOf(const gdcm::DataElement& de) {
    const gdcm::ByteValue* bv = de.GetByteValue();
    if (!bv)
        return {};
    std::string s(bv->GetPointer(), bv->GetLength());
    while (!s.empty() && (s.back() == '\0' || s.back() == ' '))
        s.pop_back();
    return s;
}

gdcm::VR vrOf(const gdcm::DataElement& de) {
    const gdcm::VR vr = de.GetVR();
    if (vr != gdcm::VR::INVALID && vr != gdcm::VR::UN)
        return vr;
    // Implicit VR files carry no VR: the dictionary's.
    return gdcm::Global::GetInstance().GetDicts().GetDictEntry(de.GetTag()).GetVR();
}

gdcm::DataElement textElement(const gdcm::Tag& t, gdcm::VR vr, std::string value) {
    if (value.size() % 2)
        value.push_back(vr == gdcm::VR::UI ? '\0' : ' '); // PS3.5 6.2: even lengths, UIDs padded with NUL
    gdcm::DataElement de(t);
    de.SetVR(vr);
    de.SetByteValue(value.data(), gdcm::VL(std::uint32_t(value.size())));
    return de;
}

gdcm::DataElement emptySequence(const gdcm::Tag& t) {
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = new gdcm::SequenceOfItems;
    sq->SetLengthToUndefined();
    gdcm::DataElement de(t);
    de.SetVR(gdcm::VR::SQ);
    de.SetValue(*sq);
    de.SetVLToUndefined();
    return de;
}

bool registeredUid(const std::string& uid) {
    return uid.rfind("1.2.840.10008.", 0) == 0;
}

// UI attributes that name a kind of thing, not an instance: SOP classes (private ones too), coding schemes,
// context groups, transfer syntaxes. Never replaced.
bool namesAKind(const gdcm::Tag& t) {
    static const std::set<std::uint32_t> kinds = {
        0x00080016, // SOPClassUID
        0x0008001A, // RelatedGeneralSOPClassUID
        0x00080062, // SOPClassesInStudy
        0x0008010C, // CodingSchemeUID
        0x0008010D, // ContextGroupExtensionCreatorUID
        0x00080117, // ContextUID
        0x00081150, // ReferencedSOPClassUID
        0x00089123, // CreatorVersionUID
        0x00041510, // ReferencedSOPClassUIDInFile
        0x00041512, // ReferencedTransferSyntaxUIDInFile
        0x0004151A, // ReferencedRelatedGeneralSOPClassUIDInFile
    };
    return kinds.count(t.GetElementTag()) != 0;
}

// Repeating groups the profile removes whole: curves (50xx), and overlays' data and comments (60xx,3000 and
// 60xx,4000), which can carry burned-in text.
bool repeatingGroupRemoved(const gdcm::Tag& t) {
    const std::uint16_t g = t.GetGroup();
    if ((g & 0xFF00) == 0x5000)
        return true;
    return (g & 0xFF00) == 0x6000 && (t.GetElement() == 0x3000 || t.GetElement() == 0x4000);
}

struct Context {
    const AnonymizeOptions& options;
    std::string space; // the copy's UUID namespace (random, never written)
};

std::string newUids(const Context& c, const std::string& value) {
    std::string out, one;
    std::size_t start = 0;
    for (;;) {
        const std::size_t bs = value.find('\\', start);
        one = value.substr(start, bs == std::string::npos ? std::string::npos : bs - start);
        if (!out.empty() || start > 0)
            out += '\\';
        out += one.empty() || registeredUid(one) ? one : uuid5Uid(c.space, one);
        if (bs == std::string::npos)
            break;
        start = bs + 1;
    }
    return out;
}

bool keptByOption(const DeidRule& r, const AnonymizeOptions& o) {
    return (r.keptBy == DeidKeep::Dates && o.keepDates) ||
           (r.keptBy == DeidKeep::Descriptions && o.keepDescriptions);
}

// The table at this depth, then inside every sequence; every UI value that is not a registered UID replaced.
void clean(gdcm::DataSet& ds, const Context& c) {
    std::vector<gdcm::DataElement> replaced;
    std::vector<gdcm::Tag> removed;
    for (const gdcm::DataElement& de : ds.GetDES()) {
        const gdcm::Tag& t = de.GetTag();
        if (t.IsPrivate()) {
            if (!c.options.keepPrivate)
                removed.push_back(t);
            continue;
        }
        if (t.GetGroup() == 0x0002)
            continue; // the file meta group is the writer's
        if (repeatingGroupRemoved(t)) {
            removed.push_back(t);
            continue;
        }
        const gdcm::VR vr = vrOf(de);
        const DeidRule* rule = ruleFor(t);
        if (rule && !keptByOption(*rule, c.options)) {
            switch (rule->action) {
            case DeidAction::Remove:
                removed.push_back(t);
                continue;
            case DeidAction::Empty:
                replaced.push_back(vr == gdcm::VR::SQ ? emptySequence(t) : textElement(t, vr, ""));
                continue;
            case DeidAction::Dummy:
                replaced.push_back(textElement(t, vr,
                                               t == gdcm::Tag(0x0010, 0x0010) ? c.options.patientName
                                               : !c.options.patientId.empty()
                                                   ? c.options.patientId
                                                   // One pseudonym per patient of the copy, unlinkable
                                                   // without the copy's namespace.
                                                   : "ANON-" + sha1Hex(c.space + textOf(de)).substr(0, 10)));
                continue;
            case DeidAction::Uid:
                break; // below, as every UI value
            }
        }
        // Dates and times the table does not name (a device's calibration date, a frame's acquisition time in
        // Enhanced CT's functional groups): removed with the rest unless dates are kept.
        if (!rule && !c.options.keepDates &&
            (vr == gdcm::VR::DA || vr == gdcm::VR::DT || vr == gdcm::VR::TM)) {
            removed.push_back(t);
            continue;
        }
        if (vr == gdcm::VR::UI && !namesAKind(t)) {
            const std::string value = textOf(de);
            const std::string renamed = newUids(c, value);
            if (renamed != value)
                replaced.push_back(textElement(t, gdcm::VR::UI, renamed));
        } else if (vr == gdcm::VR::SQ) {
            gdcm::SmartPointer<gdcm::SequenceOfItems> sq = de.GetValueAsSQ();
            if (!sq) { // a sequence GDCM cannot parse cannot be cleaned: it goes
                removed.push_back(t);
                continue;
            }
            for (gdcm::SequenceOfItems::SizeType i = 1; i <= sq->GetNumberOfItems(); ++i)
                clean(sq->GetItem(i).GetNestedDataSet(), c);
            gdcm::DataElement copy(t);
            copy.SetVR(gdcm::VR::SQ);
            copy.SetValue(*sq);
            copy.SetVLToUndefined();
            replaced.push_back(copy);
        }
    }
    for (const gdcm::Tag& t : removed)
        ds.Remove(t);
    for (const gdcm::DataElement& de : replaced)
        ds.Replace(de);
}

// PS3.15 E.1.1: says the copy was de-identified, and how (DeidentificationMethodCodeSequence, CID 7050).
void markDeidentified(gdcm::DataSet& ds, const AnonymizeOptions& o) {
    ds.Replace(textElement(gdcm::Tag(0x0012, 0x0062), gdcm::VR::CS, "YES")); // PatientIdentityRemoved
    std::string method = std::string("ctview ") + CTVIEW_VERSION + ": PS3.15 E.1 Basic Profile";
    if (o.keepDates)
        method += ", full dates retained";
    if (o.keepDescriptions)
        method += ", descriptions retained";
    if (o.keepPrivate)
        method += ", private elements retained";
    ds.Replace(textElement(gdcm::Tag(0x0012, 0x0063), gdcm::VR::LO, method.substr(0, 64)));
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = new gdcm::SequenceOfItems;
    sq->SetLengthToUndefined();
    auto code = [&](const char* value, const char* meaning) {
        gdcm::Item item;
        item.SetVLToUndefined();
        gdcm::DataSet& in = item.GetNestedDataSet();
        in.Insert(textElement(gdcm::Tag(0x0008, 0x0100), gdcm::VR::SH, value));
        in.Insert(textElement(gdcm::Tag(0x0008, 0x0102), gdcm::VR::SH, "DCM"));
        in.Insert(textElement(gdcm::Tag(0x0008, 0x0104), gdcm::VR::LO, meaning));
        sq->AddItem(item);
    };
    code("113100", "Basic Application Confidentiality Profile");
    if (o.keepDates)
        code("113106", "Retain Longitudinal Temporal Information Full Dates Option");
    gdcm::DataElement de(gdcm::Tag(0x0012, 0x0064));
    de.SetVR(gdcm::VR::SQ);
    de.SetValue(*sq);
    de.SetVLToUndefined();
    ds.Replace(de);
}

// One file, in a worker: "the written path\tB" (B: 1 when BurnedInAnnotation is YES).
std::string anonymizeOne(const std::filesystem::path& from, const std::filesystem::path& outDir,
                         std::size_t index, const Context& c) {
    gdcm::Reader reader;
    reader.SetFileName(from.c_str());
    if (!reader.Read())
        throw DataError("not DICOM (or unreadable)");
    gdcm::File& file = reader.GetFile();
    gdcm::DataSet& ds = file.GetDataSet();
    // A DICOMDIR names the original files by path and describes them: not copied (the copy opens as a
    // folder).
    if (ds.FindDataElement(gdcm::Tag(0x0004, 0x1220)))
        throw DataError("a DICOMDIR: not copied (it lists the original files; the copy opens as a folder)");
    const bool burnedIn = ds.FindDataElement(gdcm::Tag(0x0028, 0x0301)) &&
                          textOf(ds.GetDataElement(gdcm::Tag(0x0028, 0x0301))) == "YES";
    clean(ds, c);
    markDeidentified(ds, c.options);
    // The file meta group: the new instance UID; the sender's AE title says where it came from.
    gdcm::FileMetaInformation& meta = file.GetHeader();
    std::string sop;
    if (ds.FindDataElement(gdcm::Tag(0x0008, 0x0018)))
        sop = textOf(ds.GetDataElement(gdcm::Tag(0x0008, 0x0018)));
    if (!sop.empty())
        meta.Replace(textElement(gdcm::Tag(0x0002, 0x0003), gdcm::VR::UI, sop));
    meta.Remove(gdcm::Tag(0x0002, 0x0016)); // SourceApplicationEntityTitle
    meta.Remove(gdcm::Tag(0x0002, 0x0017)); // SendingApplicationEntityTitle
    meta.Remove(gdcm::Tag(0x0002, 0x0018)); // ReceivingApplicationEntityTitle
    char fallback[32];
    std::snprintf(fallback, sizeof fallback, "file-%06zu", index + 1);
    const std::filesystem::path to = outDir / ((sop.empty() ? std::string(fallback) : sop) + ".dcm");
    writeFileAtomically(
        to,
        [&](const std::filesystem::path& tmp) {
            gdcm::Writer writer;
            writer.SetFile(file);
            writer.SetFileName(tmp.c_str());
            if (!writer.Write())
                throw DataError(to.string() + ": cannot be written");
        },
        false);
    return to.string() + "\t" + (burnedIn ? "1" : "0");
}

std::string randomNamespace() {
    std::random_device rd;
    std::string s;
    for (int i = 0; i < 8; ++i)
        s += std::to_string(rd()) + ".";
    return s;
}

} // namespace

void requireOutsideOriginals(const std::filesystem::path& outDir,
                             const std::vector<std::filesystem::path>& folders) {
    std::error_code ec;
    const std::filesystem::path out = std::filesystem::weakly_canonical(outDir, ec);
    for (const std::filesystem::path& folder : folders) {
        const auto rel = out.lexically_relative(std::filesystem::weakly_canonical(folder, ec));
        if (!rel.empty() && *rel.begin() != "..")
            throw UsageError(outDir.string() + ": inside the originals' folder " + folder.string() +
                             "; give a folder elsewhere");
    }
}

AnonymizeReport anonymizeFiles(const std::vector<std::filesystem::path>& files,
                               const std::filesystem::path& outDir, const AnonymizeOptions& options) {
    std::error_code ec;
    std::vector<std::filesystem::path> folders;
    for (const std::filesystem::path& f : files) {
        const std::filesystem::path folder = std::filesystem::weakly_canonical(f, ec).parent_path();
        if (folders.empty() || folders.back() != folder)
            folders.push_back(folder);
    }
    requireOutsideOriginals(outDir, folders);
    if (std::filesystem::exists(outDir, ec) && !std::filesystem::is_empty(outDir, ec))
        throw UsageError(outDir.string() + ": not empty; give a new or empty folder (nothing is replaced)");
    createFolder(outDir);
    const Context c{options, randomNamespace()};
    IsolationOptions iso;
    iso.workers = options.workers;
    const auto results = runIsolated(
        files.size(), [&](std::size_t i) { return anonymizeOne(files[i], outDir, i, c); }, iso);
    AnonymizeReport report;
    for (std::size_t i = 0; i < files.size(); ++i) {
        AnonymizedFile f;
        f.from = files[i];
        const IsolatedResult& r = results[i];
        if (r.status == IsolatedResult::Status::Ok) {
            const std::size_t tab = r.payload.rfind('\t');
            f.to = r.payload.substr(0, tab);
            f.burnedIn = r.payload.substr(tab + 1) == "1";
            ++report.written;
        } else {
            f.problem = r.describe();
        }
        report.files.push_back(f);
    }
    return report;
}

} // namespace ctview
