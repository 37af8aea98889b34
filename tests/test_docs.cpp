// The docs as a reader follows them: every relative link of README.md and docs/ leads to a file or folder of
// the tree (a moved or renamed page breaks this test, not the reader's click). The pages whose tables are
// pinned to the code are tested with that code (keys: test_viewer_input, render modes: test_render3d).
#include "testutil.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

using namespace ctview::test;

namespace {
std::filesystem::path sourceRoot() {
    return std::filesystem::path(CTVIEW_GOLDEN_DIR).parent_path().parent_path();
}
} // namespace

TEST_CASE("docs: every relative link of README.md and docs/ resolves") {
    namespace fs = std::filesystem;
    std::vector<fs::path> pages = {sourceRoot() / "README.md"};
    for (const auto& e : fs::recursive_directory_iterator(sourceRoot() / "docs"))
        if (e.path().extension() == ".md")
            pages.push_back(e.path());
    REQUIRE(pages.size() >= 10);
    const std::regex link(R"(\]\(([^)\s]+)\))"); // [text](target)
    int links = 0;
    for (const fs::path& page : pages) {
        const std::string text = readFile(page);
        for (auto it = std::sregex_iterator(text.begin(), text.end(), link); it != std::sregex_iterator();
             ++it) {
            std::string target = (*it)[1];
            if (target.find("://") != std::string::npos || target.rfind("mailto:", 0) == 0)
                continue; // not ours to check offline
            target = target.substr(0, target.find('#'));
            if (target.empty())
                continue; // a link within the page
            INFO(page << " links to " << target);
            CHECK(fs::exists(page.parent_path() / target));
            ++links;
        }
    }
    CHECK(links >= 20);
}
