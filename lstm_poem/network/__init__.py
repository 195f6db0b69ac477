"""The network: its configuration and build, and sampling poems from it."""
