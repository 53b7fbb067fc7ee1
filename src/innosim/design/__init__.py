"""Policy design: budget-constrained optimisation of the levers (:mod:`~innosim.design.optimise`,
``innosim optimise``) and scenario discovery (:mod:`~innosim.design.discover`, ``innosim discover``).

Needs the ``design`` extra (``pip install "innosim[design]"``: pymoo, the EMA Workbench). See
``docs/policy-design.md``.
"""

MODULES = ("pymoo", "ema_workbench")
"""What the ``design`` extra provides."""


def require_extra() -> None:
    """Raise ``ImportError`` with the install command when the ``design`` extra is missing."""
    import importlib.util

    missing = [m for m in MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise ImportError(
            f'policy design needs the design extra ({", ".join(missing)} missing): pip install "innosim[design]"'
        )
