"""Training: settings, held-out windows, the fit loop, progress records, checkpoints, fine-tuning, presets."""
