#include "base/isolate.h"

#include "base/error.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <fcntl.h>
#include <malloc.h>
#include <mutex>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ctview {

std::string IsolatedResult::describe() const {
    switch (status) {
    case Status::Ok:
        return "ok";
    case Status::Failed:
        return payload;
    case Status::TimedOut:
        return "timed out (the decoder did not finish)";
    case Status::Crashed:
        if (signal)
            return "crashed the decoder (signal " + std::to_string(signal) + ", " + strsignal(signal) + ")";
        return "crashed the decoder";
    }
    return "?";
}

namespace {

bool writeAll(int fd, const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= std::size_t(w);
    }
    return true;
}

bool readAll(int fd, void* data, std::size_t n) {
    char* p = static_cast<char*>(data);
    while (n > 0) {
        const ssize_t r = ::read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= std::size_t(r);
    }
    return true;
}

struct Worker {
    pid_t pid = -1;
    int toChild = -1;   // parent writes task indices
    int fromChild = -1; // parent reads results
    // Task indices sent and not answered yet, oldest first: the first is running (since `started`), the rest
    // wait in the pipe, so that a worker goes straight on to its next file without a round trip through
    // the parent. On this kind of VM a wake-up across processes costs about as much as parsing a header.
    std::deque<std::size_t> queued;
    std::chrono::steady_clock::time_point started;
};

// The pipe ends that parents hold to their workers, over every run under way: threads may run several at once
// (a load per Python thread). A forked worker closes them all, not only its own run's: a worker of one run
// that kept another run's worker's input open would keep that worker waiting for input after its run closed
// it, and both runs would wait on each other's workers for ever. The mutex is held from making a worker's
// pipes to registering them, across the fork, so that a child sees a complete list (the forking thread holds
// it; no other thread can be changing it).
std::mutex& pipesMutex() {
    static std::mutex m;
    return m;
}
std::vector<int>& heldPipeEnds() {
    static std::vector<int> ends;
    return ends;
}
void forgetPipeEnd(int fd) {
    std::lock_guard lock(pipesMutex());
    std::vector<int>& ends = heldPipeEnds();
    ends.erase(std::remove(ends.begin(), ends.end(), fd), ends.end());
    ::close(fd);
}

// Tasks a worker holds at once (one running, the rest in its pipe).
constexpr std::size_t kQueueDepth = 4;

// Caps the worker's address space at what it has now (the parent's mappings, the shared volume) plus
// `budget`.
void limitAddressSpace(std::uint64_t budget) {
    unsigned long long pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%llu", &pages) != 1)
            pages = 0;
        std::fclose(f);
    }
    if (pages == 0)
        return;
    const rlim_t limit = rlim_t(pages) * rlim_t(::sysconf(_SC_PAGESIZE)) + rlim_t(budget);
    const struct rlimit rl { limit, limit };
    ::setrlimit(RLIMIT_AS, &rl);
}

// The worker's loop: read an index, run the task, answer [status u8][length u64][bytes].
[[noreturn]] void workerMain(int in, int out, const std::function<std::string(std::size_t)>& task) {
    // Crash handlers inherited from the parent (a test framework's, a viewer's) must not run here: a crash in
    // a worker should simply end it, so that the parent sees the signal.
    for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGPIPE})
        std::signal(sig, SIG_DFL);
    // A worker allocates and frees about the same large buffers for every file (GDCM's copy of the file, its
    // decoded frames): keep them in the heap instead of mapping and zeroing fresh pages each time, which
    // costs more than decoding on a VM.
    ::mallopt(M_MMAP_THRESHOLD, 256 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 512 << 20);
    std::uint64_t index = 0;
    while (readAll(in, &index, sizeof index)) {
        std::uint8_t status = 0;
        std::string payload;
        try {
            payload = task(std::size_t(index));
        } catch (const std::exception& e) {
            status = 1;
            payload = e.what();
        } catch (...) {
            status = 1;
            payload = "unknown error";
        }
        const std::uint64_t len = payload.size();
        if (!writeAll(out, &status, 1) || !writeAll(out, &len, sizeof len) ||
            !writeAll(out, payload.data(), len))
            ::_exit(3);
    }
    ::_exit(0); // _exit: no atexit handlers or static destructors of the parent's copy run here
}

} // namespace

std::vector<IsolatedResult> runIsolated(std::size_t n, const std::function<std::string(std::size_t)>& task,
                                        const IsolationOptions& options) {
    std::vector<IsolatedResult> results(n);
    if (n == 0)
        return results;
    int count =
        options.workers > 0 ? options.workers : int(std::max(1u, std::thread::hardware_concurrency()));
    count = int(std::min<std::size_t>(std::size_t(count), n));

    // A worker that dies must not kill us with SIGPIPE when we send it the next index.
    struct sigaction ignore {
    }, previous{};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &previous);

    std::vector<Worker> workers(static_cast<std::size_t>(count));
    std::size_t next = 0, done = 0;
    std::deque<std::size_t> retry; // tasks that were queued behind one that crashed or timed out
    auto haveWork = [&] { return !retry.empty() || next < n; };
    auto takeTask = [&] {
        if (!retry.empty()) {
            const std::size_t t = retry.front();
            retry.pop_front();
            return t;
        }
        return next++;
    };

    auto spawn = [&](Worker& w) {
        std::lock_guard lock(pipesMutex());
        // Close-on-exec: a program started meanwhile by another thread (Python's os.system) must not keep
        // them open either (a worker would wait for input as long as it runs).
        int down[2], up[2];
        if (::pipe2(down, O_CLOEXEC) != 0)
            throw DataError(std::string("cannot create a pipe: ") + std::strerror(errno));
        if (::pipe2(up, O_CLOEXEC) != 0) {
            ::close(down[0]);
            ::close(down[1]);
            throw DataError(std::string("cannot create a pipe: ") + std::strerror(errno));
        }
        std::fflush(nullptr);
        const pid_t parent = ::getpid();
        const pid_t pid = ::fork();
        if (pid < 0) {
            for (int fd : {down[0], down[1], up[0], up[1]})
                ::close(fd);
            throw DataError(std::string("cannot start a decoder process: ") + std::strerror(errno));
        }
        if (pid == 0) {
            // Die with the parent: a worker left behind by a killed viewer would otherwise wait for work
            // forever (or, stuck in a file, run on). The parent may already be gone by now: then exit at
            // once.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent)
                ::_exit(4);
            // Close the other workers' pipe ends, this run's and every other run's (see heldPipeEnds), or
            // their EOF would never reach them or their parents.
            for (int fd : heldPipeEnds())
                ::close(fd);
            ::close(down[1]);
            ::close(up[0]);
            if (options.quietChildren) {
                const int devnull = ::open("/dev/null", O_WRONLY);
                if (devnull >= 0) {
                    ::dup2(devnull, 2);
                    ::close(devnull);
                }
            }
            if (options.memoryBudgetBytes)
                limitAddressSpace(options.memoryBudgetBytes);
            workerMain(down[0], up[1], task);
        }
        ::close(down[0]);
        ::close(up[1]);
        w.pid = pid;
        w.toChild = down[1];
        w.fromChild = up[0];
        heldPipeEnds().push_back(w.toChild);
        heldPipeEnds().push_back(w.fromChild);
        w.queued.clear();
    };
    auto reap = [](Worker& w, bool kill) -> int {
        if (w.toChild >= 0)
            forgetPipeEnd(w.toChild);
        if (w.fromChild >= 0)
            forgetPipeEnd(w.fromChild);
        w.toChild = w.fromChild = -1;
        int sig = 0;
        if (w.pid > 0) {
            if (kill)
                ::kill(w.pid, SIGKILL);
            int status = 0;
            while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
            }
            if (WIFSIGNALED(status))
                sig = WTERMSIG(status);
        }
        w.pid = -1;
        return sig;
    };
    // Top up the worker's queue; with nothing left for it, close its input (that ends its loop).
    auto assign = [&](Worker& w) {
        // A second task only while there are enough left for every worker to have one: a few long tasks
        // are spread over the workers, not queued behind each other.
        auto wants = [&] {
            return w.queued.empty() ||
                   (w.queued.size() < kQueueDepth && retry.size() + (n - next) >= workers.size());
        };
        while (w.pid > 0 && haveWork() && wants()) {
            const std::size_t index = takeTask();
            const std::uint64_t wire = index;
            if (w.queued.empty())
                w.started = std::chrono::steady_clock::now();
            if (!writeAll(w.toChild, &wire, sizeof wire)) {
                // It died between tasks: its queue goes back, to a fresh worker.
                retry.push_front(index);
                for (auto it = w.queued.rbegin(); it != w.queued.rend(); ++it)
                    retry.push_front(*it);
                reap(w, true);
                spawn(w);
                continue;
            }
            w.queued.push_back(index);
        }
        if (w.pid > 0 && w.queued.empty() && !haveWork())
            reap(w, false);
    };
    // The worker's running task ended it (crash or time-out): the tasks behind it go back to be retried by a
    // fresh worker; nothing else is lost.
    auto replace = [&](Worker& w) {
        for (std::size_t i = w.queued.size(); i-- > 1;)
            retry.push_front(w.queued[i]);
        w.queued.clear();
        if (haveWork())
            spawn(w);
    };

    try {
        for (Worker& w : workers) {
            spawn(w);
            assign(w);
        }
        while (done < n) {
            std::vector<pollfd> fds;
            std::vector<Worker*> owners;
            for (Worker& w : workers) {
                if (w.pid > 0 && w.queued.size() < kQueueDepth && haveWork())
                    assign(w);
                if (w.pid > 0 && !w.queued.empty()) {
                    fds.push_back({w.fromChild, POLLIN, 0});
                    owners.push_back(&w);
                }
            }
            if (fds.empty())
                continue;
            const int timeoutMs = 100;
            const int r = ::poll(fds.data(), fds.size(), timeoutMs);
            if (r < 0 && errno != EINTR)
                throw DataError(std::string("poll failed: ") + std::strerror(errno));
            const auto now = std::chrono::steady_clock::now();
            for (std::size_t i = 0; i < fds.size(); ++i) {
                Worker& w = *owners[i];
                const std::size_t index = w.queued.front();
                IsolatedResult& res = results[index];
                if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                    std::uint8_t status = 0;
                    std::uint64_t len = 0;
                    bool ok = readAll(w.fromChild, &status, 1) && readAll(w.fromChild, &len, sizeof len);
                    if (ok) {
                        res.payload.resize(len);
                        ok = readAll(w.fromChild, res.payload.data(), len);
                    }
                    if (ok) {
                        res.status =
                            status == 0 ? IsolatedResult::Status::Ok : IsolatedResult::Status::Failed;
                        if (status == 0 && options.succeeded)
                            options.succeeded(index);
                        w.queued.pop_front();
                        w.started = now;
                        assign(w);
                    } else {
                        res.payload.clear();
                        res.status = IsolatedResult::Status::Crashed;
                        res.signal = reap(w, false);
                        replace(w);
                    }
                    ++done;
                    if (options.progress)
                        options.progress(done, n);
                } else if (std::chrono::duration<double>(now - w.started).count() > options.timeoutSeconds) {
                    res.status = IsolatedResult::Status::TimedOut;
                    reap(w, true);
                    replace(w);
                    ++done;
                    if (options.progress)
                        options.progress(done, n);
                }
            }
        }
    } catch (...) {
        for (Worker& w : workers)
            reap(w, true);
        sigaction(SIGPIPE, &previous, nullptr);
        throw;
    }
    for (Worker& w : workers)
        reap(w, false);
    sigaction(SIGPIPE, &previous, nullptr);
    return results;
}

SharedBuffer::SharedBuffer(std::size_t bytes, Sharing sharing) : size_(bytes) {
    if (bytes == 0)
        return;
    const int flags =
        (sharing == Sharing::Processes ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE;
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED)
        throw DataError("cannot allocate " + std::to_string(bytes) +
                        " bytes for the volume: " + std::strerror(errno));
    if (sharing == Sharing::Private)
        ::madvise(p, bytes, MADV_HUGEPAGE); // a hint; fine if refused
    mapping_ = std::shared_ptr<void>(p, [bytes](void* q) { ::munmap(q, bytes); });
    data_ = p;
}

SharedBuffer::SharedBuffer(SharedBuffer&& o) noexcept
    : mapping_(std::move(o.mapping_)), data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
}

SharedBuffer& SharedBuffer::operator=(SharedBuffer&& o) noexcept {
    if (this != &o) {
        mapping_ = std::move(o.mapping_);
        data_ = o.data_;
        size_ = o.size_;
        o.data_ = nullptr;
        o.size_ = 0;
    }
    return *this;
}

SharedBuffer SharedBuffer::share() const {
    SharedBuffer b;
    b.mapping_ = mapping_;
    b.data_ = data_;
    b.size_ = size_;
    return b;
}

} // namespace ctview
