"""innosim: agent-based simulation of Guangzhou Baiyun district's innovation policy.

The public API::

    import innosim
    scenario = innosim.load_scenario("scenarios/plan.toml")   # or load_scenario() for the baseline
    table = innosim.simulate(scenario, seed=1, replicates=8)  # pandas DataFrame, long form;
                                                              # parameters drawn from the posterior
    model = innosim.InnovationModel(scenario, rng=1).run()    # one Mesa model
"""

from importlib.metadata import PackageNotFoundError, version

from innosim.errors import InputError
from innosim.facts import FactBook, load_facts
from innosim.indicators import INDICATORS, Indicator
from innosim.model import InnovationModel
from innosim.posterior import Posterior, parameter_choice, shipped_posterior
from innosim.scenario import LEVERS, Parameters, Policy, Scenario, default_scenario, load_scenario
from innosim.simulate import replicate_seeds, run_replicate, simulate, summarise

try:
    __version__ = version("innosim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "INDICATORS", "LEVERS", "FactBook", "Indicator", "InnovationModel", "InputError", "Parameters", "Policy",
    "Posterior", "Scenario", "__version__", "default_scenario", "load_facts", "load_scenario", "parameter_choice",
    "replicate_seeds", "run_replicate", "shipped_posterior", "simulate", "summarise",
]
