"""The paper's LSTM: one small network per commodity, input ``y ⊕ customer_forecast`` per step.

At step ``t`` the network reads the scaled demand of the period before and the customer's
forecast for period ``t`` and predicts the demand of ``t`` (MSE loss, Adam). Forecasting
runs it over the last ``context`` periods and then feeds its own predictions forward.

Every commodity has its own weights, but all commodities train *together*: the weights are
stacked along a leading commodity axis and every step is one batched matrix product
(``torch.baddbmm``), so 200 networks cost about what one does. ``shared=True`` gives the
global variant (one network for all commodities, which also serves new ones).
An update (``fit(update=True)``) warm-starts from the current weights and trains a few steps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from robotest.forecast.errors import ModelError
from robotest.forecast.models.base import Window

GLOBAL_KEY = "*"
PARAM_NAMES = ("w_in", "w_h", "b", "w_out", "b_out")


@dataclass(frozen=True)
class LSTMConfig:
    """Size and training schedule; ``context`` 0 means two seasons, at most 26 periods."""

    hidden: int = 16
    context: int = 0
    windows: int = 4
    pretrain_steps: int = 200
    steps: int = 150
    update_steps: int = 40
    lr: float = 0.01
    update_lr: float = 0.003
    weight_decay: float = 0.01
    burn_in: float = 0.5
    seed: int = 0


def _init(groups: int, inputs: int, hidden: int, gen: torch.Generator) -> dict[str, torch.Tensor]:
    bound = 1.0 / hidden**0.5

    def uniform(*shape: int) -> torch.Tensor:
        return (torch.rand(*shape, generator=gen) * 2 - 1) * bound

    b = uniform(groups, 1, 4 * hidden)
    b[:, :, hidden : 2 * hidden] += 1.0  # forget gate opens at first
    return {
        "w_in": uniform(groups, inputs, 4 * hidden),
        "w_h": uniform(groups, hidden, 4 * hidden),
        "b": b,
        "w_out": uniform(groups, hidden, 1),
        "b_out": torch.zeros(groups, 1, 1),
    }


def _run(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Outputs (G, B, L) of stacked LSTMs over inputs (G, B, L, 2); G = weight groups."""
    g, batch, length, _ = x.shape
    hidden = p["w_h"].shape[1]
    projected = torch.matmul(x, p["w_in"].unsqueeze(1)) + p["b"].unsqueeze(1)
    h = x.new_zeros(g, batch, hidden)
    c = x.new_zeros(g, batch, hidden)
    outputs = []
    for t in range(length):
        gates = torch.baddbmm(projected[:, :, t], h, p["w_h"])
        i, f, o, u = gates.chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(u)
        h = torch.sigmoid(o) * torch.tanh(c)
        outputs.append(h)
    states = torch.stack(outputs, dim=2)
    return (torch.matmul(states, p["w_out"].unsqueeze(1)) + p["b_out"].unsqueeze(1)).squeeze(-1)


def _forward(params: dict[str, torch.Tensor], x: torch.Tensor, shared: bool) -> torch.Tensor:
    """Per-commodity networks, or one shared network with commodities folded into the batch."""
    if not shared:
        return _run(params, x)
    n, batch = x.shape[:2]
    return _run(params, x.reshape(1, n * batch, *x.shape[2:])).reshape(n, batch, -1)


def _scaled(window: Window, scales: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    y = window.y / scales[:, None]
    cf = window.cf / scales[:, None]
    valid = np.isfinite(y)
    return (
        torch.tensor(np.nan_to_num(y), dtype=torch.float32),
        torch.tensor(np.nan_to_num(cf), dtype=torch.float32),
        torch.tensor(valid),
    )


def _inputs(y: torch.Tensor, cf: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """Input rows (previous demand, customer forecast) at positions ``idx`` (n, B, L)."""
    rows = torch.arange(y.shape[0])[:, None, None]
    previous = y[rows, (idx - 1).clamp(min=0)] * (idx > 0)
    return torch.stack([previous, cf[rows, idx.clamp(min=0)]], dim=-1)


class LSTMForecaster:
    """Commodity-specific LSTMs trained side by side (or one global LSTM with ``shared``)."""

    def __init__(self, config: LSTMConfig | None = None, shared: bool = False) -> None:
        self.config = config or LSTMConfig()
        self.shared = shared
        self.name = "lstm_global" if shared else "lstm"
        self.params: dict[str, dict[str, torch.Tensor]] = {}
        self.scales: dict[str, float] = {}
        self._gen = torch.Generator().manual_seed(self.config.seed)

    def _context(self, season: int) -> int:
        return self.config.context or min(2 * season, 26)

    def _keys(self, ids: tuple[str, ...]) -> list[str]:
        return [GLOBAL_KEY] if self.shared else list(ids)

    def _stacked(self, keys: list[str]) -> dict[str, torch.Tensor]:
        return {
            name: torch.stack([self.params[k][name] for k in keys]).requires_grad_()
            for name in PARAM_NAMES
        }

    def _unstack(self, keys: list[str], stacked: dict[str, torch.Tensor]) -> None:
        for j, key in enumerate(keys):
            self.params[key] = {name: stacked[name][j].detach().clone() for name in PARAM_NAMES}

    def fit(self, window: Window, update: bool = False) -> None:
        """Train on the window; with ``update`` continue from the weights already there.

        Commodities without weights yet start from a network pre-trained on all of them
        (``pretrain_steps``) and train ``steps``; the others fine-tune ``update_steps``.
        """
        torch.set_num_threads(1)
        cfg = self.config
        if not update:
            for key in self._keys(window.ids):
                self.params.pop(key, None)
        data = _scaled(window, self._fit_scales(window))
        length = min(self._context(window.season), window.y.shape[1])
        keys = self._keys(window.ids)
        fresh = [k for k in keys if k not in self.params]
        warm = [k for k in keys if k in self.params]
        if fresh:
            self._initialise(fresh, data, length)
        for group, steps, lr in (
            (fresh, cfg.steps, cfg.lr),
            (warm, cfg.update_steps, cfg.update_lr),
        ):
            if group:
                rows = [window.ids.index(k) for k in group] if not self.shared else slice(None)
                part = tuple(d[rows] for d in data)
                trained = self._train(self._stacked(group), part, length, steps, lr, self.shared)
                self._unstack(group, trained)

    def _initialise(self, keys: list[str], data: tuple[torch.Tensor, ...], length: int) -> None:
        """Weights for new commodities: one network pre-trained on all commodities of the data."""
        start = _init(1, 2, self.config.hidden, self._gen)
        if not self.shared and self.config.pretrain_steps:
            start = self._train(
                start, data, length, self.config.pretrain_steps, self.config.lr, shared=True
            )
        for key in keys:
            self.params[key] = {name: start[name][0].detach().clone() for name in PARAM_NAMES}

    def _train(
        self,
        params: dict[str, torch.Tensor],
        data: tuple[torch.Tensor, ...],
        length: int,
        steps: int,
        lr: float,
        shared: bool,
    ) -> dict[str, torch.Tensor]:
        """Adam on random windows of every commodity; loss after the burn-in of each window."""
        cfg = self.config
        params = {name: p.detach().clone().requires_grad_() for name, p in params.items()}
        optimizer = torch.optim.Adam(params.values(), lr=lr, weight_decay=cfg.weight_decay)
        y, cf, valid = data
        n, t = y.shape
        rows = torch.arange(n)[:, None, None]
        first = valid.float().argmax(dim=1)
        low = (first + 1).clamp(max=t - 1)[:, None]
        burned_in = torch.arange(length) >= int(length * cfg.burn_in)
        for _ in range(steps):
            ends = (
                low + (torch.rand(n, cfg.windows, generator=self._gen) * (t - low).float()).long()
            )
            idx = ends[..., None] - length + 1 + torch.arange(length)
            target = y[rows, idx.clamp(min=0)]
            weight = (
                valid[rows, idx.clamp(min=0)] & (idx > first[:, None, None]) & burned_in
            ).float()
            pred = _forward(params, _inputs(y, cf, idx), shared)
            per_series = ((pred - target) ** 2 * weight).sum(dim=(1, 2)) / weight.sum(
                dim=(1, 2)
            ).clamp(min=1)
            optimizer.zero_grad()
            per_series.sum().backward()
            optimizer.step()
        return params

    def _fit_scales(self, window: Window) -> np.ndarray:
        for i, uid in enumerate(window.ids):
            history = window.y[i][np.isfinite(window.y[i])]
            mean = float(history.mean()) if history.size else 0.0
            self.scales[uid] = mean if mean > 0 else 1.0
        return np.array([self.scales[u] for u in window.ids])

    def predict(self, window: Window, cf_future: np.ndarray) -> np.ndarray:
        """Warm up on the last ``context`` periods, then roll forward over the horizon."""
        missing = [u for u in self._keys(window.ids) if u not in self.params]
        if missing:
            raise ModelError(f"{self.name}: no model for commodity '{missing[0]}'; fit it first")
        scales = np.array([self.scales.get(u) or self._scale_of(window, u) for u in window.ids])
        y, cf, _ = _scaled(window, scales)
        future = torch.tensor(np.nan_to_num(cf_future / scales[:, None]), dtype=torch.float32)
        n, t = y.shape
        length = min(self._context(window.season), t)
        with torch.no_grad():
            stacked = {
                name: torch.stack([self.params[k][name] for k in self._keys(window.ids)])
                for name in PARAM_NAMES
            }
            ys = torch.cat([y, torch.zeros(n, future.shape[1])], dim=1)
            cfs = torch.cat([cf, future], dim=1)
            for h in range(future.shape[1]):
                end = t + h
                idx = (end - length + 1 + torch.arange(length)).expand(n, 1, length)
                step = _forward(stacked, _inputs(ys, cfs, idx), self.shared)[:, 0, -1]
                ys[:, end] = step.clamp(min=0)
        return ys[:, t:].numpy().astype(float) * scales[:, None]

    def _scale_of(self, window: Window, uid: str) -> float:
        history = window.y[window.ids.index(uid)]
        mean = float(np.nanmean(history)) if np.isfinite(history).any() else 0.0
        return mean if mean > 0 else 1.0

    def save(self, directory: Path) -> None:
        state = {
            "config": asdict(self.config),
            "shared": self.shared,
            "scales": self.scales,
            "params": self.params,
        }
        torch.save(state, directory / f"{self.name}.pt")

    @classmethod
    def load(cls, directory: Path, shared: bool) -> LSTMForecaster:
        path = directory / ("lstm_global.pt" if shared else "lstm.pt")
        try:
            state = torch.load(path, weights_only=True)
            model = cls(LSTMConfig(**state["config"]), shared=bool(state["shared"]))
        except (OSError, RuntimeError, KeyError, TypeError) as exc:
            raise ModelError(f"{path}: cannot read the model ({exc})") from None
        model.scales = {str(k): float(v) for k, v in state["scales"].items()}
        model.params = state["params"]
        return model
