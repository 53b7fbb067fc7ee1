"""innosim: agent-based simulation of Guangzhou Baiyun district's innovation policy.

The public API::

    import innosim
    scenario = innosim.load_scenario("scenarios/plan.toml")   # or load_scenario() for the baseline
    table = innosim.simulate(scenario, seed=1, replicates=8)  # pandas DataFrame, long form;
                                                              # parameters drawn from the posterior
    model = innosim.InnovationModel(scenario, rng=1).run()    # one Mesa model
    result = innosim.compare(["scenarios/baseline.toml", "scenarios/plan.toml"], replicates=30)
    result.indicators, result.spending, result.cost_effectiveness    # DataFrames; paired effects
    table = innosim.sweep("experiments/talent_fund_grid.toml", out="results/grid")  # streams to Parquet

    from innosim.sensitivity import sensitivity, analyze_function             # SALib, indices every year
    indices = sensitivity("experiments/sobol_levers.toml", out="results/sobol")
"""

from importlib.metadata import PackageNotFoundError, version

from innosim.compare import Comparison, compare
from innosim.errors import InputError
from innosim.executor import get_executor
from innosim.experiment import Sweep, load_sweep
from innosim.facts import FactBook, load_facts
from innosim.indicators import INDICATORS, Indicator
from innosim.model import InnovationModel
from innosim.posterior import Posterior, parameter_choice, shipped_posterior
from innosim.levers import LEVERS, Policy
from innosim.parameters import Parameters
from innosim.scenario import Scenario, default_scenario, load_scenario
from innosim.simulate import replicate_seeds, run_replicate, simulate, summarise
from innosim.sweep import sweep

try:
    __version__ = version("innosim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "INDICATORS", "LEVERS", "Comparison", "FactBook", "Indicator", "InnovationModel", "InputError", "Parameters",
    "Policy", "Posterior", "Scenario", "Sweep", "__version__", "compare", "default_scenario", "get_executor",
    "load_facts", "load_scenario", "load_sweep", "parameter_choice", "replicate_seeds", "run_replicate",
    "shipped_posterior", "simulate", "summarise", "sweep",
]
