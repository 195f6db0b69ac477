"""A Transformer's weight shapes, from its description alone (no TensorFlow).

Both the description (:mod:`lstm_poem.network.model`, whose shapes the bundle checks compare every array
with) and the network (:mod:`lstm_poem.network.transformer`) read them from here, so they cannot disagree.
"""

from __future__ import annotations

MLP_WIDTH = 4  # a Transformer MLP's hidden width as a multiple of the model width, as in GPT-2


def transformer_block_shapes(width: int) -> list[tuple[int, ...]]:
    """The weight shapes of one :class:`lstm_poem.network.transformer.Block`, in its creation order."""
    hidden = MLP_WIDTH * width
    return [
        (width,), (width,),  # first LayerNorm: scale, offset
        (width, 3 * width), (3 * width,),  # queries, keys and values
        (width, width), (width,),  # attention output
        (width,), (width,),  # second LayerNorm
        (width, hidden), (hidden,),  # MLP in
        (hidden, width), (width,),  # MLP out
    ]  # fmt: skip


def transformer_shapes(vocab_size: int, width: int, layers: int, context: int) -> list[tuple[int, ...]]:
    """Every weight shape the network of :func:`lstm_poem.network.transformer.build_transformer` has, in order."""
    shapes: list[tuple[int, ...]] = [(vocab_size, width), (vocab_size,), (context, width)]
    for _ in range(layers):
        shapes += transformer_block_shapes(width)
    return [*shapes, (width,), (width,)]
