"""How many CPU threads PyTorch may use (the stations and the CI machine share cores)."""

from __future__ import annotations

import os


def configure_torch(threads: int | None = None) -> int:
    """Set PyTorch's thread count: *threads*, else ``ROBOTEST_TORCH_THREADS``, else 1.

    One thread by default: on a loaded machine more threads spin and run slower.
    """
    import torch

    chosen = threads or int(os.environ.get("ROBOTEST_TORCH_THREADS", "0") or 0)
    if chosen <= 0:
        chosen = 1
    torch.set_num_threads(chosen)
    return chosen
