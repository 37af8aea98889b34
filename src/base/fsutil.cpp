#include "base/fsutil.h"

#include "base/error.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace ctview {

ListedFiles listFilesRecursive(const fs::path& root) {
    ListedFiles out;
    std::set<std::pair<dev_t, ino_t>> visited; // folders seen, so that symlink loops end
    std::vector<fs::path> stack{root};
    while (!stack.empty()) {
        fs::path dir = stack.back();
        stack.pop_back();
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0) {
            out.problems.push_back(dir.string() + ": cannot be read");
            continue;
        }
        if (!visited.insert({st.st_dev, st.st_ino}).second) {
            // Already walked: a symlink back up the tree (a loop) or a second link to one folder. Say so,
            // once.
            std::error_code lec;
            if (fs::is_symlink(dir, lec))
                out.problems.push_back(dir.string() + ": skipped, a link to a folder already scanned (" +
                                       fs::read_symlink(dir, lec).string() + ")");
            continue;
        }
        std::error_code ec;
        fs::directory_iterator it(dir, fs::directory_options::none, ec);
        if (ec) {
            out.problems.push_back(dir.string() + ": " + ec.message());
            continue;
        }
        for (; it != fs::directory_iterator(); it.increment(ec)) {
            if (ec) {
                out.problems.push_back(dir.string() + ": " + ec.message());
                break;
            }
            const fs::path p = it->path();
            struct stat es {};
            if (::stat(p.c_str(), &es) != 0) { // a dangling link or a file that vanished
                out.problems.push_back(p.string() + ": cannot be read");
                continue;
            }
            if (S_ISDIR(es.st_mode))
                stack.push_back(p);
            else if (S_ISREG(es.st_mode))
                out.files.push_back(p);
        }
    }
    std::sort(out.files.begin(), out.files.end());
    return out;
}

static std::pair<std::string, std::string> splitExtension(const fs::path& p) {
    const std::string name = p.filename().string();
    for (const char* compound : {".nii.gz", ".tar.gz"}) {
        const std::string c = compound;
        if (name.size() > c.size() && name.compare(name.size() - c.size(), c.size(), c) == 0)
            return {name.substr(0, name.size() - c.size()), c};
    }
    const auto dot = name.find_last_of('.');
    if (dot == std::string::npos || dot == 0)
        return {name, ""};
    return {name.substr(0, dot), name.substr(dot)};
}

fs::path uniqueOutputPath(const fs::path& wanted, bool force) {
    std::error_code ec;
    if (force || !fs::exists(fs::symlink_status(wanted, ec)))
        return wanted;
    const auto [stem, ext] = splitExtension(wanted);
    for (int i = 1; i < 100000; ++i) {
        fs::path candidate = wanted.parent_path() / (stem + "-" + std::to_string(i) + ext);
        if (!fs::exists(fs::symlink_status(candidate, ec)))
            return candidate;
    }
    throw DataError(wanted.string() + ": no free file name next to it");
}

void writeFileAtomically(const fs::path& target, const std::function<void(const fs::path& tmp)>& writer,
                         bool replace) {
    static std::atomic<unsigned> counter{0};
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const fs::path tmp = dir / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                                "-" + std::to_string(counter++));
    try {
        writer(tmp);
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw;
    }
    std::error_code ec;
    if (replace) {
        fs::rename(tmp, target, ec);
    } else if (::link(tmp.c_str(), target.c_str()) != 0) {
        ec = std::error_code(errno, std::generic_category());
    } else {
        fs::remove(tmp, ec);
        ec.clear();
    }
    if (ec) {
        fs::remove(tmp, ec);
        throw DataError(target.string() + ": cannot be written (" + ec.message() + ")");
    }
}

void writeAt(int fd, std::uint64_t offset, const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    for (std::size_t done = 0; done < n;) {
        const ssize_t w = ::pwrite(fd, p + done, n - done, off_t(offset + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            throw OutputError(std::string("cannot be written (") +
                              (w < 0 ? std::strerror(errno) : "no space left") + ")");
        done += std::size_t(w);
    }
}

void writeTextFileAtomically(const fs::path& target, const std::string& text) {
    writeFileAtomically(
        target,
        [&](const fs::path& tmp) {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out << text;
            out.close();
            if (!out)
                throw DataError(target.string() + ": cannot be written");
        },
        /*replace=*/true);
}

void createFolder(const fs::path& folder) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        throw DataError(folder.string() + ": cannot create the folder (" + ec.message() + ")");
}

fs::path userFolder(UserFolder kind) {
    struct Rule {
        const char* variable;
        const char* underHome;
    };
    static constexpr Rule kRules[] = {{"XDG_CONFIG_HOME", ".config"},    // UserFolder::Config
                                      {"XDG_DATA_HOME", ".local/share"}, // UserFolder::Data
                                      {"XDG_CACHE_HOME", ".cache"}};     // UserFolder::Cache
    const Rule& rule = kRules[static_cast<int>(kind)];
    if (const char* xdg = std::getenv(rule.variable); xdg && *xdg == '/')
        return fs::path(xdg) / "ctview";
    if (const char* home = std::getenv("HOME"); home && *home)
        return fs::path(home) / rule.underHome / "ctview";
    // Not a shared name: the user's own (the folders hold settings and patients' measurements).
    return fs::temp_directory_path() / ("ctview-" + std::to_string(::getuid())) / "ctview";
}

std::uint64_t availableMemoryBytes() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    std::uint64_t value = 0;
    std::string unit;
    while (in >> key >> value) {
        std::getline(in, unit);
        if (key == "MemAvailable:")
            return value * 1024;
    }
    const long pages = ::sysconf(_SC_AVPHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? std::uint64_t(pages) * std::uint64_t(page) : 0;
}

std::string humanBytes(std::uint64_t bytes) {
    char buf[64];
    const double b = double(bytes);
    if (b >= 1024.0 * 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f GiB", b / (1024.0 * 1024 * 1024));
    else if (b >= 1024.0 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1024.0 * 1024));
    else if (b >= 1024.0)
        std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
    else
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    return buf;
}

std::vector<fs::path> filesUnder(const fs::path& source) {
    std::error_code ec;
    if (fs::is_regular_file(source, ec))
        return {source};
    if (!fs::is_directory(source, ec))
        throw DataError(source.string() + ": no such file or folder");
    std::vector<fs::path> files;
    for (auto it =
             fs::recursive_directory_iterator(source, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec))
            files.push_back(it->path());
    std::sort(files.begin(), files.end());
    if (files.empty())
        throw DataError(source.string() + ": no files");
    return files;
}

} // namespace ctview
