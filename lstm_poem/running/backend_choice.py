"""Which backend trains, as the environment says: threads unless ``LSTM_POEM_RAY_ADDRESS`` is set.

Apart from :mod:`lstm_poem.running.backend` so that the seam does not import the Ray
backend, which builds on it.
"""

from __future__ import annotations

from lstm_poem.running.backend import RayConfig, ThreadBackend, TrainingBackend

_backends: dict[RayConfig | None, TrainingBackend] = {}


def current_backend() -> TrainingBackend:
    """The backend the environment asks for, made once per configuration (read at every call, so a
    test or a teacher's restart with other variables takes effect)."""
    config = RayConfig.from_environment()
    if config not in _backends:
        if config is None:
            _backends[config] = ThreadBackend()
        else:
            from lstm_poem.running.ray_backend import RayBackend

            _backends[config] = RayBackend(config)
    return _backends[config]
