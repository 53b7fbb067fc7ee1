"""Small mathematical helpers of the processes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def logit(p: float) -> float:
    """Log-odds of a probability."""
    return math.log(p / (1.0 - p))


def sigmoid(x: Any) -> Any:
    """Logistic function, elementwise."""
    return 1.0 / (1.0 + np.exp(-x))
