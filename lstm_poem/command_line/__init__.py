"""The command line: python -m lstm_poem train | generate | evaluate | corpora."""
