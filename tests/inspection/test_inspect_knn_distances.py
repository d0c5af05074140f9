"""The nearest-bank distances of a knn model's analysis (branch surf45b): one buffer for
every chunk's distance matrix and the bank's terms taken once by the scorer give the
values of the reference computation (``addmm`` a chunk, a new matrix each), on random data.
"""

from __future__ import annotations

import numpy as np
import torch

from robotest.inspection.patchcore import (
    CHUNK,
    PatchCoreScorer,
    RandomFeatures,
    bank_terms,
    nearest_distances,
    nearest_rows,
)


def reference_distances(queries: torch.Tensor, bank: torch.Tensor) -> torch.Tensor:
    """The computation before stop 45: a fresh ``addmm`` matrix for every chunk."""
    squared = (bank * bank).sum(dim=1)
    values = []
    for i in range(0, len(queries), CHUNK):
        chunk = queries[i : i + CHUNK]
        d2 = torch.addmm(squared, chunk, bank.T, alpha=-2.0)
        values.append(d2.amin(dim=1) + (chunk * chunk).sum(dim=1))
    return torch.cat(values).clamp_(min=0.0).sqrt_()


def random_rows(seed: int, queries: int, bank: int, dims: int) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(queries, dims, generator=generator), torch.randn(
        bank, dims, generator=generator
    )


def test_the_buffered_distances_equal_the_reference_over_several_chunks() -> None:
    queries, bank = random_rows(7, 2 * CHUNK + 300, 500, 33)  # two full chunks and a part
    want = reference_distances(queries, bank)
    brute = torch.cdist(queries.double(), bank.double()).min(dim=1).values
    for got in (nearest_distances(queries, bank), nearest_distances(queries, bank_terms(bank))):
        assert torch.allclose(got, want, rtol=0.0, atol=1e-5)
        assert torch.allclose(got.double(), brute, rtol=0.0, atol=1e-4)
    distances, rows = nearest_rows(queries, bank_terms(bank))
    assert torch.equal(distances, nearest_distances(queries, bank))
    chosen = torch.linalg.vector_norm(queries - bank[rows], dim=1)
    assert torch.allclose(chosen, distances, atol=1e-4)
    assert (
        rows == torch.cdist(queries.double(), bank.double()).argmin(dim=1)
    ).float().mean() > 0.99


def test_a_scorer_takes_its_banks_terms_once_and_maps_as_the_reference() -> None:
    queries, bank = random_rows(8, 40, 60, 3)
    params = {
        "bank": bank.numpy(),
        "feature_mean": np.zeros(3, np.float32),
        "feature_std": np.ones(3, np.float32),
    }
    scorer = PatchCoreScorer(RandomFeatures(1), params, 0.0)
    doubled, squared = scorer.terms[""]
    assert torch.equal(doubled, -2.0 * bank.T)
    assert torch.allclose(squared, (bank * bank).sum(dim=1))
    got = scorer.branch_distances("", queries.reshape(2, 4, 5, 3))
    assert torch.allclose(got, reference_distances(queries, bank), rtol=0.0, atol=1e-5)
