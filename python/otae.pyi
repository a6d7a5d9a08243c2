"""Type stub of otae's C++ module (written by scripts/write_python_stub.py; do not edit)."""
from typing import Any, Optional

from numpy.typing import ArrayLike, NDArray

def binned_chi_squared(a: ArrayLike, b: ArrayLike, *, bins: int = 50, min_count: int = 5) -> dict[str, Any]:
    """Binned chi-squared test of samples a and b (equal-width bins merged to >= min_count in each): dict chi2, dof, reduced_chi2, p_value, edges, counts_a, counts_b, ratio (a/b of unit-area histograms), ratio_error."""

def correlation_dimension(jets: ArrayLike, *, q_min: float = 0.01, q_max: float = 1000.0, bins: int = 100, distance_scale: float = 1.0, max_points: int = 10000, span: int = 1, threads: int = 0) -> dict[str, Any]:
    """Correlation dimension D_corr(Q) = d ln N(Q) / d ln Q of jets [N, M, 3] (pT or pT/HT, eta, phi), with
    N(Q) the number of pairs whose exact EMD (times distance_scale) is below Q. The N(N-1)/2 EMDs of the
    first max_points jets are streamed into `bins` log-spaced bins on [q_min, q_max), never stored.
    Returns a dict: q, dimension, error (one-sigma, Poisson) per pair of edges `span` apart, and the
    histogram (edges, counts, underflow, overflow, pairs).
    """

def dimensionalities(beta: list[float], kl: list[float], distortion: list[float], *, kl_error: Optional[list[float]] = None, distortion_error: Optional[list[float]] = None, phase: Optional[list[str]] = None, max_log_beta_step: float = 0.0) -> Any:
    """D1 = -dKL/d ln beta and D2 = dD/d beta^2 of a beta scan, by finite differences inside each monotone
    run of checkpoints (given in training order; a run ends where beta turns, repeats, changes phase or
    jumps by more than max_log_beta_step in ln beta). distortion must be in units of beta^2.
    Returns {"runs": [...], "points": [{"run", "from", "to", "beta", "d1", "d1_error", "d2", "d2_error"}]}.
    """

def efp_graphs() -> list[dict]:
    """The 36 multigraphs of otae.energy_flow_polynomials, in order: dicts of name, vertices, edges (a doubled edge listed twice)."""

def emd(jet_a: ArrayLike, jet_b: ArrayLike, *, R: float = 1.0, beta: float = 1.0, norm: bool = False, wrap_phi: bool = True, return_flow: bool = False) -> Any:
    """Exact Energy Mover's Distance between two jets (network simplex, exact to ~1e-15).

    jet_a [M_a, 3], jet_b [M_b, 3]: rows (pT [GeV], eta, phi [rad]); rows with pT = 0 are padding.
    Ground cost (dR/R)^beta. phi is periodic by default (delta phi wrapped into [-pi, pi)), the
    opposite of EnergyFlow's default periodic_phi=False: pass wrap_phi=False to reproduce EnergyFlow's
    numbers, which tear a jet straddling phi = +-pi in two. Without norm, unequal total pT costs
    |sum pT_a - sum pT_b| extra (EnergyFlow's convention); with norm, each jet carries unit weight.
    Returns the EMD [GeV, or dimensionless with norm], or (EMD, flow [M_a, M_b]) with return_flow.
    """

def emds(jets_a: ArrayLike, jets_b: Any = None, *, R: float = 1.0, beta: float = 1.0, norm: bool = False, wrap_phi: bool = True, threads: int = 0) -> NDArray[Any]:
    """Exact EMDs between every jet of jets_a [N_a, M, 3] and of jets_b [N_b, M', 3] -> [N_a, N_b].
    With jets_b omitted: the symmetric matrix [N, N] of jets_a, each pair solved once.
    threads=0 uses every core. Options as otae.emd.
    """

def emds_paired(jets_a: ArrayLike, jets_b: ArrayLike, *, R: float = 1.0, beta: float = 1.0, norm: bool = False, wrap_phi: bool = True, threads: int = 0) -> NDArray[Any]:
    """Exact EMD(jets_a[i], jets_b[i]) for every i -> [N]. Options as otae.emd."""

def energy_flow_polynomials(jets: ArrayLike) -> NDArray[Any]:
    """The 36 energy-flow polynomials with degree d <= 4 of jets [N, M, 3] (pT in any unit, eta, phi [rad];
    padding rows pT = 0): EFP_G = sum over particles i1..iN of z_i1..z_iN prod_(k,l) in G dR_ik,il, with
    z = pT / sum pT and Delta phi wrapped (EnergyFlow's 'hadr' measure, beta = 1). Returns [N, 36] float64 in
    the order of otae.efp_graphs(). Computed by variable elimination in C++, in parallel over jets.
    """

def events_from_lhe(path: str, pdg_ids: list[int], *, intermediate: bool = False) -> dict[str, Any]:
    """Parton-level events from an LHE file: for each event the outgoing particles with the PDG ids given (with intermediate=True also the intermediate resonances, status 2, such as the tops of a ttbar file), hardest first among equal ids. Returns a dict: events [N, 4k] (px, py, pz, E per object, GeV), weights [N] (XWGTUP of each kept event, as the file states it), objects, events_read, events_skipped."""

def fpd(real_features: ArrayLike, generated_features: ArrayLike, *, min_samples: int = 20000, max_samples: int = 50000, points: int = 10, batches: int = 20, seed: int = 42) -> tuple[float, float]:
    """Frechet physics distance between feature samples [N, D] (e.g. otae.energy_flow_polynomials), each
    feature divided by its largest |value| in real_features: the mean Frechet distance of `batches` draws
    (with replacement) at `points` sample sizes evenly spaced in 1/N, extrapolated linearly to 1/N = 0.
    Returns (value, error).
    """

def frechet_distance(mean_a: ArrayLike, covariance_a: ArrayLike, mean_b: ArrayLike, covariance_b: ArrayLike) -> float:
    """Frechet distance |mu_a - mu_b|^2 + Tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2) between Gaussians, their squared W2, in the squared units of the features (means [D], covariances [D, D])."""

def generative_metrics(real: ArrayLike, generated: ArrayLike, *, floor: bool = True, samples: int = 50000, batches: int = 5, fpd_min_samples: int = 20000, fpd_max_samples: int = 50000, fpd_points: int = 10, fpd_batches: int = 20, kpd_samples: int = 5000, kpd_batches: int = 10, seed: int = 42) -> dict[str, Any]:
    """JetNet's scores of generated jets against real jets, both [N, M, 3] (pT, eta, phi [rad]), as
    `otae metrics`: W1M (of m_jet / pT_jet), W1P (eta_rel, phi_rel, pT_rel, padding excluded), W1EFP (the
    five connected EFPs with 4 vertices and 4 edges), FPD and KPD (the 36 EFPs, normalised by the real
    jets' largest |value|), each {"value", "error"}, with the seconds each took. Returns
    {"generated_vs_real": {...}, "floor": {...}}; the floor (two halves of `real`) only when floor=True.
    The defaults are JetNet's; the same seed gives the same numbers.
    """

def jets_from_hepmc(path: str, *, preset: str = 'collins-w', max_events: int = -1, abs_eta_max: float = 4.9) -> dict[str, Any]:
    """Jets from a HepMC3 (or HepMC2) ASCII file through the FastJet pipeline: visible final-state
    particles (no neutrinos, |eta| < abs_eta_max), leading anti-kt jet, the preset's cuts ('collins-w':
    500 < pT < 600 GeV, |eta| < 2, 75 < m < 110 GeV; 'none'), subjets of R = 0.07, the 50 hardest.
    Returns a dict: particles [N, 50, 3], jet [N, 5] (pT, eta, phi, m, subjets), counts (what became of
    the events), format, generator, cuts.
    """

def kl_spectrum(mu: ArrayLike, log_variance: ArrayLike) -> dict[str, Any]:
    """Mean KL [nats] per latent direction of posteriors N(mu, exp(log_variance)) [N, K] against N(0, 1), with standard errors, the ranking and the informative directions (KL > 0.1 nats)."""

def kolmogorov_smirnov(a: ArrayLike, b: ArrayLike, *, method: str = 'auto') -> dict[str, Any]:
    """Two-sample Kolmogorov-Smirnov test (statistic as scipy.stats.ks_2samp; method 'auto', 'exact' or 'asymp'): dict statistic, p_value, method."""

def kpd(real_features: ArrayLike, generated_features: ArrayLike, *, samples: int = 5000, batches: int = 10, seed: int = 42) -> tuple[float, float]:
    """Kernel physics distance between feature samples [N, D], normalised as otae.fpd: the unbiased MMD^2
    with the kernel (x.y/D + 1)^4 on `batches` draws of `samples` rows. Returns (median, half the 16-84 %
    range).
    """

def mutual_information(x: ArrayLike, y: ArrayLike, *, neighbours: int = 3, seed: int = 0) -> float:
    """Mutual information I(x; y) [nats] by the Kraskov-Stoegbauer-Grassberger estimator on the empirical copula."""

def point_correlation_dimension(points: ArrayLike, *, q_min: float = 0.0001, q_max: float = 10.0, bins: int = 100, max_points: int = 10000, span: int = 1) -> dict[str, Any]:
    """As otae.correlation_dimension, for points [N, D] with Euclidean distances."""

def read_jets(path: str, dataset: str = 'particles') -> NDArray[Any]:
    """Jets [N, M, 3] float32 (pT [GeV], eta, phi) from an HDF5 file, checked: rank, finite values, pT >= 0, no empty jet. Raises otae.IoError naming the file, dataset and jet."""

def sinkhorn_emd(weights_a: ArrayLike, positions_a: ArrayLike, weights_b: ArrayLike, positions_b: ArrayLike, *, eps_start: float = 1.0, eps_end: float = 0.01, eps_steps: int = 10, iterations_per_step: int = 10, tolerance: float = 0.001, R: float = 1.0, beta: float = 1.0, wrap_phi: bool = True, return_plan: bool = False, return_gradient: bool = False) -> dict[str, Any]:
    """Sharp Sinkhorn EMD of a batch of balanced pairs (the EMD-VAE's reconstruction error).

    weights_a [B, N], positions_a [B, N, 2] (eta, phi); weights_b [B, M], positions_b [B, M, 2].
    Each pair must be balanced (normalise pT by HT first); weight 0 marks padding. phi is periodic
    unless wrap_phi=False (EnergyFlow's default is not periodic; see otae.emd). epsilon is annealed
    geometrically from eps_start to eps_end in eps_steps steps of at most iterations_per_step
    iterations, stopping a pair once its L1 marginal error is below tolerance.
    Returns a dict: cost [B] (the sharp transport cost, no entropy term), iterations [B],
    marginal_error [B], plan [B, N, M] with return_plan, and with return_gradient the gradient of
    sum(cost) with respect to each input (dict keyed by the argument names; weight gradients are
    projected onto the simplex).
    """

def sliced_wasserstein(x: ArrayLike, y: ArrayLike, *, slices: int = 1000, seed: int = 0, directions: Any = None) -> dict[str, Any]:
    """Sliced Wasserstein distance SW_2^2 between samples x [B, D] and y [B', D] (B != B' allowed, exact
    quantile coupling per slice). Directions: `slices` random unit vectors drawn with `seed`, or the
    given directions [L, D]. Returns a dict: sw2_squared (squared units of x), sw2, directions.
    """

def spearman_correlation(x: ArrayLike, y: ArrayLike) -> float:
    """Spearman's rank correlation of x and y [N] (ties share their mean rank)."""

def wasserstein_1d(a: ArrayLike, b: ArrayLike) -> dict[str, Any]:
    """1-D Wasserstein distances of samples a [N_a] and b [N_b]: dict w1 (as scipy.stats.wasserstein_distance), w2_squared, w2, in the samples' units."""

class OtusRun:
    """A trained OTUS run (`otae otus train`): detector simulation and unfolding."""
    def __init__(self, run_dir: str, *, threads: int = 0, device: str = 'cpu') -> None:
        """Loads the run folder's final models; device 'cpu', 'cuda' or 'cuda:N' is where the generators run (arrays stay NumPy)."""
    def evaluate(self, data: str, *, x_data: str = '', folder: str = '', checkpoint: str = 'final', rows: str = 'auto', slices: int = 1000, seed: int = 0) -> str:
        """As `otae otus evaluate`: the held-out events of the HDF5 file `data` (its test split when it is the training file, rows='auto'; 'test' or 'all'), or z of `data` against x of `x_data` (unpaired), against the floor and the identity; writes metrics.json and samples.h5 into `folder` (default RUN/evaluation) and returns metrics.json as JSON text (SW in GeV^2 and standardised, W1/KS/chi2 per observable, verdicts)."""
    @property
    def run(self) -> Any:
        """run.json of the folder, as JSON text"""
    def simulate(self, z: ArrayLike, *, seed: int = 0, batch_size: int = 65536) -> NDArray[Any]:
        """Parton-level events z [N, 4k_z] (px, py, pz, E per object, GeV) -> detector-level x [N, 4k_x], one stochastic draw seeded by `seed`."""
    def unfold(self, x: ArrayLike, *, seed: int = 0, batch_size: int = 65536) -> NDArray[Any]:
        """Detector-level events x [N, 4k_x] -> parton-level z [N, 4k_z] (GeV), one draw seeded by `seed`."""

class VaeRun:
    """A trained EMD-VAE run (`otae vae train`) at one checkpoint of its beta scan."""
    def __init__(self, run_dir: str, step: str = 'last', *, threads: int = 0, device: str = 'cpu') -> None:
        """Loads the run folder's model at `step`: 'last' or a production beta_hat such as '1e-3'. threads=0 uses every core; device 'cpu', 'cuda' or 'cuda:N' is where the model runs (arrays stay NumPy)."""
    @property
    def beta_hat(self) -> Any:
        """beta_hat [HT dR] of the loaded checkpoint"""
    @property
    def config(self) -> Any:
        """the run's configuration as YAML"""
    def decode(self, z: ArrayLike, *, batch_size: int = 1000) -> dict[str, Any]:
        """Decodes latent points z [N, L + K + 2C] (Gaussian, binary, cos and sin of each circular angle): dict particles [N, M, 3] (pT/HT, eta, phi) for jets, or x [N, d] for toy vectors."""
    def encode(self, source: str, *, dataset: str = '', max_rows: int = 0, batch_size: int = 1000) -> dict[str, Any]:
        """Posterior of every row of an HDF5 file of jets (prepared as in training: pT/HT, centring) or a toy spec: dict mu, log_variance [N, L] float32; with binary latents binary_log_alpha [N, K], with circular ones circular_mean [N, C] (rad) and circular_concentration [N, C]."""
    @property
    def latent_dim(self) -> Any: ...
    @property
    def phase(self) -> Any: ...
    @property
    def step(self) -> Any:
        """the beta step the loaded checkpoint ends"""

class Error(RuntimeError): ...

class ConfigError(Error, ValueError): ...

class InvalidArgument(Error, ValueError): ...

class IoError(Error, OSError): ...

class NumericalError(Error, ArithmeticError): ...
