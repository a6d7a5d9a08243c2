// A progress line for long work (pairwise distances, training, reading a generator file):
// done/total, rate and time left, redrawn in place on a terminal, printed at most every few
// seconds otherwise (logs stay short).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace otae {

class ProgressMeter {
 public:
  /// The total of work whose size is known only at its end (a file read to the last event):
  /// lines then show the count and the rate, and finish() prints the last one.
  static constexpr int64_t kUnknownTotal = -1;

  /// What a line may add after the count, e.g. "1200 jets kept"; called only for printed lines.
  using Note = std::function<std::string()>;

  /// `what` names the unit counted ("pairs", "steps"); lines go to `stream` (stderr by default).
  ProgressMeter(std::string label, std::string what, int64_t total, std::FILE* stream = stderr)
      : label_(std::move(label)), what_(std::move(what)), total_(total), stream_(stream),
        interactive_(isatty(fileno(stream))), start_(Clock::now()), last_print_(start_) {}

  /// Reports `done` units finished; prints when enough time has passed since the last line, and
  /// once when the work is complete (later reports of completion print nothing).
  void update(int64_t done, const Note& note = {}) {
    if (finished_) return;
    const auto now = Clock::now();
    const double since_print = std::chrono::duration<double>(now - last_print_).count();
    const bool complete = total_ != kUnknownTotal && done >= total_;
    if (!complete && since_print < (interactive_ ? 0.2 : 10.0)) return;
    last_print_ = now;
    finished_ = complete;
    print(done, finished_, note);
  }

  /// Reports that the work ended after `done` units, and prints its last line unless update()
  /// already has.
  void finish(int64_t done, const Note& note = {}) {
    if (finished_) return;
    finished_ = true;
    print(done, true, note);
  }

  /// Seconds since construction.
  double elapsed_seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  /// Units per second so far.
  double rate(int64_t done) const { return done / std::max(elapsed_seconds(), 1e-9); }

 private:
  using Clock = std::chrono::steady_clock;

  static std::string clock_time(double seconds) {
    const auto s = static_cast<int64_t>(seconds + 0.5);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", static_cast<long>(s / 3600),
                  static_cast<long>(s / 60 % 60), static_cast<long>(s % 60));
    return buf;
  }

  void print(int64_t done, bool final, const Note& note) {
    const double r = rate(done);
    std::fprintf(stream_, "%s%s: ", interactive_ ? "\r" : "", label_.c_str());
    if (total_ == kUnknownTotal) {
      std::fprintf(stream_, "%ld %s, %.4g %s/s, elapsed %s", static_cast<long>(done), what_.c_str(), r, what_.c_str(),
                   clock_time(elapsed_seconds()).c_str());
    } else {
      const double left = r > 0 ? (total_ - done) / r : 0.0;
      std::fprintf(stream_, "%ld/%ld %s (%.1f%%), %.4g %s/s, elapsed %s, left %s", static_cast<long>(done),
                   static_cast<long>(total_), what_.c_str(), total_ ? 100.0 * done / total_ : 100.0, r,
                   what_.c_str(), clock_time(elapsed_seconds()).c_str(), clock_time(left).c_str());
    }
    if (note) std::fprintf(stream_, ", %s", note().c_str());
    std::fprintf(stream_, "%s", interactive_ && !final ? "" : "\n");
    std::fflush(stream_);
  }

  std::string label_, what_;
  int64_t total_;
  std::FILE* stream_;
  bool interactive_;
  bool finished_ = false;
  Clock::time_point start_, last_print_;
};

}  // namespace otae
