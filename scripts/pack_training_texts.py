"""Write the pretrained models' training texts, xz-compressed, into ``pretrained/training_texts/``.

The copy check compares a pretrained model's poems with the texts it (and its bases) trained on.
Those public-domain texts live in ``../shared/corpora``, which a hosted copy of the app does not
have, so the repository ships them compressed: only the files the shipped models read
(``PRETRAINED_TEXTS``), never plain text, each in parts of at most ``PART_BYTES`` of text so that
no file in the repository reaches 5 MiB (``english_verse.part1.xz`` ...). Run again after
re-training on other texts.

Usage (from the repo root; needs ``../shared/corpora``)::

    python scripts/pack_training_texts.py
"""

from __future__ import annotations

import argparse
import lzma

from lstm_poem.teaching.copy_sources import PACKED_TEXTS, PRETRAINED_TEXTS, SHARED_CORPORA, packed_part

PART_BYTES = 8_000_000  # about 2.5 MB once compressed


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()  # --help writes nothing
    PACKED_TEXTS.mkdir(parents=True, exist_ok=True)
    for old in PACKED_TEXTS.glob("*.xz"):
        old.unlink()
    files = sorted({file for texts in PRETRAINED_TEXTS.values() if texts for file in texts})
    for file in files:
        plain = (SHARED_CORPORA / file).read_bytes()
        for number, start in enumerate(range(0, len(plain), PART_BYTES), start=1):
            packed = lzma.compress(plain[start : start + PART_BYTES], preset=9 | lzma.PRESET_EXTREME)
            packed_part(file, number).write_bytes(packed)
            print(f"{packed_part(file, number).name}: {min(PART_BYTES, len(plain) - start):,} bytes -> {len(packed):,}")


if __name__ == "__main__":
    main()
