// DIMSE (dicom:// URLs) against a real Orthanc's DICOM port (tests/support/orthanc.h), with DCMTK's own tools
// as the independent check. Like the DICOMweb cases, the [dimse] ones share one Orthanc and run as one CTest
// test ("dimse_orthanc"); the URL cases need no server.
#include "dcmqrscp.h"
#include "orthanc.h"
#include "pacs_cases.h"

#include "base/error.h"
#include "dicomweb/dicomweb.h"
#include "dimse/dimse.h"
#include "sources/archive.h"
#include "sources/series.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>

using namespace ctview;
using namespace ctview::test;

namespace {

struct DimseSession : CachedSession {
    std::string studyUrl(const Uploaded& u) const { return pacs.dimseRoot() + "/" + u.study; }
    std::string seriesUrl(const Uploaded& u) const { return studyUrl(u) + "/" + u.series; }
};

LoadOptions dimse(const std::string& aet, const std::string& retrieve, int scpPort = 0) {
    LoadOptions o = fastOptions();
    o.dimse.callingAe = aet;
    o.dimse.retrieve = retrieve;
    o.dimse.scpPort = scpPort;
    return o;
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("dicom:// URLs: an archive, a study, a series, what is wrong with a bad one is said") {
    const DimseUrl root = parseDimseUrl("dicom://PACS@pacs.example.org:11112");
    CHECK(root.calledAe == "PACS");
    CHECK(root.host == "pacs.example.org");
    CHECK(root.port == 11112);
    CHECK(root.study.empty());
    CHECK(root.node() == "PACS@pacs.example.org:11112");
    CHECK(parseDimseUrl("DICOM://PACS@h").port == 104); // PS3.8's port when none is given
    const DimseUrl series = parseDimseUrl("dicom://PACS@h:4242/1.2.3/1.2.3.4/");
    CHECK(series.study == "1.2.3");
    CHECK(series.series == "1.2.3.4");
    CHECK(series.text() == "dicom://PACS@h:4242/1.2.3/1.2.3.4");
    CHECK(isDimseUrl("dicom://A@h"));
    CHECK_FALSE(isDimseUrl("http://h/dicom-web"));
    CHECK_FALSE(isDimseUrl("/data/dicom"));
    CHECK_THROWS_WITH(parseDimseUrl("dicom://h:104"), Catch::Contains("AE title"));
    CHECK_THROWS_WITH(parseDimseUrl("dicom://A_TITLE_OF_17_CHARS@h"), Catch::Contains("16 characters"));
    CHECK_THROWS_WITH(parseDimseUrl("dicom://A@h:70000"), Catch::Contains("port"));
    CHECK_THROWS_WITH(parseDimseUrl("dicom://A@h:104/1.2/x.y"), Catch::Contains("digits and dots"));
    CHECK_THROWS_WITH(parseDimseUrl("dicom://A@h:104/1.2/1.3/1.4"), Catch::Contains("nothing may follow"));
    CHECK_THROWS_AS(parseDimseUrl("dicom://A@:104"), UsageError);
    // A UID becomes a folder of the cache: never "..", nor dots without digits between them.
    CHECK_THROWS_WITH(parseDimseUrl("dicom://A@h/.."), Catch::Contains("digits and dots"));
    CHECK_THROWS_WITH(parseDimseUrl("dicom://A@h/1.2/1..3"), Catch::Contains("digits and dots"));
    // On the command line: a usage error (2), before any connection.
    CHECK(run("info 'dicom://A_TITLE_OF_17_CHARS@127.0.0.1:1'").code == 2);
    CHECK(run("info --retrieve fetch 'dicom://A@127.0.0.1:1'").code == 2);
}

TEST_CASE("DIMSE: C-ECHO, C-FIND lists studies with the same filters as DICOMweb", "[dimse]") {
    DimseSession session;
    study("one", ctSpec(12, 10, 8, "DW^ONE"));
    study("two", ctSpec(6, 6, 3, "DW^TWO"));
    DimseClient client(parseDimseUrl(session.pacs.dimseRoot()), DimseOptions{});
    client.echo();
    // The PACS dialog's "Test", and its series list (each with the URL it opens).
    CHECK_THAT(testArchive(session.pacs.dimseRoot(), {}),
               Catch::StartsWith("ORTHANC@127.0.0.1:") && Catch::Contains(": C-ECHO answered in"));
    LoadOptions stranger;
    stranger.dimse.callingAe = "STRANGER";
    CHECK_THROWS_WITH(testArchive(session.pacs.dimseRoot(), stranger), Catch::Contains("STRANGER"));
    const ArchiveSeries listed = findSeries(session.pacs.dimseRoot(), study("one", {}).study, {});
    REQUIRE(listed.series.size() == 1);
    CHECK(listed.series[0].instanceCount == 8);
    CHECK(listed.urls[0] ==
          session.pacs.dimseRoot() + "/" + study("one", {}).study + "/" + study("one", {}).series);
    std::set<std::string> names;
    for (const StudyRow& s : client.studies({}))
        names.insert(s.patientName);
    CHECK(names.count("DW^ONE"));
    CHECK(names.count("DW^TWO"));

    const Run one = run("info --json --patient 'DW^TWO' " + q(session.pacs.dimseRoot()));
    REQUIRE(one.code == 0);
    const auto j = nlohmann::json::parse(one.out);
    CHECK(j["kind"] == "DIMSE");
    const auto studies = j["studies"];
    REQUIRE(studies.size() == 1);
    CHECK(studies[0]["patient_id"] == "DW^TWO-ID");
    CHECK(studies[0]["images"] == 3);
    CHECK(studies[0]["series"] == 1);
    CHECK(studies[0]["modalities"] == "CT");
    CHECK(studies[0]["description"] == "study of DW^TWO");
    CHECK(studies[0]["url"] == session.pacs.dimseRoot() + "/" + study("two", {}).study);
    CHECK(nlohmann::json::parse(run("info --json --limit 1 " + q(session.pacs.dimseRoot())).out)["studies"]
              .size() == 1);
    CHECK(nlohmann::json::parse(
              run("info --json --patient 'NOBODY*' " + q(session.pacs.dimseRoot())).out)["studies"]
              .empty());
    CHECK(
        nlohmann::json::parse(
            run("info --json --patient 'DW^T*' --modality CT " + q(session.pacs.dimseRoot())).out)["studies"]
            .size() == 1);
    // Dates: a range, open ends, and a date the archive could not parse (a usage error, not "0 studies").
    const auto byDate = [&](const std::string& date) {
        return nlohmann::json::parse(
                   run("info --json --date " + date + " " + q(session.pacs.dimseRoot())).out)["studies"]
            .size();
    };
    CHECK(byDate("20240101-20241231") >= 2);
    CHECK(byDate("20240315-") >= 2);
    CHECK(byDate("-20240314") == 0);
    CHECK(byDate("20240316-") == 0);
    const Run badDate = run("info --date garbage " + q(session.pacs.dimseRoot()));
    CHECK(badDate.code == 2);
    CHECK_THAT(badDate.out, Catch::Contains("date garbage: give YYYYMMDD"));
    CHECK(isDicomDateRange("20240131"));
    CHECK(isDicomDateRange("20240101-20241231"));
    CHECK(isDicomDateRange("-20241231"));
    CHECK_FALSE(isDicomDateRange("-"));
    CHECK_FALSE(isDicomDateRange("2024-01-31"));
    CHECK_FALSE(isDicomDateRange("20241301"));
    const Run text = run("info --patient-id DW^ONE-ID " + q(session.pacs.dimseRoot()));
    CHECK(text.code == 0);
    CHECK_THAT(text.out, Catch::Contains("1 study on dicom://ORTHANC@127.0.0.1:") &&
                             Catch::Contains("DW^ONE") &&
                             Catch::Contains("Open one: ctview dicom://ORTHANC@"));
    // DCMTK's findscu, the independent check, finds the same study.
    const Run find =
        shell("findscu -S -aet CTVIEW -aec ORTHANC -k QueryRetrieveLevel=STUDY -k PatientName=DW^ONE "
              "-k StudyInstanceUID 127.0.0.1 " +
              std::to_string(session.pacs.dicomPort()) + " 2>&1");
    CHECK_THAT(find.out, Catch::Contains(study("one", {}).study));
}

TEST_CASE("DIMSE: a series by C-GET and by C-MOVE is exactly the volume of the same files read from a folder",
          "[dimse]") {
    DimseSession session;
    const Uploaded& u = study("one", ctSpec(12, 10, 8, "DW^ONE"));
    const Series local = loadFrom(u.folder.string());
    {
        const Series got = loadFrom(session.seriesUrl(u), dimse("CTVIEW", "get"));
        requireSameVolume(got, local);
        CHECK(got.about.source == "DIMSE");
        CHECK(got.about.location == session.seriesUrl(u));
        CHECK(got.about.field("PatientName") == "DW^ONE");
        // The cache holds patient data: owner only; the images as they came.
        struct stat st {};
        REQUIRE(::stat(dicomWebCacheRoot().c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
        CHECK(dcmFiles(dicomWebCacheRoot()) == 8);
    }
    {
        DimseSession fresh; // an empty cache: fetched again, by C-MOVE this time
        const Series moved = loadFrom(fresh.studyUrl(u), dimse("CTVIEW", "move", session.pacs.scpPort()));
        requireSameVolume(moved, local);
        CHECK(dcmFiles(dicomWebCacheRoot()) == 8);
        // Three images lost from the cache: the next open asks for those three alone (one image-level C-MOVE
        // with their UIDs) and the volume is whole again.
        std::vector<std::filesystem::path> cached;
        for (const auto& e : std::filesystem::recursive_directory_iterator(dicomWebCacheRoot()))
            if (e.path().extension() == ".dcm")
                cached.push_back(e.path());
        REQUIRE(cached.size() == 8);
        for (int n = 0; n < 3; ++n)
            std::filesystem::remove(cached[std::size_t(n)]);
        requireSameVolume(loadFrom(fresh.studyUrl(u), dimse("CTVIEW", "move", session.pacs.scpPort())),
                          local);
        CHECK(dcmFiles(dicomWebCacheRoot()) == 8);
    }
    // The command line: the same numbers as the folder gives.
    DimseSession cli;
    const Run info = run("info --json " + q(cli.seriesUrl(u)));
    REQUIRE(info.code == 0);
    const auto j = nlohmann::json::parse(info.out);
    CHECK(j["source"]["kind"] == "DIMSE");
    CHECK(j["image"]["slices"] == 8);
    CHECK(j["patient"]["name"] == "DW^ONE");
    // The text's series table agrees with the lines below it (the archive's listing has no size).
    const Run text = run("info " + q(cli.seriesUrl(u)));
    CHECK_THAT(text.out, Catch::Contains("12x10") && !Catch::Contains("0.00 mm"));
    // Cached: it opens again with the archive out of reach (behind a proxy that is then stopped).
    CuttingProxy proxy(session.pacs.dicomPort());
    const std::string viaProxy =
        "dicom://ORTHANC@127.0.0.1:" + std::to_string(proxy.port()) + "/" + u.study + "/" + u.series;
    requireSameVolume(loadFrom(viaProxy, dimse("CTVIEW", "get")), local);
    proxy.stop();
    const auto offline = openSource(viaProxy, dimse("CTVIEW", "get"));
    CHECK_THAT(offline->summary(), Catch::Contains("from the cache"));
    REQUIRE(offline->problems().size() == 1); // the reason once, not in the summary too
    CHECK_THAT(offline->problems()[0], Catch::Contains("connection refused"));
    CHECK(offline->summary().find("connection refused") == std::string::npos);
    requireSameVolume(offline->load(offline->pick("").number, dimse("CTVIEW", "get")), local);
}

TEST_CASE("DIMSE: an archive that refuses C-GET is asked by C-MOVE, without --scp-port it says how",
          "[dimse]") {
    DimseSession session;
    const Uploaded& u = study("one", ctSpec(12, 10, 8, "DW^ONE"));
    // NOGET may not C-GET (Orthanc aborts the association): auto falls back to C-MOVE to its port.
    requireSameVolume(loadFrom(session.seriesUrl(u), dimse("NOGET", "auto", session.pacs.nogetScpPort())),
                      loadFrom(u.folder.string()));
    DimseSession again;
    CHECK_THAT(errorOf([&] { loadFrom(again.seriesUrl(u), dimse("NOGET", "auto")); }),
               Catch::Contains("refused C-GET") && Catch::Contains("--scp-port"));
    CHECK_THAT(errorOf([&] { loadFrom(again.seriesUrl(u), dimse("NOGET", "get")); }),
               Catch::Contains("refused C-GET"));
    // A C-MOVE the archive cannot deliver (nobody listens where it sends NOGET's images: we listen
    // elsewhere).
    CHECK_THAT(errorOf([&] { loadFrom(again.seriesUrl(u), dimse("NOGET", "move", freePort())); }),
               Catch::Contains("the C-MOVE failed") && Catch::Contains("NOGET"));
    CHECK(dcmFiles(dicomWebCacheRoot()) == 0);
}

TEST_CASE(
    "DIMSE: unknown calling AE, wrong called AE, a closed port, a port that is not DICOM: one line each, "
    "exit 1",
    "[dimse]") {
    DimseSession session;
    const std::string port = std::to_string(session.pacs.dicomPort());
    const Run stranger = run("info --aet STRANGER " + q(session.pacs.dimseRoot()));
    CHECK(stranger.code == 1);
    CHECK_THAT(stranger.out, Catch::Contains("ORTHANC@127.0.0.1:" + port) &&
                                 Catch::Contains("does not know the calling AE title STRANGER"));
    const Run wrong = run("info 'dicom://NOTORTHANC@127.0.0.1:" + port + "'");
    CHECK(wrong.code == 1);
    CHECK_THAT(wrong.out, Catch::Contains("AE title is not NOTORTHANC"));
    const std::string closed = std::to_string(freePort());
    const Run refused = run("info 'dicom://ORTHANC@127.0.0.1:" + closed + "'");
    CHECK(refused.code == 1);
    CHECK_THAT(refused.out, Catch::Contains("ORTHANC@127.0.0.1:" + closed + ": connection refused"));
    const Run http = run("info 'dicom://ORTHANC@127.0.0.1:" + std::to_string(session.pacs.port()) + "'");
    CHECK(http.code == 1);
    CHECK_THAT(http.out, Catch::Contains("is this a DICOM port?"));
    // No study of that UID.
    const Run none = run("info " + q(session.pacs.dimseRoot() + "/1.2.3.4.5"));
    CHECK(none.code == 1);
    CHECK_THAT(none.out, Catch::Contains("no such study"));
    for (const Run* r : {&stranger, &wrong, &refused, &http, &none})
        CHECK(std::count(r->out.begin(), r->out.end(), '\n') == 1);
}

TEST_CASE("DIMSE: a retrieve cut mid-way keeps what arrived, the next open fetches only the rest",
          "[dimse]") {
    DimseSession session;
    const Uploaded& u = study("big", ctSpec(64, 64, 30, "DW^BIG"));
    CuttingProxy proxy(session.pacs.dicomPort());
    const std::string url =
        "dicom://ORTHANC@127.0.0.1:" + std::to_string(proxy.port()) + "/" + u.study + "/" + u.series;
    proxy.cutAfter = 120000; // of a ~250 kB C-GET: the C-FINDs pass, the images are cut
    CHECK_THAT(errorOf([&] { loadFrom(url, dimse("CTVIEW", "get")); }),
               Catch::Contains("transfer ended early") && Catch::Contains("of 30 images"));
    CHECK(proxy.cuts == 1);
    const std::size_t kept = dcmFiles(dicomWebCacheRoot());
    CHECK(kept > 0);
    CHECK(kept < 30);
    for (const auto& e : std::filesystem::recursive_directory_iterator(dicomWebCacheRoot()))
        CHECK(e.path().extension() != ".part");
    requireSameVolume(loadFrom(url, dimse("CTVIEW", "get")), loadFrom(u.folder.string()));
    CHECK(dcmFiles(dicomWebCacheRoot()) == 30);
}

TEST_CASE("DIMSE: a retrieve with failed sub-operations says how many images arrived and keeps them",
          "[dimse]") {
    // A series whose last image is of a SOP class that the C-GET did not propose (a private one): the archive
    // cannot send it on our association and reports a failed sub-operation.
    DimseSession session;
    TempDir work;
    SeriesSpec spec = ctSpec(10, 8, 6, "DW^FAILS");
    spec.studyUID = makeUid("study fails");
    spec.seriesUID = makeUid("series fails");
    writeSeries(spec, work.path / "ct");
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(work.path / "ct"))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() == 6);
    const auto odd = work.path / "odd.dcm";
    std::filesystem::copy_file(files.back(), odd);
    REQUIRE(shell("dcmodify -nb -m SOPClassUID=1.2.826.0.1.3680043.8.498.77 -m SOPInstanceUID=" +
                  makeUid("odd image") + " " + q(odd) + " 2>&1")
                .code == 0);
    files.push_back(odd);
    session.pacs.upload(files);
    const std::string url = session.pacs.dimseRoot() + "/" + spec.studyUID + "/" + spec.seriesUID;
    const std::string error = errorOf([&] { loadFrom(url, dimse("CTVIEW", "get")); });
    CHECK_THAT(error, Catch::Contains("ORTHANC@127.0.0.1:") && Catch::Contains("of 7 images arrived") &&
                          Catch::Contains("the archive reported 1 failure") &&
                          Catch::Contains("what arrived is kept"));
    CHECK(error.find("C-MOVE") == std::string::npos); // failed images are no refusal of C-GET
    CHECK(dcmFiles(dicomWebCacheRoot()) <= 6);
}

TEST_CASE("DIMSE: an archive that stalls says so after the response timeout and keeps what arrived",
          "[dimse]") {
    DimseSession session;
    const Uploaded& u = study("stall", ctSpec(64, 64, 20, "DW^STALL"));
    DimseTimeouts quick;
    quick.response = 2; // 30 s in use; the same code path
    DimseClient client(parseDimseUrl(session.pacs.dimseRoot()), DimseOptions{}, quick);
    TempDir got;
    // Mid-retrieve: the archive stops (SIGSTOP) after the second image; the images before stay.
    std::unique_ptr<Orthanc::Paused> paused;
    std::size_t landed = 0;
    const auto start = std::chrono::steady_clock::now();
    const DimseRetrieved r =
        client.retrieve(u.study, u.series, "", got.path, {}, [&](const std::filesystem::path&) {
            if (++landed == 2)
                paused = session.pacs.pause();
        });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    paused.reset();
    CHECK(r.arrived >= 2);
    CHECK(r.arrived < 20);
    CHECK_FALSE(r.complete);
    CHECK(dcmFiles(got.path) == r.arrived);
    CHECK(seconds < 15);
    // Before any answer: the association itself waits, then one line naming the node and the wait.
    {
        const auto stopped = session.pacs.pause();
        const std::string error = errorOf([&] { client.echo(); });
        CHECK_THAT(error, Catch::Contains("ORTHANC@127.0.0.1:") &&
                              Catch::Contains("did not answer the association request within 2 s"));
    }
    client.echo(); // and it answers again
}

TEST_CASE("DIMSE: DCMTK's own archive (dcmqrscp): C-GET and C-MOVE give the folder's volume without the "
          "archive's counts, a C-MOVE destination it does not know is named",
          "[dimse]") {
    DimseSession session; // an empty cache of its own
    const int scpPort = freePort();
    Dcmqrscp archive({{"CTVIEW", scpPort}});
    const Uploaded& u = study("one", ctSpec(12, 10, 8, "DW^ONE"));
    archive.upload(u.folder);
    const Series local = loadFrom(u.folder.string());
    const std::string series = archive.root() + "/" + u.study + "/" + u.series;
    const Run listed = run("info --json " + q(archive.root()));
    REQUIRE(listed.code == 0);
    CHECK(nlohmann::json::parse(listed.out)["studies"][0]["url"] == archive.root() + "/" + u.study);
    requireSameVolume(loadFrom(series, dimse("CTVIEW", "get")), local);
    {
        DimseSession fresh;
        requireSameVolume(loadFrom(series, dimse("CTVIEW", "move", scpPort)), local);
    }
    DimseSession fresh;
    const std::string error = errorOf([&] { loadFrom(series, dimse("STRANGER", "move", freePort())); });
    CHECK_THAT(error, Catch::Contains("ARCHIVE@127.0.0.1:") &&
                          Catch::Contains("does not know the C-MOVE destination STRANGER"));
    CHECK(dcmFiles(dicomWebCacheRoot()) == 0);
}

TEST_CASE("a PACS node as the dialog keeps it: a DIMSE node's options travel in its URL") {
    CHECK(archiveNodeUrl("dicom://PACS@h:4242") == "dicom://PACS@h:4242");
    CHECK(archiveNodeUrl("localhost:8042/dicom-web/") == "http://localhost:8042/dicom-web");
    DimseOptions o;
    o.callingAe = "ME";
    o.retrieve = "move";
    o.scpPort = 11113;
    const std::string node = archiveNodeUrl("dicom://PACS@h:4242", o);
    CHECK(node == "dicom://PACS@h:4242?aet=ME&retrieve=move&scp-port=11113");
    CHECK(archiveNodeOptions(node).callingAe == "ME");
    // The dialog's fields are the node's options: emptied, they are the defaults again.
    CHECK(archiveNodeUrl(node, {}) == "dicom://PACS@h:4242");
    CHECK(archiveNodeOptions(node).scpPort == 11113);
    CHECK(isArchiveRoot(node));
    CHECK(isDimseNode(node));
    CHECK_FALSE(isDimseNode("http://h/dicom-web"));
    // A study of it keeps the options; the command line's win over them.
    const DimseUrl study = parseDimseUrl(parseDimseUrl(node).studyUrl("1.2.3"));
    CHECK(study.text() == "dicom://PACS@h:4242/1.2.3?aet=ME&retrieve=move&scp-port=11113");
    DimseOptions cli;
    cli.callingAe = "OTHER";
    const DimseOptions used = effectiveOptions(study, cli);
    CHECK(used.callingAe == "OTHER");
    CHECK(used.retrieve == "move");
    CHECK(used.scpPort == 11113);
    CHECK(effectiveOptions(parseDimseUrl("dicom://PACS@h"), {}).callingAe == "CTVIEW");
    CHECK(effectiveOptions(parseDimseUrl("dicom://PACS@h"), {}).retrieve == "auto");
    CHECK(canonicalArchiveUrl("DICOM://PACS@h/1.2/") == "dicom://PACS@h:104/1.2");
    CHECK_THROWS_WITH(parseDimseUrl("dicom://PACS@h?color=red"), Catch::Contains("unknown option"));
    CHECK_THROWS_WITH(archiveNodeUrl("dicom://PACS@h/1.2.3"), Catch::Contains("not a study"));
}

TEST_CASE("DIMSE: the viewer opens a study of a DIMSE node through its PACS dialog (xdotool)",
          "[dimse][e2e]") {
    DimseSession session;
    const Run r = openThroughPacsDialog(session.pacs.dimseRoot());
    INFO(r.out);
    CHECK(r.code == 0);
}

TEST_CASE(
    "DIMSE: an anonymised copy sent by C-STORE lands in Orthanc and reads back equal, a file that is not "
    "DICOM is reported and the rest are sent",
    "[dimse]") {
    DimseSession session;
    const Uploaded& u = study("one", ctSpec(12, 10, 8, "DW^ONE"));
    TempDir work;
    REQUIRE(run("anonymize " + q(u.folder) + " -o " + q(work.path / "copy") + " --patient-id SENT-1").code ==
            0);
    std::ofstream(work.path / "copy" / "readme.txt") << "not DICOM";
    const Run sent = run("send " + q(work.path / "copy") + " " + q(session.pacs.dimseRoot()));
    CHECK(sent.code == 1); // one file was not sent
    CHECK_THAT(sent.out,
               Catch::Contains("8 of 9 files sent to ORTHANC@127.0.0.1:") &&
                   Catch::Contains("failed " + (work.path / "copy" / "readme.txt").string() + ": not DICOM"));
    // The copy as the archive now has it: found by its new study UID, retrieved, equal to the local copy.
    std::filesystem::remove(work.path / "copy" / "readme.txt");
    const Series local = loadFrom((work.path / "copy").string());
    REQUIRE(!local.about.studyUid.empty());
    CHECK(local.about.studyUid != u.study);
    const Series back =
        loadFrom(session.pacs.dimseRoot() + "/" + local.about.studyUid, dimse("CTVIEW", "get"));
    requireSameVolume(back, local);
    CHECK(back.about.field("PatientID") == "SENT-1");
    // DCMTK's findscu sees it too.
    const Run find =
        shell("findscu -S -aet CTVIEW -aec ORTHANC -k QueryRetrieveLevel=STUDY -k PatientID=SENT-1 "
              "-k StudyInstanceUID 127.0.0.1 " +
              std::to_string(session.pacs.dicomPort()) + " 2>&1");
    CHECK_THAT(find.out, Catch::Contains(local.about.studyUid));
    // An AE title the archive does not know: one line, exit 1, nothing sent.
    const Run stranger =
        run("send --aet STRANGER " + q(work.path / "copy") + " " + q(session.pacs.dimseRoot()));
    CHECK(stranger.code == 1);
    CHECK_THAT(stranger.out, Catch::Contains("does not know the calling AE title STRANGER"));
    const Run toStudy = run("send " + q(work.path / "copy") + " " + q(session.pacs.dimseRoot() + "/1.2.3"));
    CHECK(toStudy.code == 2);
    CHECK_THAT(toStudy.out, Catch::Contains("not to a study or series"));
}
