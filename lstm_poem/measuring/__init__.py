"""Measuring a model: held-out loss, bits per character, what its poems are like."""
