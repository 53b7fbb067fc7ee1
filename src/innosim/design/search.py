"""The search engine of :func:`innosim.optimise`: NSGA-II (pymoo) over a box with a budget.

Why pymoo: its NSGA-II is maintained and tested, takes inequality constraints and a repair
operator, and has an ask-and-tell interface, so innosim keeps the evaluation: each generation's
candidates run on innosim's own executors (process pool or Dask) with the same seeds and
posterior draws for every candidate, and a killed search is resumed by replaying the
generations from the stored runs (the algorithm's random stream is its own
``numpy.random.Generator``, seeded from the file's seed, so the replay asks for the same
candidates). The EMA Workbench's optimiser runs the model through its own evaluators, and
optuna's samplers are single-objective first; neither fits that loop as well.

The budget is a linear constraint on the decision variables: a candidate's committed spending
is ``fixed + sum(spend * x)``. Candidates above the cap are repaired before they are evaluated,
by shrinking every budget variable's distance from its lower bound in the same proportion, so
no simulation is spent on a candidate the district could not afford and the front lies on or
inside the budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_SLACK = 1e-9
"""Relative margin kept below the cap after a repair (rounding)."""


@dataclass(frozen=True)
class Space:
    """Decision variables with bounds and a budget cap.

    Attributes:
        names: One name per variable.
        lower, upper: Bounds per variable.
        spend: Spending per unit of each variable (0 for a variable that is not a budget).
        fixed: Spending committed whatever the variables are.
        cap: The most that may be spent (``None``: no cap).
    """

    names: tuple[str, ...]
    lower: np.ndarray
    upper: np.ndarray
    spend: np.ndarray
    fixed: float = 0.0
    cap: float | None = None

    def spending(self, x: np.ndarray) -> np.ndarray:
        """Committed spending of each row of ``x``."""
        return self.fixed + np.atleast_2d(x) @ self.spend

    @property
    def least_spending(self) -> float:
        """Spending with every budget variable at its lower bound."""
        return float(self.fixed + self.lower @ self.spend)

    def repair(self, x: np.ndarray) -> np.ndarray:
        """``x`` (rows of candidates) clipped to the bounds and brought within the cap."""
        x = np.clip(np.atleast_2d(np.asarray(x, dtype=float)), self.lower, self.upper)
        if self.cap is None:
            return x
        room = self.cap * (1 - _SLACK) - self.least_spending
        above = (x - self.lower) @ self.spend
        over = above > room
        if over.any():
            shrink = np.where(self.spend > 0, room / above[over, None], 1.0)
            x[over] = self.lower + (x[over] - self.lower) * shrink
        return x


@dataclass(frozen=True)
class SearchResult:
    """Every evaluated candidate, in the order evaluated.

    Attributes:
        x: Decision values, one row per candidate.
        f: Objective estimates in their own units, one column per objective.
        generation: The generation each candidate belongs to (0 is the initial population).
        front: Whether each candidate is on the Pareto front of all evaluated candidates.
    """

    x: np.ndarray
    f: np.ndarray
    generation: np.ndarray
    front: np.ndarray


def pareto_front(f: np.ndarray, senses: np.ndarray) -> np.ndarray:
    """Mask of the rows of ``f`` that no other row dominates (``senses``: +1 maximise, -1 minimise).

    Equal rows are all kept.
    """
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    if len(f) == 0:
        return np.zeros(0, dtype=bool)
    mask = np.zeros(len(f), dtype=bool)
    mask[NonDominatedSorting().do(-f * senses, only_non_dominated_front=True)] = True
    return mask


def search(
    evaluate: Callable[[np.ndarray, int], np.ndarray],
    space: Space,
    senses: np.ndarray,
    population: int,
    generations: int,
    seed: int,
) -> SearchResult:
    """Run NSGA-II for ``generations`` generations of ``population`` candidates.

    Args:
        evaluate: Called once per generation with the candidates (rows, within the space's
            bounds and cap) and the generation's number; returns one row of objective
            estimates per candidate.
        space: The decision variables and the budget.
        senses: Per objective, +1 to maximise or -1 to minimise.
        population: Candidates per generation.
        generations: Generations, the initial population included.
        seed: Seed of the algorithm's own random stream.

    Returns:
        Every candidate evaluated, with the Pareto front of them all.
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.core.repair import Repair
    from pymoo.problems.static import StaticProblem

    class BudgetRepair(Repair):
        def _do(self, problem: object, x: np.ndarray, **kwargs: object) -> np.ndarray:
            return space.repair(x)

    senses = np.asarray(senses, dtype=float)
    problem = Problem(n_var=len(space.names), n_obj=len(senses), xl=space.lower, xu=space.upper)
    algorithm = NSGA2(pop_size=population, repair=BudgetRepair(), eliminate_duplicates=False)
    algorithm.setup(problem, termination=("n_gen", generations), seed=seed, verbose=False)
    xs, fs, gens = [], [], []
    generation = 0
    while algorithm.has_next():
        pop = algorithm.ask()
        x = np.asarray(pop.get("X"), dtype=float)
        f = np.asarray(evaluate(x, generation), dtype=float).reshape(len(x), len(senses))
        Evaluator().eval(StaticProblem(problem, F=-f * senses), pop)
        algorithm.tell(infills=pop)
        xs.append(x)
        fs.append(f)
        gens.append(np.full(len(x), generation))
        generation += 1
    x_all, f_all = np.vstack(xs), np.vstack(fs)
    return SearchResult(x_all, f_all, np.concatenate(gens), pareto_front(f_all, senses))
