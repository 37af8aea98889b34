// "PACS…": open studies from an archive: a DICOMweb server or a DIMSE node (dicom://AE@HOST:PORT, with our
// calling AE title, C-GET or C-MOVE and the C-MOVE port, kept in the node's URL). Nodes are kept in the
// settings (URLs and the names the user gave them); "Test" asks whether one answers (C-ECHO, or a one-study
// search); the search fields are the archive's (patient name with * wildcards, ID, accession, date or range,
// modality, limit); a click on a study lists its series; Open loads a study (its default CT series) or one
// series through the same load as a folder. Queries run on a thread of their own so that the window stays
// live; a 401 asks for a login, kept in the state for this session's queries and loads (never in settings,
// the recent list, logs or the title), and handed to each connection as a value.
#include "ui/panels.h"

#include "base/error.h"
#include "sources/archive.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <future>
#include <string>

namespace ctview::ui {

namespace {

// The dialog's own state (widget scratch), kept between frames.
struct PacsDialog {
    char server[512] = "";
    char name[65] = ""; // the node's name in the lists ("Orthanc", "Hospital PACS"); optional
    // A DIMSE node's: our calling AE title, how it sends (0 auto, 1 C-GET, 2 C-MOVE), the C-MOVE port.
    char callingAe[17] = "";
    int retrieve = 0, scpPort = 0;
    std::string shownNode; // the saved node whose fields these are
    char patient[128] = "", patientId[64] = "", accession[64] = "", date[32] = "", modality[16] = "";
    int limit = 50;
    char user[128] = "", password[128] = "";
    bool wantsLogin = false;
    std::string root;  // the server the tables below came from
    std::string error; // the last query's, one line
    std::future<ArchiveStudies> studiesQuery;
    std::future<ArchiveSeries> seriesQuery;
    std::future<std::string> testQuery;
    ArchiveStudies studies;
    ArchiveSeries series;
    std::string tested; // the last test's answer
    int selected = -1;  // study row
    bool searched = false;
};

template <class T> bool ready(const std::future<T>& f) {
    return f.valid() && f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

// Collects a finished query; an error becomes the dialog's message (a 401 asks for a login).
template <class T> bool take(PacsDialog& d, std::future<T>& f, T& into) {
    if (!ready(f))
        return false;
    try {
        into = f.get();
        d.error.clear();
        d.wantsLogin = false;
    } catch (const LoginRequired& e) {
        d.error = e.what();
        d.wantsLogin = true;
        into = {};
    } catch (const std::exception& e) {
        d.error = e.what();
        d.wantsLogin = false;
        into = {};
    }
    return true;
}

// A connection's options: the session's login (DICOMweb); a DIMSE node's options are in its URL.
LoadOptions withLogin(const RemoteLogin& login) {
    LoadOptions o;
    o.login = login;
    return o;
}

const char* const kRetrieveModes[] = {"auto", "get", "move"}; // DimseOptions::retrieve

// The node the fields describe, as a root URL (a DIMSE node with its options).
std::string nodeUrl(const PacsDialog& d) {
    DimseOptions o;
    o.callingAe = d.callingAe;
    o.retrieve = d.retrieve == 0 ? "" : kRetrieveModes[d.retrieve];
    o.scpPort = d.scpPort;
    return archiveNodeUrl(d.server, o);
}

// The fields of a node shown from its URL (a saved node picked, or typed with its options) and its name.
void showNode(PacsDialog& d, const std::string& url, const Preferences& prefs) {
    std::snprintf(d.server, sizeof d.server, "%s", url.c_str());
    const auto name = prefs.pacsNames.find(url);
    if (name != prefs.pacsNames.end())
        std::snprintf(d.name, sizeof d.name, "%s", name->second.c_str());
    else if (std::find(prefs.pacsServers.begin(), prefs.pacsServers.end(), url) != prefs.pacsServers.end())
        d.name[0] = '\0'; // a saved node without a name (one being typed keeps the name typed)
    const DimseOptions o = archiveNodeOptions(url);
    std::snprintf(d.callingAe, sizeof d.callingAe, "%s", o.callingAe.c_str());
    d.retrieve = o.retrieve == "get" ? 1 : o.retrieve == "move" ? 2 : 0;
    d.scpPort = o.scpPort;
    d.shownNode = url;
}

void startSearch(PacsDialog& d, const std::string& root, const RemoteLogin& login) {
    StudyQuery q;
    q.patientName = d.patient;
    q.patientId = d.patientId;
    q.accession = d.accession;
    q.date = d.date;
    q.modality = d.modality;
    q.limit = std::max(0, d.limit);
    d.root = root;
    d.selected = -1;
    d.series = {};
    d.searched = true;
    d.studiesQuery =
        std::async(std::launch::async, [root, q, login] { return findStudies(root, q, withLogin(login)); });
}

} // namespace

void drawPacsDialog(AppState& s, Commands& r) {
    static PacsDialog d;
    s.panels.pacsBusy = d.studiesQuery.valid() || d.seriesQuery.valid() || d.testQuery.valid();
    if (take(d, d.studiesQuery, d.studies))
        d.selected = -1;
    take(d, d.seriesQuery, d.series);
    if (ready(d.testQuery)) {
        std::string answer;
        take(d, d.testQuery, answer);
        d.tested = answer;
    }
    if (!s.panels.pacs)
        return;
    if (!d.server[0] && !s.prefs.pacsServers.empty())
        showNode(d, s.prefs.pacsServers.front(), s.prefs);

    placeDialog(ImVec2(820, 560), ImGuiCond_Appearing);
    if (!ImGui::Begin("PACS (DICOMweb, DIMSE)", &s.panels.pacs, ImGuiWindowFlags_NoCollapse)) {
        ImGui::End();
        return;
    }
    // Servers: the field (Enter searches), the saved ones in a list beside it, save and forget.
    ImGui::SetNextItemWidth(-420);
    const bool enter =
        ImGui::InputTextWithHint("##server", "http://host:8042/dicom-web or dicom://AE@host:104", d.server,
                                 sizeof d.server, ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(100);
    ImGui::InputTextWithHint("##name", "name", d.name, sizeof d.name);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(70);
    if (ImGui::BeginCombo("##saved", "saved", ImGuiComboFlags_HeightLarge)) {
        for (const std::string& url : s.prefs.pacsServers)
            if (ImGui::Selectable(s.prefs.pacsLabel(url).c_str(), url == d.server))
                showNode(d, url, s.prefs);
        if (s.prefs.pacsServers.empty())
            ImGui::TextDisabled("none yet: Save server");
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::Button("Save server")) {
        try {
            const std::string root = nodeUrl(d);
            if (std::find(s.prefs.pacsServers.begin(), s.prefs.pacsServers.end(), root) ==
                s.prefs.pacsServers.end())
                s.prefs.pacsServers.insert(s.prefs.pacsServers.begin(), root);
            s.prefs.pacsNames[root] = d.name;
            showNode(d, root, s.prefs);
        } catch (const std::exception& e) {
            d.error = e.what();
        }
    }
    ImGui::SameLine();
    if (ImGui::Button("Forget")) {
        s.prefs.pacsServers.erase(
            std::remove(s.prefs.pacsServers.begin(), s.prefs.pacsServers.end(), std::string(d.server)),
            s.prefs.pacsServers.end());
        s.prefs.pacsNames.erase(d.server);
        d.name[0] = '\0';
    }
    // Does it answer? C-ECHO for a DIMSE node, a one-study search for DICOMweb.
    ImGui::SameLine();
    ImGui::BeginDisabled(d.testQuery.valid() || !d.server[0]);
    if (ImGui::Button("Test")) {
        try {
            const std::string root = nodeUrl(d);
            d.tested.clear();
            d.testQuery = std::async(std::launch::async, [root, login = s.pacsLogin] {
                return testArchive(root, withLogin(login));
            });
        } catch (const std::exception& e) {
            d.error = e.what();
        }
    }
    ImGui::EndDisabled();
    // A DIMSE node: who we are to it and how it sends images (a row of its own).
    if (isDimseNode(d.server)) {
        if (d.shownNode != d.server) // typed with its options in the URL: the fields show them
            showNode(d, d.server, s.prefs);
        ImGui::SetNextItemWidth(130);
        ImGui::InputTextWithHint("##aet", "our AE: CTVIEW", d.callingAe, sizeof d.callingAe,
                                 ImGuiInputTextFlags_CharsUppercase | ImGuiInputTextFlags_CharsNoBlank);
        ImGui::SameLine();
        ImGui::SetNextItemWidth(170);
        ImGui::Combo("##retrieve", &d.retrieve, "C-GET, else C-MOVE\0C-GET only\0C-MOVE only\0");
        ImGui::SameLine();
        ImGui::SetNextItemWidth(110);
        ImGui::BeginDisabled(d.retrieve == 1);
        ImGui::InputInt("C-MOVE port##scp", &d.scpPort, 0);
        d.scpPort = std::clamp(d.scpPort, 0, 65535);
        ImGui::EndDisabled();
    }
    // The search (C-FIND or QIDO-RS): Enter in any field, or the button.
    bool search = false;
    struct Field {
        const char* id;
        const char* hint;
        char* text;
        std::size_t size;
        float width;
    };
    for (const Field& f : {Field{"##patient", "patient name (DOE*)", d.patient, sizeof d.patient, 150},
                           Field{"##pid", "patient ID", d.patientId, sizeof d.patientId, 110},
                           Field{"##acc", "accession", d.accession, sizeof d.accession, 100},
                           Field{"##date", "date 20240101-20241231", d.date, sizeof d.date, 150},
                           Field{"##mod", "CT", d.modality, sizeof d.modality, 60}}) {
        ImGui::SetNextItemWidth(f.width);
        search |=
            ImGui::InputTextWithHint(f.id, f.hint, f.text, f.size, ImGuiInputTextFlags_EnterReturnsTrue);
        ImGui::SameLine();
    }
    ImGui::SetNextItemWidth(70);
    ImGui::InputInt("##limit", &d.limit, 0);
    ImGui::SameLine();
    ImGui::BeginDisabled(d.studiesQuery.valid());
    const bool go = ImGui::Button("Search") || enter || search;
    ImGui::EndDisabled();
    if (go && !d.studiesQuery.valid()) {
        try {
            // "localhost:8042/dicom-web" is completed to http://..., and the field shows it.
            const std::string root = nodeUrl(d);
            showNode(d, root, s.prefs);
            startSearch(d, root, s.pacsLogin);
        } catch (const std::exception& e) {
            d.error = e.what();
        }
    }
    if (d.studiesQuery.valid() || d.seriesQuery.valid() || d.testQuery.valid())
        ImGui::TextDisabled("asking %s ...", d.testQuery.valid() ? d.server : d.root.c_str());
    if (!d.tested.empty() && !d.testQuery.valid())
        ImGui::TextUnformatted(d.tested.c_str());
    if (!d.error.empty())
        errorText(d.error);
    if (d.wantsLogin) {
        // Kept in the state for the queries and loads that follow (as a value); never written anywhere.
        ImGui::SetNextItemWidth(150);
        ImGui::InputTextWithHint("##user", "user", d.user, sizeof d.user);
        ImGui::SameLine();
        ImGui::SetNextItemWidth(150);
        ImGui::InputTextWithHint("##password", "password", d.password, sizeof d.password,
                                 ImGuiInputTextFlags_Password);
        ImGui::SameLine();
        if (ImGui::Button("Log in") && d.user[0]) {
            s.pacsLogin = {d.user, d.password, "", archiveHost(d.root)};
            std::fill(std::begin(d.password), std::end(d.password), '\0');
            if (!d.root.empty())
                startSearch(d, d.root, s.pacsLogin);
        }
    }

    // Studies.
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_SizingStretchProp;
    const std::vector<StudyRow>& studies = d.studies.studies;
    if (d.searched && studies.empty() && !d.studiesQuery.valid() && d.error.empty())
        ImGui::TextDisabled("no study matches");
    // The ID column as wide as the longest PatientID (an identifier is never cut: a cut one reads as another
    // valid ID); the others share the rest. A table keeps its columns' widths from its first frame, so each
    // width is a table of its own.
    float idWidth = ImGui::CalcTextSize("ID").x;
    for (const StudyRow& st : studies)
        idWidth = std::max(idWidth, ImGui::CalcTextSize(st.patientId.c_str()).x);
    char tableId[32];
    std::snprintf(tableId, sizeof tableId, "studies-%d", int(idWidth));
    if (ImGui::BeginTable(tableId, 7, flags, ImVec2(0, 220))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        for (const char* c : {"patient", "ID", "date", "description", "modalities", "series", "images"})
            if (c == std::string("ID"))
                ImGui::TableSetupColumn(c, ImGuiTableColumnFlags_WidthFixed, idWidth);
            else
                ImGui::TableSetupColumn(c);
        ImGui::TableHeadersRow();
        for (std::size_t n = 0; n < studies.size(); ++n) {
            const StudyRow& st = studies[n];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::PushID(int(n));
            if (ImGui::Selectable(
                    st.patientName.empty() ? "(no name)" : st.patientName.c_str(), d.selected == int(n),
                    ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
                if (d.selected != int(n) && !d.seriesQuery.valid()) {
                    d.selected = int(n);
                    d.series = {};
                    const std::string root = d.root, uid = st.uid;
                    d.seriesQuery = std::async(std::launch::async, [root, uid, login = s.pacsLogin] {
                        return findSeries(root, uid, withLogin(login));
                    });
                }
                if (ImGui::IsMouseDoubleClicked(0) && !s.load.active)
                    r.push_back({Command::Kind::Open, d.studies.urls[n]});
            }
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s", st.uid.c_str());
            ImGui::PopID();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(st.patientId.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(st.date.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(st.description.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(st.modalities.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%d", st.seriesCount);
            ImGui::TableNextColumn();
            ImGui::Text("%d", st.instanceCount);
        }
        ImGui::EndTable();
    }
    // The selected study's series.
    if (d.selected >= 0 && d.selected < int(studies.size())) {
        ImGui::BeginDisabled(s.load.active);
        if (ImGui::Button("Open study"))
            r.push_back({Command::Kind::Open, d.studies.urls[std::size_t(d.selected)]});
        ImGui::EndDisabled();
        ImGui::SameLine();
        ImGui::TextDisabled("the CT series with the most images, or pick one:");
        if (ImGui::BeginTable("pacs-series", 4, flags, ImVec2(0, 160))) {
            ImGui::TableSetupScrollFreeze(0, 1);
            for (const char* c : {"#", "modality", "description", "images"})
                ImGui::TableSetupColumn(c);
            ImGui::TableHeadersRow();
            for (std::size_t n = 0; n < d.series.series.size(); ++n) {
                const SeriesRow& se = d.series.series[n];
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                char label[48];
                std::snprintf(label, sizeof label, "%d##%s", se.number, se.uid.c_str());
                if (ImGui::Selectable(label, false, ImGuiSelectableFlags_SpanAllColumns) && !s.load.active)
                    r.push_back({Command::Kind::Open, d.series.urls[n]});
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(se.modality.c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(se.description.c_str());
                ImGui::TableNextColumn();
                ImGui::Text("%d", se.instanceCount);
            }
            ImGui::EndTable();
        }
    }
    for (const Command& c : r)
        if (c.kind == Command::Kind::Open && isArchiveUrl(c.path))
            s.panels.pacs = false;
    ImGui::End();
}

} // namespace ctview::ui
