"""产学研 links: a sparse network between firms and R&D institutions.

A link joins a firm (by its identity, ``uid``) and a university, institute or new-type R&D
institution (a Mesa agent, by ``unique_id``) for a term. Links form two ways, each year in
Q1: R&D-active firms search for a partner on their own (``link_search_rate``), and the
industry-academia lever pays for joint labs and projects (continuing funded links first,
then new ones for the most R&D-intensive firms, as far as the budget goes). A firm picks its
partner with probability proportional to the partner's research capacity, several times
more in its own zone. Knowledge flows along links: a linked firm's knowledge production is
raised by ``link_effect`` per link, in proportion to the partner's capacity relative to a
typical institute. :func:`graph` gives the network as a ``networkx`` graph and
:func:`degrees` its degree distribution.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from innosim.model.constants import CONSTANTS as C
from innosim.model.population import Column, Population

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from innosim.model.model import InnovationModel


class Links(Population):
    """产学研 links between firms and R&D institutions (one row per link)."""

    columns = {
        "alive": Column(bool, True, "flag", "the link is in force"),
        "firm": Column(np.uint64, 0, "id", "uid of the firm"),
        "institution": Column(np.int64, -1, "agent id", "unique_id of the R&D institution"),
        "start": Column(np.float64, 0.0, "year", "time the link was formed"),
        "until": Column(np.float64, 0.0, "year", "time the link ends"),
        "funded": Column(bool, False, "flag", "a joint lab or project paid by the industry-academia lever"),
    }


def firm_rows(model: InnovationModel) -> np.ndarray:
    """Row in ``model.firms`` of each link's firm (firms' uids increase with their rows)."""
    return np.searchsorted(model.firms.uid, model.links.firm)


def form_links(model: InnovationModel) -> None:
    """Q1: links that ended are dropped; funded links continue, then new funded and searched links form."""
    links, fi, gov, rng = model.links, model.firms, model.government, model.stream("network")
    rows = firm_rows(model)
    links.compact(links.alive & (links.until > model.t) & fi.alive[rows])
    lever = gov.lever("industry_academia")
    gov.pay_each("industry_academia", np.full(int(links.funded.sum()), lever.cost_per_link))
    linked = np.zeros(fi.n, dtype=bool)
    linked[firm_rows(model)] = True
    cand = np.flatnonzero(fi.alive & (fi.rd > 0) & ~linked)
    n_new = min(int(gov.remaining("industry_academia") / lever.cost_per_link * model.scale), len(cand))
    if n_new:
        weight = fi.rd[cand] / np.maximum(fi.revenue[cand], 1.0) * rng.lognormal(0.0, C.link_choice_sigma, len(cand))
        chosen = cand[np.argsort(-weight, kind="stable")[:n_new]]
        paid = gov.pay_each("industry_academia", np.full(n_new, lever.cost_per_link))
        _add(model, chosen[paid >= lever.cost_per_link * (1 - 1e-9)], lever.link_years, funded=True)
        linked[chosen] = True
    search = np.flatnonzero(fi.alive & (fi.rd > 0) & ~linked)
    search = search[rng.random(len(search)) < model.p.link_search_rate]
    _add(model, search, C.search_link_years, funded=False)


def _add(model: InnovationModel, firms: np.ndarray, years: float, funded: bool) -> None:
    """Links for the given firm rows, each to a partner drawn by capacity and zone."""
    institutions = model.institutions
    if not len(firms) or not institutions:
        return
    rng = model.stream("network")
    ids = np.array([i.unique_id for i in institutions])
    capacity = np.array([i.capacity for i in institutions])
    zone = np.array([i.zone for i in institutions])
    affinity = np.where(zone[None, :] == model.firms.zone[firms][:, None], C.link_same_zone_weight, 1.0)
    weight = affinity * capacity[None, :]
    cum = np.cumsum(weight, axis=1)
    pick = (cum < rng.random(len(firms))[:, None] * cum[:, -1:]).sum(axis=1)
    model.links.add(
        len(firms),
        firm=model.firms.uid[firms],
        institution=ids[pick],
        start=model.t,
        until=model.t + years - C.link_end_before_year,
        funded=funded,
    )


def live(model: InnovationModel) -> np.ndarray:
    """Which rows of ``model.links`` are in force now."""
    return model.links.alive & (model.links.until >= model.t)


def link_term(model: InnovationModel) -> np.ndarray:
    """Extra knowledge production of every firm row from its links (0 without links)."""
    links, now = model.links, live(model)
    if not now.any():
        return np.zeros(model.firms.n)
    capacity = {i.unique_id: i.capacity for i in model.institutions}
    partner = np.array([capacity.get(int(j), 0.0) for j in links.institution[now]])
    per_firm = np.bincount(firm_rows(model)[now], weights=partner, minlength=model.firms.n)
    return model.p.link_effect * per_firm[: model.firms.n] / C.institute_capacity


def linked(model: InnovationModel) -> np.ndarray:
    """Whether each firm row has a link in force."""
    out = np.zeros(model.firms.n, dtype=bool)
    out[firm_rows(model)[live(model)]] = True
    return out & model.firms.alive


def graph(model: InnovationModel) -> nx.Graph:
    """The network in force as a ``networkx`` bipartite graph: firm nodes ``("firm", uid)``,
    institution nodes ``("institution", unique_id)`` with their ``kind`` and ``name``."""
    import networkx as nx

    g = nx.Graph()
    for inst in model.institutions:
        g.add_node(("institution", inst.unique_id), kind=inst.kind, name=inst.name, bipartite=1)
    links, now = model.links, live(model)
    for uid, j, funded in zip(links.firm[now], links.institution[now], links.funded[now], strict=True):
        g.add_node(("firm", int(uid)), bipartite=0)
        g.add_edge(("firm", int(uid)), ("institution", int(j)), funded=bool(funded))
    return g


def degrees(model: InnovationModel) -> dict[str, Any]:
    """Degree distribution of the network in force: ``{"institutions": {degree: count},
    "firms": {degree: count}, "links": n}`` (district counts are these over the scale)."""
    links, now = model.links, live(model)
    inst = {i.unique_id: 0 for i in model.institutions}
    for j in links.institution[now]:
        inst[int(j)] = inst.get(int(j), 0) + 1
    firm = np.unique(links.firm[now], return_counts=True)[1]
    return {
        "institutions": _counts(np.array(list(inst.values()), dtype=np.int64)),
        "firms": _counts(firm),
        "links": int(now.sum()),
    }


def _counts(values: np.ndarray) -> dict[int, int]:
    keys, counts = np.unique(values, return_counts=True)
    return {int(k): int(c) for k, c in zip(keys, counts, strict=True)}
