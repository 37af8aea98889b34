// "PACS…": open studies from a DICOMweb server. Servers are kept in the settings (URLs only); the search
// fields are QIDO-RS's (patient name with * wildcards, ID, accession, date or range, modality, limit); a
// click on a study lists its series; Open loads a study (its default CT series) or one series through the
// same load as a folder. Queries run on a thread of their own so that the window stays live; a 401 asks for a
// login, kept in the state for this session's queries and loads (never in settings, the recent list, logs or
// the title), and handed to each connection as a value.
#include "ui/panels.h"

#include "base/error.h"
#include "dicomweb/dicomweb.h"

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
    char patient[128] = "", patientId[64] = "", accession[64] = "", date[32] = "", modality[16] = "";
    int limit = 50;
    char user[128] = "", password[128] = "";
    bool wantsLogin = false;
    std::string root;  // the server the tables below came from
    std::string error; // the last query's, one line
    std::future<std::vector<StudyRow>> studiesQuery;
    std::future<std::vector<SeriesRow>> seriesQuery;
    std::vector<StudyRow> studies;
    std::vector<SeriesRow> series;
    int selected = -1; // study row
    bool searched = false;
};

template <class T> bool ready(const std::future<T>& f) {
    return f.valid() && f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

// Collects a finished query; an error becomes the dialog's message (a 401 asks for a login).
template <class T> bool take(PacsDialog& d, std::future<T>& f, std::vector<typename T::value_type>& into) {
    if (!ready(f))
        return false;
    try {
        into = f.get();
        d.error.clear();
        d.wantsLogin = false;
    } catch (const LoginRequired& e) {
        d.error = e.what();
        d.wantsLogin = true;
        into.clear();
    } catch (const std::exception& e) {
        d.error = e.what();
        d.wantsLogin = false;
        into.clear();
    }
    return true;
}

// A connection's options with the session's login.
HttpOptions withLogin(const RemoteLogin& login) {
    HttpOptions o;
    o.login = login;
    return o;
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
    d.series.clear();
    d.searched = true;
    d.studiesQuery = std::async(std::launch::async, [root, q, login] {
        return DicomWebClient(parseDicomWebUrl(root), withLogin(login)).studies(q);
    });
}

} // namespace

void drawPacsDialog(AppState& s, Commands& r) {
    static PacsDialog d;
    s.panels.pacsBusy = d.studiesQuery.valid() || d.seriesQuery.valid();
    if (take(d, d.studiesQuery, d.studies))
        d.selected = -1;
    take(d, d.seriesQuery, d.series);
    if (!s.panels.pacs)
        return;
    if (!d.server[0] && !s.prefs.pacsServers.empty())
        std::snprintf(d.server, sizeof d.server, "%s", s.prefs.pacsServers.front().c_str());

    placeDialog(ImVec2(820, 560), ImGuiCond_Appearing);
    if (!ImGui::Begin("PACS (DICOMweb)", &s.panels.pacs, ImGuiWindowFlags_NoCollapse)) {
        ImGui::End();
        return;
    }
    // Servers: the field (Enter searches), the saved ones in a list beside it, save and forget.
    ImGui::SetNextItemWidth(-260);
    const bool enter = ImGui::InputTextWithHint("##server", "http://host:8042/dicom-web", d.server,
                                                sizeof d.server, ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(70);
    if (ImGui::BeginCombo("##saved", "saved", ImGuiComboFlags_HeightLarge)) {
        for (std::size_t n = 0; n < s.prefs.pacsServers.size(); ++n)
            if (ImGui::Selectable(s.prefs.pacsServers[n].c_str(), s.prefs.pacsServers[n] == d.server))
                std::snprintf(d.server, sizeof d.server, "%s", s.prefs.pacsServers[n].c_str());
        if (s.prefs.pacsServers.empty())
            ImGui::TextDisabled("none yet: Save server");
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::Button("Save server")) {
        const std::string u = completeServerUrl(d.server);
        std::snprintf(d.server, sizeof d.server, "%s", u.c_str());
        try {
            const DicomWebUrl url = parseDicomWebUrl(u);
            if (!url.study.empty())
                throw UsageError(u + ": give the server's root, not a study");
            if (std::find(s.prefs.pacsServers.begin(), s.prefs.pacsServers.end(), url.root) ==
                s.prefs.pacsServers.end())
                s.prefs.pacsServers.insert(s.prefs.pacsServers.begin(), url.root);
        } catch (const std::exception& e) {
            d.error = e.what();
        }
    }
    ImGui::SameLine();
    if (ImGui::Button("Forget")) {
        s.prefs.pacsServers.erase(
            std::remove(s.prefs.pacsServers.begin(), s.prefs.pacsServers.end(), std::string(d.server)),
            s.prefs.pacsServers.end());
    }
    // The search (QIDO-RS): Enter in any field, or the button.
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
            std::snprintf(d.server, sizeof d.server, "%s", completeServerUrl(d.server).c_str());
            const DicomWebUrl url = parseDicomWebUrl(d.server);
            startSearch(d, url.root, s.pacsLogin);
        } catch (const std::exception& e) {
            d.error = e.what();
        }
    }
    if (d.studiesQuery.valid() || d.seriesQuery.valid())
        ImGui::TextDisabled("asking %s ...", d.root.c_str());
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
            std::string host;
            try {
                host = parseDicomWebUrl(d.root).host;
            } catch (const std::exception&) {
                // no server asked yet: the login goes to whichever is asked next
            }
            s.pacsLogin = {d.user, d.password, "", host};
            std::fill(std::begin(d.password), std::end(d.password), '\0');
            if (!d.root.empty())
                startSearch(d, d.root, s.pacsLogin);
        }
    }

    // Studies.
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_SizingStretchProp;
    if (d.searched && d.studies.empty() && !d.studiesQuery.valid() && d.error.empty())
        ImGui::TextDisabled("no study matches");
    if (ImGui::BeginTable("studies", 7, flags, ImVec2(0, 220))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        // The ID column as wide as the longest PatientID (an identifier is never cut: a cut one reads as
        // another valid ID); the others share the rest.
        float idWidth = ImGui::CalcTextSize("ID").x;
        for (const StudyRow& st : d.studies)
            idWidth = std::max(idWidth, ImGui::CalcTextSize(st.patientId.c_str()).x);
        for (const char* c : {"patient", "ID", "date", "description", "modalities", "series", "images"})
            if (c == std::string("ID"))
                ImGui::TableSetupColumn(c, ImGuiTableColumnFlags_WidthFixed, idWidth);
            else
                ImGui::TableSetupColumn(c);
        ImGui::TableHeadersRow();
        for (std::size_t n = 0; n < d.studies.size(); ++n) {
            const StudyRow& st = d.studies[n];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::PushID(int(n));
            if (ImGui::Selectable(
                    st.patientName.empty() ? "(no name)" : st.patientName.c_str(), d.selected == int(n),
                    ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
                if (d.selected != int(n) && !d.seriesQuery.valid()) {
                    d.selected = int(n);
                    d.series.clear();
                    const std::string root = d.root, uid = st.uid;
                    d.seriesQuery = std::async(std::launch::async, [root, uid, login = s.pacsLogin] {
                        return DicomWebClient(parseDicomWebUrl(root), withLogin(login)).series(uid);
                    });
                }
                if (ImGui::IsMouseDoubleClicked(0) && !s.load.active)
                    r.push_back({Command::Kind::Open, d.root + "/studies/" + st.uid});
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
    if (d.selected >= 0 && d.selected < int(d.studies.size())) {
        const StudyRow& st = d.studies[std::size_t(d.selected)];
        ImGui::BeginDisabled(s.load.active);
        if (ImGui::Button("Open study"))
            r.push_back({Command::Kind::Open, d.root + "/studies/" + st.uid});
        ImGui::EndDisabled();
        ImGui::SameLine();
        ImGui::TextDisabled("the CT series with the most images, or pick one:");
        if (ImGui::BeginTable("pacs-series", 4, flags, ImVec2(0, 160))) {
            ImGui::TableSetupScrollFreeze(0, 1);
            for (const char* c : {"#", "modality", "description", "images"})
                ImGui::TableSetupColumn(c);
            ImGui::TableHeadersRow();
            for (const SeriesRow& se : d.series) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                char label[48];
                std::snprintf(label, sizeof label, "%d##%s", se.number, se.uid.c_str());
                if (ImGui::Selectable(label, false, ImGuiSelectableFlags_SpanAllColumns) && !s.load.active)
                    r.push_back({Command::Kind::Open, d.root + "/studies/" + st.uid + "/series/" + se.uid});
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
        if (c.kind == Command::Kind::Open && c.path.rfind(d.root, 0) == 0 && !d.root.empty())
            s.panels.pacs = false;
    ImGui::End();
}

} // namespace ctview::ui
