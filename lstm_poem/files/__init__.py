"""Files: model bundles (one .zip of JSON and weight arrays), their checks before reading, the shipped models."""
