#pragma once
// File-system helpers with the project's promises built in: inputs are only read, outputs are written to a
// temporary name and renamed into place, and never replace an existing file unless asked to.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ctview {

namespace fs = std::filesystem;

struct ListedFiles {
    std::vector<fs::path> files;       // regular files, sorted by path for determinism
    std::vector<std::string> problems; // unreadable folders, symlink loops: "path: reason"
};

// Every regular file under `root` (recursively, following symlinked folders once; loops are detected).
ListedFiles listFilesRecursive(const fs::path& root);

// Choose the path to write: `wanted` itself when it does not exist or `force` is set, otherwise
// `stem-1.ext`, `stem-2.ext`, ... (the first free one). Compound extensions like .nii.gz are kept whole.
fs::path uniqueOutputPath(const fs::path& wanted, bool force);

// Write a file atomically: `writer` fills a temporary file in the same folder, which is then renamed onto
// `target`. On any failure the temporary file is removed and DataError is thrown; no partial file remains.
// Unless `replace`, an existing target is never replaced, even one created meanwhile (hard link, not rename).
void writeFileAtomically(const fs::path& target, const std::function<void(const fs::path& tmp)>& writer,
                         bool replace = false);

// Exactly `n` bytes to the open file `fd` at `offset` (pwrite, retried until all are written); throws
// OutputError "cannot be written (the reason)" (disk full, I/O error): the caller names the file.
void writeAt(int fd, std::uint64_t offset, const void* data, std::size_t n);

// writeFileAtomically for text: `text` becomes the file's content, replacing an existing file (settings,
// presets: files ctview owns). Throws DataError naming `target`.
void writeTextFileAtomically(const fs::path& target, const std::string& text);

// Creates `folder` and its parents if missing; throws DataError naming the folder and the reason.
void createFolder(const fs::path& folder);

// `source` itself when it is a file, else every regular file under the folder (recursively, unreadable
// folders skipped), sorted. Throws DataError naming it when it is neither, or holds no file.
std::vector<fs::path> filesUnder(const fs::path& source);

// ctview's own folder of each kind, by the XDG Base Directory rule (the one place it is written):
// $XDG_CONFIG_HOME, $XDG_DATA_HOME or $XDG_CACHE_HOME when it is an absolute path (the spec says a relative
// one is ignored), else ~/.config, ~/.local/share or ~/.cache; with no HOME at all, the system's temp folder
// (never the working folder: nothing is written next to the user's files), in a folder named for the user's
// id. Always ends in "ctview".
enum class UserFolder { Config, Data, Cache };
fs::path userFolder(UserFolder kind);

// Bytes of memory the system can still give us (MemAvailable), or 0 if unknown.
std::uint64_t availableMemoryBytes();

std::string humanBytes(std::uint64_t bytes);

} // namespace ctview
