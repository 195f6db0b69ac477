"""The text: corpora (bundled, uploaded, downloaded classics), cleaning, and tokenizers."""
