// `otae explore RUN`: a local web page to move through a trained run's latent space (VAE) or to
// simulate a parton event many times (OTUS). Parsing only; the routes are in explore_server.cpp,
// the model work in otae::analysis (vae_explorer.hpp, otus_explorer.hpp).
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "explore_server.hpp"
#include "otae/train/cpu_compute.hpp"

namespace otae::cli {

void add_explore_command(CLI::App& app) {
  struct Arguments {
    std::string run;
    int port = 0;
    int64_t threads = 1;
  };
  auto a = std::make_shared<Arguments>();
  CLI::App* explore = app.add_subcommand(
      "explore",
      "Serve a local web page (127.0.0.1 only) to explore a trained run: for a VAE run on jets, sliders along the "
      "informative latent directions, the decoded jet, the density of encoded held-out jets and the nearest one by "
      "exact EMD; for an OTUS run, the simulated detector response of a parton event beside the truth. "
      "Runs until interrupted (Ctrl-C)");
  explore->add_option("run", a->run, "run folder written by otae vae train or otae otus train")->required();
  explore->add_option("--port", a->port, "TCP port on 127.0.0.1 (0: a free one, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  explore->add_option("--threads", a->threads, "threads of the model and of the nearest-jet search (0: every core)")
      ->check(non_negative())
      ->capture_default_str();
  explore->callback([a] {
    train::configure_cpu_compute(a->threads);
    serve_explorer(a->run, a->port, a->threads, [a](int port) {
      std::printf("otae explore: %s on http://127.0.0.1:%d/ (Ctrl-C stops)\n", a->run.c_str(), port);
      std::fflush(stdout);
    });
  });
}

}  // namespace otae::cli
