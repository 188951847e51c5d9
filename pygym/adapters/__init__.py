"""Native views of a :class:`pygym.VecEnv` for the RL libraries researchers use.

- :func:`to_gymnasium`: a Gymnasium 1.x ``VectorEnv``, agents folded into the batch (one shared policy).
- :func:`to_sb3`: a Stable-Baselines3 2.x ``VecEnv`` (PPO, and sb3-contrib's ``MaskablePPO`` through
  ``env_method("action_masks")``), agents folded into the batch.
- :func:`to_torchrl`: a TorchRL ``EnvBase`` with a batch dimension and one agent group, for TorchRL's
  multi-agent recipes (``MultiAgentMLP``, ``ClipPPOLoss``, a collector).
- RLlib: :mod:`pygym.rllib` (``pygym.rllib.register()``).

A view is a reshape of the VecEnv's arrays: the simulator is stepped once per step for every env, and no
Python runs per agent except where a library reads per-env Python objects (SB3's infos of envs that ended).
Libraries are imported when a view is made, never by ``import pygym``; each view checks the library's
version first (:mod:`pygym.adapters.libraries`). Closing a view closes its VecEnv.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pygym.adapters.gymnasium_view import GymnasiumVectorView, to_gymnasium
from pygym.adapters.libraries import TESTED, require

if TYPE_CHECKING:
    from pygym.adapters.sb3_view import SB3VecEnvView
    from pygym.adapters.torchrl_view import TorchRLView
    from pygym.vector import VecEnv

__all__ = ["TESTED", "GymnasiumVectorView", "to_gymnasium", "to_sb3", "to_torchrl"]


def to_sb3(venv: VecEnv, *, allow_untested: bool = False) -> SB3VecEnvView:
    """``venv`` (made with ``autoreset_mode="same_step"``) as a Stable-Baselines3 ``VecEnv``
    (see :mod:`pygym.adapters.sb3_view`)."""
    require("stable-baselines3", allow_untested=allow_untested)
    from pygym.adapters.sb3_view import SB3VecEnvView

    return SB3VecEnvView(venv)


def to_torchrl(venv: VecEnv, *, allow_untested: bool = False) -> TorchRLView:
    """``venv`` (made with ``autoreset_mode="same_step"``) as a TorchRL ``EnvBase``
    (see :mod:`pygym.adapters.torchrl_view`)."""
    require("torchrl", "tensordict", allow_untested=allow_untested)
    from pygym.adapters.torchrl_view import TorchRLView

    return TorchRLView(venv)
