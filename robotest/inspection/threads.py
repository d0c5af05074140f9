"""How many CPU threads PyTorch may use (the stations and the CI machine share cores)."""

from __future__ import annotations

from robotest.settings import settings


def configure_torch(threads: int | None = None) -> int:
    """Set PyTorch's thread count: *threads*, else ``RTEST_TORCH_THREADS``, else 1.

    One thread by default: on a loaded machine more threads spin and run slower.
    """
    import torch

    chosen = threads or settings().torch_threads
    if chosen <= 0:
        chosen = 1
    torch.set_num_threads(chosen)
    return chosen
