// The HTTP face of `otae explore`: routes of cpp-httplib that parse a request's parameters, call
// the explorer of the library (otae::analysis::VaeExplorer or OtusExplorer) and answer JSON.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace otae::cli {

/// Serves the run folder `run_dir` (a VAE run on jets or an OTUS run) on 127.0.0.1:`port` (0: a
/// free port) until the process ends, the nearest-jet search on `threads` threads (0: every core); `on_listening(port)` is told the port once the socket is bound.
/// Routes: / and the page's files; /api/… (JSON; a bad parameter is answered 400 with
/// {"error": "..."}); /files/PATH, a file inside the run folder (403 for a path that leads
/// outside it, symbolic links resolved first); a request whose Host is not 127.0.0.1 or localhost
/// is refused (403). Throws otae::Error when the run cannot be read or
/// the port cannot be bound.
void serve_explorer(const std::string& run_dir, int port, int64_t threads,
                    const std::function<void(int port)>& on_listening);

}  // namespace otae::cli
