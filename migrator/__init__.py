"""migrator: Prometheus operator monitors <-> raw scrape configuration.

The semantic core (relabel/, discovery/, render/) is pure: plain data in,
plain data out. File and cluster I/O live in sources.py and the writers; the
CLI (cli.py) wires one core function to one command.
"""

__version__ = "0.1.0"
