// `otae explore`'s HTTP routes (explore_server.hpp). cpp-httplib parses the requests; each route
// reads its parameters, calls the library's explorer under one lock (LibTorch modules and the
// explorers' caches are not for concurrent use) and answers JSON that the page draws.
#include "explore_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "explore_assets.hpp"
#include "otae/analysis/otus_explorer.hpp"
#include "otae/analysis/vae_explorer.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"

namespace otae::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// A request whose parameters are wrong: answered 400 with the message.
class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string parameter(const httplib::Request& request, const std::string& name) {
  if (!request.has_param(name.c_str())) throw BadRequest("missing parameter '" + name + "'");
  return request.get_param_value(name.c_str());
}

int64_t integer(const std::string& name, const std::string& text) {
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size())
    throw BadRequest("parameter '" + name + "' must be an integer, received '" + text + "'");
  return value;
}

/// A comma-separated list of numbers ("0.5,-1,2").
std::vector<double> numbers(const std::string& name, const std::string& text) {
  std::vector<double> values;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    char* end = nullptr;
    const double value = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size())
      throw BadRequest("parameter '" + name + "' must be numbers separated by commas, received '" + item + "' in it");
    values.push_back(value);
  }
  return values;
}

json values(const at::Tensor& t) {
  const at::Tensor d = t.to(at::kDouble).contiguous();
  if (d.dim() == 0) return d.item<double>();
  if (d.dim() == 1) return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
  json rows = json::array();
  for (int64_t i = 0; i < d.size(0); ++i) rows.push_back(values(d[i]));
  return rows;
}

void answer(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_header("Cache-Control", "no-store");
  response.set_content(body.dump(), "application/json");
}

/// Runs a route: bad parameters and bad values for the model are the client's (400), anything
/// else the server's (500); every answer is JSON.
void guarded(httplib::Response& response, const std::function<json()>& route) {
  try {
    answer(response, 200, route());
  } catch (const BadRequest& e) {
    answer(response, 400, {{"error", e.what()}});
  } catch (const InvalidArgument& e) {
    answer(response, 400, {{"error", e.what()}});
  } catch (const ConfigError& e) {
    answer(response, 400, {{"error", e.what()}});
  } catch (const std::exception& e) {
    answer(response, 500, {{"error", e.what()}});
  }
}

json vae_checkpoint_json(const analysis::ExplorerCheckpoint& c) {
  json directions = json::array(), encoded = json::object();
  for (const auto& d : c.directions) {
    directions.push_back({{"index", d.index}, {"kl", d.kl}, {"informative", d.informative}, {"quantity", d.quantity},
                          {"mutual_information", d.mutual_information}, {"spearman", d.spearman}});
    encoded[std::to_string(d.index)] = values(c.encoded.select(1, d.index));
  }
  return {{"step", c.checkpoint.step}, {"phase", c.checkpoint.phase}, {"beta_hat", c.checkpoint.beta_hat},
          {"beta_GeV", c.beta}, {"latent_dim", c.latent_dim}, {"binary_dim", c.binary_dim},
          {"circular_dim", c.circular_dim}, {"directions", directions}, {"binary_kl", c.binary_kl},
          {"circular_kl", c.circular_kl}, {"origin", values(c.origin)}, {"encoded", encoded}};
}

void add_vae_routes(httplib::Server& server, const std::string& run_dir, int64_t threads, std::mutex& lock) {
  auto explorer = std::make_shared<analysis::VaeExplorer>(run_dir, analysis::VaeExplorerOptions().threads(threads));
  server.Get("/api/run", [explorer, run_dir, &lock](const httplib::Request&, httplib::Response& response) {
    guarded(response, [&] {
      std::lock_guard<std::mutex> hold(lock);
      json checkpoints = json::array();
      for (const auto& c : explorer->checkpoints())
        checkpoints.push_back({{"step", c.step}, {"phase", c.phase}, {"beta_hat", c.beta_hat},
                               {"beta_GeV", c.beta_hat * explorer->energy_scale()}});
      return json{{"kind", "vae"}, {"run", fs::canonical(run_dir).filename().string()},
                  {"energy_scale_GeV", explorer->energy_scale()}, {"held_out_jets", explorer->held_out_jets()},
                  {"checkpoints", checkpoints}};
    });
  });
  server.Get("/api/vae/checkpoint", [explorer, &lock](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      const int64_t step = integer("step", parameter(request, "step"));
      std::lock_guard<std::mutex> hold(lock);
      return vae_checkpoint_json(explorer->checkpoint(step));
    });
  });
  server.Get("/api/vae/decode", [explorer, &lock](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      const int64_t step = integer("step", parameter(request, "step"));
      const std::vector<double> point = numbers("z", parameter(request, "z"));
      std::lock_guard<std::mutex> hold(lock);
      const analysis::ExplorerJet jet = explorer->decode(step, point);
      return json{{"step", step}, {"z", point}, {"decoder_input", values(jet.decoder_input)},
                  {"particles", values(jet.particles)}};
    });
  });
  server.Get("/api/vae/nearest", [explorer, &lock](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      const int64_t step = integer("step", parameter(request, "step"));
      const std::vector<double> point = numbers("z", parameter(request, "z"));
      at::Tensor decoded;
      {
        std::lock_guard<std::mutex> hold(lock);
        decoded = explorer->decode(step, point).particles;
      }
      const analysis::NearestJet nearest = explorer->nearest(decoded);
      return json{{"step", step}, {"z", point}, {"held_out_index", nearest.held_out_index},
                  {"file_row", nearest.file_row}, {"emd_GeV", nearest.emd}, {"particles", values(nearest.particles)}};
    });
  });
}

json kinematics_json(const std::vector<analysis::ObjectKinematics>& objects) {
  json list = json::array();
  for (const auto& o : objects)
    list.push_back({{"name", o.name}, {"energy_GeV", o.energy}, {"eta", o.eta}, {"phi", o.phi}, {"mass_GeV", o.mass}});
  return list;
}

/// kinematics=E,eta,phi,m,E,eta,phi,m,… (GeV, rad), one quadruple per parton object.
std::vector<analysis::ObjectKinematics> edited_event(const httplib::Request& request,
                                                     const analysis::OtusExplorer& explorer) {
  const std::vector<double> v = numbers("kinematics", parameter(request, "kinematics"));
  const auto& names = explorer.parton_objects();
  if (v.size() != 4 * names.size())
    throw BadRequest("parameter 'kinematics' needs E, eta, phi, m for each of the " + std::to_string(names.size()) +
                     " parton objects (" + std::to_string(4 * names.size()) + " numbers), received " +
                     std::to_string(v.size()));
  std::vector<analysis::ObjectKinematics> objects;
  for (size_t i = 0; i < names.size(); ++i) objects.push_back({names[i], v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]});
  return objects;
}

json response_json(const analysis::OtusResponse& r) {
  auto columns = [](const at::Tensor& t) { return t.defined() ? values(t.t()) : json(nullptr); };
  return {{"observables", r.observables}, {"parton", values(r.parton)}, {"simulated", columns(r.simulated)},
          {"truth", r.truth.defined() ? values(r.truth) : json(nullptr)}, {"neighbours", columns(r.neighbours)}};
}

void add_otus_routes(httplib::Server& server, const std::string& run_dir, std::mutex& lock) {
  auto explorer = std::make_shared<analysis::OtusExplorer>(run_dir);
  server.Get("/api/run", [explorer, run_dir, &lock](const httplib::Request&, httplib::Response& response) {
    guarded(response, [&] {
      std::lock_guard<std::mutex> hold(lock);
      return json{{"kind", "otus"}, {"run", fs::canonical(run_dir).filename().string()},
                  {"parton_objects", explorer->parton_objects()}, {"detector_objects", explorer->detector_objects()},
                  {"paired", explorer->paired()}, {"held_out_events", explorer->held_out_events()}};
    });
  });
  server.Get("/api/otus/event", [explorer, &lock](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      const int64_t index = integer("index", parameter(request, "index"));
      std::lock_guard<std::mutex> hold(lock);
      return json{{"index", index}, {"objects", kinematics_json(explorer->event(index))},
                  {"file_row", explorer->file_row(index)}};
    });
  });
  // index=I simulates held-out event I (its paired row is the truth); kinematics=… an edited event.
  server.Get("/api/otus/simulate", [explorer, &lock](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      const int64_t samples = request.has_param("samples") ? integer("samples", parameter(request, "samples")) : 2000;
      const int64_t seed = request.has_param("seed") ? integer("seed", parameter(request, "seed")) : 0;
      const bool edited = request.has_param("kinematics");
      const int64_t index = edited ? -1 : integer("index", parameter(request, "index"));
      std::lock_guard<std::mutex> hold(lock);
      const auto objects = edited ? edited_event(request, *explorer) : explorer->event(index);
      return response_json(explorer->simulate(objects, samples, static_cast<uint64_t>(seed), index));
    });
  });
}

std::string content_type(const std::string& extension) {
  if (extension == ".png") return "image/png";
  if (extension == ".pdf") return "application/pdf";
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".json") return "application/json";
  if (extension == ".csv" || extension == ".yaml" || extension == ".jsonl" || extension == ".txt")
    return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

/// /files/PATH: a file inside the run folder, after every symbolic link is resolved.
void add_file_route(httplib::Server& server, const std::string& run_dir) {
  const fs::path root = fs::canonical(run_dir);
  server.Get(R"(/files/(.*))", [root](const httplib::Request& request, httplib::Response& response) {
    std::error_code error;
    const fs::path file = fs::weakly_canonical(root / request.matches[1].str(), error);
    const auto [inside, rest] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
    if (error || inside != root.end())
      return answer(response, 403, {{"error", "'" + request.matches[1].str() + "' lies outside the run folder"}});
    if (!fs::is_regular_file(file))
      return answer(response, 404, {{"error", "no file '" + request.matches[1].str() + "' in the run folder"}});
    response.set_content(read_text_file(file.string()), content_type(file.extension().string()));
  });
}

/// Answers only requests addressed to this machine by name or number: a page elsewhere that
/// re-points its own host name at 127.0.0.1 (DNS rebinding) sends its own name and is refused.
void refuse_other_hosts(httplib::Server& server) {
  server.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    const std::string host = request.get_header_value("Host");
    const std::string name = host.substr(0, host.rfind(':'));
    if (name == "127.0.0.1" || name == "localhost") return httplib::Server::HandlerResponse::Unhandled;
    answer(response, 403, {{"error", "otae explore answers requests to 127.0.0.1 or localhost only, not '" + host + "'"}});
    return httplib::Server::HandlerResponse::Handled;
  });
}

}  // namespace

void serve_explorer(const std::string& run_dir, int port, int64_t threads, const std::function<void(int)>& on_listening) {
  httplib::Server server;
  std::mutex lock;
  if (fs::exists(fs::path(run_dir) / "beta_schedule.csv"))
    add_vae_routes(server, run_dir, threads, lock);
  else if (fs::exists(fs::path(run_dir) / "log.csv") && fs::exists(fs::path(run_dir) / "run.json"))
    add_otus_routes(server, run_dir, lock);
  else
    throw IoError(run_dir + " is neither a VAE run folder (beta_schedule.csv) nor an OTUS run folder (log.csv, "
                  "run.json): give the folder that otae vae train or otae otus train wrote");
  refuse_other_hosts(server);
  add_file_route(server, run_dir);
  for (const ExploreAsset& asset : explore_assets()) {
    const std::string path = asset.path;
    const auto serve = [asset](const httplib::Request&, httplib::Response& response) {
      response.set_content(asset.text, asset.content_type);
    };
    server.Get(path, serve);
    if (path == "/index.html") server.Get("/", serve);
  }
  const int bound = port == 0 ? server.bind_to_any_port("127.0.0.1") : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound < 0) throw IoError("otae explore: cannot listen on 127.0.0.1:" + std::to_string(port) + " (in use?)");
  on_listening(bound);
  if (!server.listen_after_bind()) throw IoError("otae explore: the server on 127.0.0.1:" + std::to_string(bound) + " stopped");
}

}  // namespace otae::cli
