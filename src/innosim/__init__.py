"""innosim: agent-based simulation of Guangzhou Baiyun district's innovation policy.

The public API::

    import innosim
    scenario = innosim.load_scenario("scenarios/plan.toml")   # or load_scenario() for the baseline
    table = innosim.simulate(scenario, seed=1, replicates=8)  # pandas DataFrame, long form;
                                                              # parameters drawn from the posterior
    model = innosim.InnovationModel(scenario, rng=1).run()    # one Mesa model
    projection = innosim.project(scenario, replicates=20)     # what `innosim run` does
    projection.save("results/plan")                           # indicators.csv + manifest.json
    result = innosim.compare(["scenarios/baseline.toml", "scenarios/plan.toml"], replicates=30)
    result.indicators, result.spending, result.cost_effectiveness    # DataFrames; paired effects
    result.save("results/plan_vs_baseline")
    table = innosim.sweep("experiments/talent_fund_grid.toml", out="results/grid")  # streams to Parquet
    again = innosim.load_result("results/plan_vs_baseline")  # any result directory, reopened

    from innosim.sensitivity import sensitivity, analyze_function             # SALib, indices every year
    indices = sensitivity("experiments/sobol_levers.toml", out="results/sobol")
    found = innosim.optimise("experiments/optimise_quick.toml", out="results/q")  # Pareto front (pymoo)
    boxes = innosim.discover("results/q", "targets_met >= 8")  # PRIM, CART (EMA Workbench)

Names are imported when first used, so ``import innosim`` is quick.
"""

from typing import TYPE_CHECKING

from innosim._lazy import attach

if TYPE_CHECKING:  # pragma: no cover
    from innosim.comparison import Comparison, compare
    from innosim.design.discover import Discovery, discover
    from innosim.design.optimise import OptimisationResult, optimise
    from innosim.errors import InputError
    from innosim.executor import get_executor
    from innosim.experiments.kinds import load_experiment, load_optimisation, load_sweep
    from innosim.experiments.runner import sweep
    from innosim.experiments.sweep import Sweep
    from innosim.facts import FactBook, load_facts
    from innosim.indicators import INDICATORS, Indicator
    from innosim.levers import LEVERS, Policy
    from innosim.model.model import InnovationModel
    from innosim.parameters import Parameters
    from innosim.posterior import Posterior, parameter_choice, shipped_posterior
    from innosim.results import load_result
    from innosim.scenario import Scenario, default_scenario, load_scenario
    from innosim.simulation import Projection, project, replicate_seeds, run_replicate, simulate, summarise
    from innosim.version import __version__

_EXPORTS = {
    "Comparison": "innosim.comparison",
    "compare": "innosim.comparison",
    "Discovery": "innosim.design.discover",
    "discover": "innosim.design.discover",
    "OptimisationResult": "innosim.design.optimise",
    "load_optimisation": "innosim.experiments.kinds",
    "optimise": "innosim.design.optimise",
    "InputError": "innosim.errors",
    "get_executor": "innosim.executor",
    "load_experiment": "innosim.experiments.kinds",
    "load_sweep": "innosim.experiments.kinds",
    "sweep": "innosim.experiments.runner",
    "Sweep": "innosim.experiments.sweep",
    "FactBook": "innosim.facts",
    "load_facts": "innosim.facts",
    "INDICATORS": "innosim.indicators",
    "Indicator": "innosim.indicators",
    "LEVERS": "innosim.levers",
    "Policy": "innosim.levers",
    "InnovationModel": "innosim.model.model",
    "Parameters": "innosim.parameters",
    "Posterior": "innosim.posterior",
    "parameter_choice": "innosim.posterior",
    "shipped_posterior": "innosim.posterior",
    "load_result": "innosim.results",
    "Scenario": "innosim.scenario",
    "default_scenario": "innosim.scenario",
    "load_scenario": "innosim.scenario",
    "Projection": "innosim.simulation",
    "project": "innosim.simulation",
    "replicate_seeds": "innosim.simulation",
    "run_replicate": "innosim.simulation",
    "simulate": "innosim.simulation",
    "summarise": "innosim.simulation",
    "__version__": "innosim.version",
}
__getattr__, __dir__ = attach(__name__, _EXPORTS)
__all__ = [
    "Comparison",
    "Discovery",
    "FactBook",
    "INDICATORS",
    "Indicator",
    "InnovationModel",
    "InputError",
    "LEVERS",
    "OptimisationResult",
    "Parameters",
    "Policy",
    "Posterior",
    "Projection",
    "Scenario",
    "Sweep",
    "__version__",
    "compare",
    "default_scenario",
    "discover",
    "get_executor",
    "load_experiment",
    "load_facts",
    "load_optimisation",
    "load_result",
    "load_scenario",
    "load_sweep",
    "optimise",
    "parameter_choice",
    "project",
    "replicate_seeds",
    "run_replicate",
    "shipped_posterior",
    "simulate",
    "summarise",
    "sweep",
]
