"""Scripts that re-make shipped files (pretrained/, improvements/) and run long fuzzing."""
