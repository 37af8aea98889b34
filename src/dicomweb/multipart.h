#pragma once
// An incremental multipart/related (RFC 2046 section 5.1, RFC 2387) splitter for DICOMweb's WADO-RS responses
// (PS3.18 section 8.6.1.2): bytes are fed as they arrive from the network, each part's body is handed on as
// it streams past, so a 600-slice series never sits in memory whole. A part's Content-Length, when the server
// sends one, is trusted and checked; otherwise the body ends at the next delimiter ("\r\n--" + boundary).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace ctview {

// The boundary parameter of a multipart Content-Type ("multipart/related; type=\"application/dicom\";
// boundary=\"a;b\""): quoted parameters may hold ';' and '='. Throws DataError when the type is not multipart
// or has no boundary.
std::string multipartBoundary(const std::string& contentType);

struct PartHeaders {
    std::string contentType; // "application/dicom", or "" when not given
    std::optional<std::uint64_t> contentLength;
};

class MultipartParser {
  public:
    struct Handler {
        std::function<void(const PartHeaders&)> begin;             // a part starts
        std::function<void(const char* data, std::size_t n)> data; // some of its body, in order
        std::function<void()> end;                                 // it ended (its body is complete)
    };
    MultipartParser(const std::string& boundary, Handler handler);

    // Feeds the next bytes of the response. Throws DataError on a malformed stream (a part's Content-Length
    // that does not end at a delimiter, headers that never end, ...); the handler has seen everything before
    // it.
    void feed(const char* data, std::size_t n);
    // The closing delimiter ("--boundary--") was seen: the response is complete. When the stream ends without
    // it the transfer was cut short, whatever HTTP said.
    bool finished() const { return state_ == State::Done; }
    std::size_t partsCompleted() const { return completed_; }
    bool inPart() const { return state_ == State::Body; }

  private:
    enum class State { Preamble, AfterDelimiter, Headers, Body, Done };
    void run();
    void startBody(const std::string& headerBlock);

    std::string delimiter_; // "\r\n--" + boundary
    Handler handler_;
    State state_ = State::Preamble;
    std::string buf_; // bytes not yet consumed, from pos_
    std::size_t pos_ = 0;
    std::optional<std::uint64_t> left_; // bytes of the body still to come, when the part said its length
    std::size_t completed_ = 0;
};

} // namespace ctview
