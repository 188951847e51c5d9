"""Known answers for ExplabOff's mutual-information bounds on jointly Gaussian samples.

X and Y are D-dimensional standard normals with per-dimension correlation rho, so I(X; Y) = -D/2 log(1 -
rho^2). Each estimator is trained as ExplabOff trains it (the lower bounds by maximising themselves, the
upper bounds' Gaussian q(y|x) by its log-likelihood) and then evaluated on fresh batches: the lower bounds
(JSD, InfoNCE) stay at or below their analytic ceilings (2 log 2 per sample for JSD, log B for InfoNCE,
and the true MI for InfoNCE) and rise with the correlation; the upper bounds (CLUB, L1Out) stay at or above
the true MI on average and rise with it. Correlations are kept where CLUB's q can represent the true
conditional variance (its log-variance is squashed into (-1, 1) as in the release: 1 - rho^2 > e^-1).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
import torch

from agents.explaboff import (
    GaussianConditional,
    SeparableCritic,
    club_upper_bound,
    infonce_lower_bound,
    jsd_lower_bound,
    l1out_upper_bound,
)

DIM = 2
BATCH = 256
TRAIN_STEPS = 300
EVAL_BATCHES = 20
RHOS = (0.0, 0.5, 0.75)
SAMPLING_TOLERANCE = 0.03
"""how far a mean over 20 batches of 256 may fall on the wrong side of a bound by sampling alone"""


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    # Small matrices: more threads only add overhead on a shared machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def true_mi(rho: float) -> float:
    return -DIM / 2 * math.log(1 - rho**2)


def sample(rho: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(BATCH, DIM, generator=generator)
    y = rho * x + math.sqrt(1 - rho**2) * torch.randn(BATCH, DIM, generator=generator)
    return x, y


def lower_estimates(kind: str, rho: float) -> torch.Tensor:
    """Per-sample estimates on EVAL_BATCHES fresh batches, after training (EVAL_BATCHES, BATCH)."""
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    critic = SeparableCritic(DIM, DIM, 32)
    bound = jsd_lower_bound if kind == "jsd" else infonce_lower_bound
    optimizer = torch.optim.Adam(critic.parameters(), lr=5e-3)
    for _ in range(TRAIN_STEPS):
        loss = -bound(critic(*sample(rho, generator))).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return torch.stack([bound(critic(*sample(rho, generator))) for _ in range(EVAL_BATCHES)])


def upper_estimates(kind: str, rho: float) -> torch.Tensor:
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(2)
    q = GaussianConditional(DIM, DIM, 32)
    bound = club_upper_bound if kind == "club" else l1out_upper_bound
    optimizer = torch.optim.Adam(q.parameters(), lr=5e-3)
    for _ in range(TRAIN_STEPS):
        loss = q.learning_loss(*sample(rho, generator))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        estimates = []
        for _ in range(EVAL_BATCHES):
            x, y = sample(rho, generator)
            mu, logvar = q(x)
            estimates.append(bound(mu, logvar, y))
        return torch.stack(estimates)


@pytest.mark.parametrize("kind", ["jsd", "infonce"])
def test_lower_bounds_stay_under_their_ceilings_and_rise_with_correlation(kind: str) -> None:
    means = []
    checked = 0
    for rho in RHOS:
        estimates = lower_estimates(kind, rho)
        ceiling = 2 * math.log(2) if kind == "jsd" else math.log(BATCH)
        assert estimates.max().item() <= ceiling + 1e-5, f"{kind} above its ceiling at rho {rho}"
        checked += estimates.numel()
        mean = estimates.mean().item()
        if kind == "infonce":
            assert mean <= true_mi(rho) + SAMPLING_TOLERANCE, f"InfoNCE {mean} above I = {true_mi(rho)}"
        means.append(mean)
    assert checked == len(RHOS) * EVAL_BATCHES * BATCH
    assert abs(means[0]) < SAMPLING_TOLERANCE  # independent samples: nothing to find
    assert means[0] + 0.03 < means[1] and means[1] + 0.03 < means[2], f"{kind} does not rise: {means}"


@pytest.mark.parametrize("kind", ["club", "l1out"])
def test_upper_bounds_stay_above_the_true_mi_and_rise_with_correlation(kind: str) -> None:
    means = []
    for rho in RHOS:
        mean = upper_estimates(kind, rho).mean().item()
        assert mean >= true_mi(rho) - SAMPLING_TOLERANCE, f"{kind} {mean} under I = {true_mi(rho)} at {rho}"
        means.append(mean)
    assert means[0] + 0.1 < means[1] and means[1] + 0.1 < means[2], f"{kind} does not rise: {means}"
    # The bounds are not vacuous: CLUB, the looser, stays within a few times the truth here.
    assert means[2] < 5 * true_mi(RHOS[2])


def test_infonce_of_a_perfect_critic_approaches_log_batch_and_never_exceeds_it() -> None:
    # Scores that single out each positive pair: the estimate is log B minus a vanishing softmax term.
    scores = torch.full((8, 8), -50.0).fill_diagonal_(50.0)
    estimates = infonce_lower_bound(scores)
    assert torch.allclose(estimates, torch.full((8,), math.log(8)), atol=1e-6)
    assert (infonce_lower_bound(torch.randn(64, 64)) <= math.log(64) + 1e-6).all()


def test_jsd_of_a_perfect_critic_reaches_two_log_two() -> None:
    scores = torch.full((16, 16), -60.0).fill_diagonal_(60.0)
    assert torch.allclose(jsd_lower_bound(scores), torch.full((16,), 2 * math.log(2)), atol=1e-5)
    with pytest.raises(ValueError, match="at least 2"):
        jsd_lower_bound(torch.zeros(1, 1))
