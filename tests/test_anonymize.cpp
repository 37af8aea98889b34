// `ctview anonymize`: de-identified copies (PS3.15 E.1 Basic Profile), checked attribute by attribute against
// the table, UIDs consistent across a CT and its SEG, pixels unchanged, originals untouched.
#include "testutil.h"

#include "base/error.h"
#include "dicom/anonymize.h"
#include "dicom/dicom_tags.h"
#include "dicom/dicom_write.h"
#include "sources/series.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

#include <map>
#include <set>

using namespace ctview;
using namespace ctview::test;

namespace {

// A file's top-level elements by tag ("(0010,0010)") and their values, and every UID at any depth.
struct Header {
    std::map<std::string, std::string> top;
    std::vector<std::string> uids; // "(0020,000E)=1.2.3" at any depth
};
Header headerOf(const std::filesystem::path& file) {
    Header h;
    for (const TagEntry& e : dumpTags(file)) {
        if (e.depth == 0)
            h.top[e.tag] = e.value;
        if (e.vr == "UI")
            h.uids.push_back(e.tag + "=" + e.value);
    }
    return h;
}
std::string tagText(std::uint16_t g, std::uint16_t e) {
    char t[16];
    std::snprintf(t, sizeof t, "(%04X,%04X)", g, e);
    return t;
}

// A value each rule's attribute can hold, by what its keyword says it is (its VR comes from the dictionary).
std::string sampleValue(const DeidRule& r, int n) {
    const std::string k = r.keyword;
    auto has = [&](const char* w) { return k.find(w) != std::string::npos; };
    if (r.action == DeidAction::Uid)
        return "1.2.826.0.1.3680043.9.7777." + std::to_string(n);
    if (has("DateTime"))
        return "20240101101010";
    if (has("Date"))
        return "20240101";
    if (has("Time") && !has("Timezone"))
        return "101010";
    if (has("Timezone"))
        return "+0100";
    if (k == "PatientAge")
        return "050Y";
    if (k == "PatientSize" || k == "PatientWeight")
        return "70";
    if (k == "PregnancyStatus")
        return "4";
    if (k == "PatientSex")
        return "F";
    return "SECRET" + std::to_string(n);
}

// Every rule that is not a sequence, in one CT image with a private element and BurnedInAnnotation YES.
void writeEveryAttribute(const std::filesystem::path& file) {
    std::vector<RawElement> e = {{0x0008, 0x0016, "1.2.840.10008.5.1.4.1.1.2"},
                                 {0x0008, 0x0060, "CT"},
                                 {0x0028, 0x0002, "1"},
                                 {0x0028, 0x0004, "MONOCHROME2"},
                                 {0x0028, 0x0010, "2"},
                                 {0x0028, 0x0011, "2"},
                                 {0x0028, 0x0100, "16"},
                                 {0x0028, 0x0101, "16"},
                                 {0x0028, 0x0102, "15"},
                                 {0x0028, 0x0103, "1"},
                                 {0x0028, 0x0301, "YES"},
                                 {0x0009, 0x0010, "SECRET CREATOR"}, // a private creator
                                 {0x0009, 0x1001, "SECRET PRIVATE"}};
    int n = 0;
    for (const DeidRule& r : deidentificationTable())
        if (std::string(r.keyword).find("Sequence") == std::string::npos && r.group != 0xFFFA)
            e.push_back({r.group, r.element, sampleValue(r, ++n)});
    std::sort(e.begin(), e.end(), [](const RawElement& a, const RawElement& b) {
        return std::make_pair(a.group, a.element) < std::make_pair(b.group, b.element);
    });
    writeRawDicom(file, e, std::string(8, '\x01'));
}

} // namespace

TEST_CASE("anonymize: every attribute of the table is removed, emptied, replaced or given a new UID") {
    TempDir in, out;
    writeEveryAttribute(in.path / "every.dcm");
    const std::string before = readFile(in.path / "every.dcm");
    AnonymizeOptions o;
    o.patientName = "SUBJECT^001";
    const AnonymizeReport report = anonymizeFiles({in.path / "every.dcm"}, out.path / "copy", o);
    REQUIRE(report.written == 1);
    CHECK(report.files[0].burnedIn);
    CHECK(readFile(in.path / "every.dcm") == before); // the original is only read
    const Header original = headerOf(in.path / "every.dcm"), copy = headerOf(report.files[0].to);
    int checked = 0;
    for (const DeidRule& r : deidentificationTable()) {
        const std::string t = tagText(r.group, r.element);
        if (!original.top.count(t))
            continue; // a sequence: not in this file
        INFO(r.keyword << " " << t);
        ++checked;
        switch (r.action) {
        case DeidAction::Remove:
            CHECK_FALSE(copy.top.count(t));
            break;
        case DeidAction::Empty:
            REQUIRE(copy.top.count(t));
            CHECK(copy.top.at(t).empty());
            break;
        case DeidAction::Dummy:
            REQUIRE(copy.top.count(t));
            CHECK(copy.top.at(t) != original.top.at(t));
            break;
        case DeidAction::Uid:
            REQUIRE(copy.top.count(t));
            CHECK(copy.top.at(t) != original.top.at(t));
            CHECK(copy.top.at(t).rfind("2.25.", 0) == 0);
            break;
        }
    }
    CHECK(checked > 120);
    CHECK(copy.top.at("(0010,0010)") == "SUBJECT^001");
    CHECK(copy.top.at("(0010,0020)").rfind("ANON-", 0) == 0);
    CHECK_FALSE(copy.top.count("(0009,0010)")); // private elements removed
    CHECK_FALSE(copy.top.count("(0009,1001)"));
    CHECK(copy.top.at("(0012,0062)") == "YES"); // PatientIdentityRemoved
    CHECK_THAT(copy.top.at("(0012,0063)"), Catch::Contains("PS3.15 E.1 Basic Profile"));
    CHECK(copy.top.at("(0008,0016)") == "1.2.840.10008.5.1.4.1.1.2"); // registered UIDs stay
    CHECK(copy.top.at("(0008,0060)") == "CT");
    // No value of the original's identifying attributes anywhere in the copy's bytes.
    const std::string bytes = readFile(report.files[0].to);
    CHECK(bytes.find("SECRET") == std::string::npos);
    CHECK(bytes.find("20240101") == std::string::npos);
    CHECK(bytes.find("1.2.826.0.1.3680043.9.7777.") == std::string::npos);
}

TEST_CASE("anonymize: options keep dates, descriptions and private elements, every GDCM profile attribute is "
          "in the table") {
    TempDir in, out;
    writeEveryAttribute(in.path / "every.dcm");
    AnonymizeOptions o;
    o.keepDates = o.keepDescriptions = o.keepPrivate = true;
    o.patientId = "STUDY-7";
    const AnonymizeReport report = anonymizeFiles({in.path / "every.dcm"}, out.path, o);
    REQUIRE(report.written == 1);
    const Header original = headerOf(in.path / "every.dcm"), copy = headerOf(report.files[0].to);
    for (const DeidRule& r : deidentificationTable()) {
        const std::string t = tagText(r.group, r.element);
        if (r.keptBy == DeidKeep::Never || !original.top.count(t))
            continue;
        INFO(r.keyword);
        REQUIRE(copy.top.count(t));
        CHECK(copy.top.at(t) == original.top.at(t));
    }
    CHECK(copy.top.at("(0009,1001)") == "SECRET PRIVATE");
    CHECK(copy.top.at("(0010,0020)") == "STUDY-7");
    CHECK_THAT(copy.top.at("(0012,0063)"), Catch::Contains("full dates retained"));
    CHECK(copy.top.at("(0008,1030)") == original.top.at("(0008,1030)")); // StudyDescription
    // GDCM's list of the profile's attributes (PS3.15-2008 Table E.1-1): each one is a rule of ours.
    std::set<std::pair<std::uint16_t, std::uint16_t>> ours;
    for (const DeidRule& r : deidentificationTable())
        ours.insert({r.group, r.element});
    const auto gdcmList = gdcmProfileAttributes();
    CHECK(gdcmList.size() >= 40);
    for (const auto& [g, e] : gdcmList) {
        INFO(tagText(g, e));
        CHECK(ours.count({g, e}));
    }
}

TEST_CASE("anonymize: a CT and its SEG keep their references and their pixels, the command line") {
    TempDir in, out;
    const Run made = run("make-phantom --size 32x24x6 --segmentation " + q(in.path / "case"));
    REQUIRE(made.code == 0);
    std::map<std::string, std::string> before;
    for (const auto& f : std::filesystem::directory_iterator(in.path / "case"))
        before[f.path().filename().string()] = readFile(f.path());
    std::ofstream(in.path / "case" / "notes.txt") << "not DICOM";
    const Run r =
        run("anonymize " + q(in.path / "case") + " -o " + q(out.path / "copy") + " --patient-id P1");
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("7 of 8 files de-identified into") &&
                          Catch::Contains("left out: " + (in.path / "case" / "notes.txt").string()));
    for (const auto& [name, bytes] : before) // the originals are only read
        CHECK(readFile(in.path / "case" / name) == bytes);
    // The copy opens as the original does: the same voxels and geometry, the SEG on it as a layer.
    const auto a = openSource((in.path / "case").string(), fastOptions());
    const auto b = openSource((out.path / "copy").string(), fastOptions());
    const Series sa = a->load(a->pick("").number, fastOptions()),
                 sb = b->load(b->pick("").number, fastOptions());
    REQUIRE(sa.volume.bytes() == sb.volume.bytes());
    CHECK(std::memcmp(sa.volume.data(), sb.volume.data(), sa.volume.bytes()) == 0);
    CHECK(sa.volume.geometry().origin == sb.volume.geometry().origin);
    CHECK(sb.about.field("PatientID") == "P1");
    CHECK(sb.about.field("PatientName") == "ANONYMOUS");
    CHECK(sb.about.listing.uid != sa.about.listing.uid);
    const Run info = run("info --json " + q(out.path / "copy"));
    REQUIRE(info.code == 0);
    const auto j = nlohmann::json::parse(info.out);
    REQUIRE(j["segmentations"]["layers"].size() == 1); // the SEG still references its (renamed) CT
    CHECK(j["segmentations"]["layers"][0]["segments"].size() > 1);
    // Refused: a folder that is not empty, or one inside the originals' folder.
    CHECK(run("anonymize " + q(in.path / "case") + " -o " + q(out.path / "copy")).code == 2);
    CHECK(run("anonymize " + q(in.path / "case") + " -o " + q(in.path / "case" / "anon")).code == 2);
    CHECK_FALSE(std::filesystem::exists(in.path / "case" / "anon"));
    // Also inside the folder given when no file lies directly in it (its files in a subfolder).
    std::filesystem::create_directories(in.path / "tree" / "sub");
    std::filesystem::copy(in.path / "case", in.path / "tree" / "sub",
                          std::filesystem::copy_options::recursive);
    CHECK(run("anonymize " + q(in.path / "tree") + " -o " + q(in.path / "tree" / "anon")).code == 2);
    CHECK_FALSE(std::filesystem::exists(in.path / "tree" / "anon"));
    CHECK(run("anonymize " + q(in.path / "nothing") + " -o " + q(out.path / "x")).code == 1);
}

TEST_CASE("anonymize: UIDs that name a kind stay, overlays' text, unlisted dates and a DICOMDIR do not") {
    TempDir in, out;
    writeRawDicom(
        in.path / "sc.dcm",
        {{0x0008, 0x0016, "1.3.12.2.1107.5.9.1"}, // a private SOP class (Siemens CSA Non-Image)
         {0x0008, 0x0018, "1.2.826.0.1.3680043.9.7777.1"},
         {0x0008, 0x0060, "CT"},
         {0x0008, 0x010C, "2.16.840.1.113883.6.96"}, // CodingSchemeUID (SNOMED CT), at the top here
         {0x0018, 0x1012, "20240102"}, // DateOfSecondaryCapture: not in the table, a date all the same
         {0x6000, 0x4000, "SECRET OVERLAY COMMENT"}});
    SeriesSpec spec = smallSeries(6, 5, 2);
    spec.fileName = [](int k) { return "IMAGES/IM" + std::to_string(k + 1); };
    for (const char* k :
         {"PatientID", "StudyDate", "StudyTime", "StudyID", "AccessionNumber", "StudyDescription"})
        spec.strings[k] = "1";
    writeSeries(spec, in.path / "dir");
    writeDicomdir(in.path / "dir", {"IMAGES/IM1", "IMAGES/IM2"});
    const AnonymizeReport r =
        anonymizeFiles({in.path / "sc.dcm", in.path / "dir" / "DICOMDIR"}, out.path, {});
    REQUIRE(r.written == 1);
    CHECK_THAT(r.files[1].problem, Catch::Contains("DICOMDIR"));
    const Header copy = headerOf(r.files[0].to);
    CHECK(copy.top.at("(0008,0016)") == "1.3.12.2.1107.5.9.1");
    CHECK(copy.top.at("(0008,010C)") == "2.16.840.1.113883.6.96");
    CHECK(copy.top.at("(0008,0018)") != "1.2.826.0.1.3680043.9.7777.1");
    CHECK_FALSE(copy.top.count("(0018,1012)"));
    CHECK_FALSE(copy.top.count("(6000,4000)"));
}
