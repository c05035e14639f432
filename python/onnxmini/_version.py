"""The version of the Python package, which follows the C library's."""

__version__ = "0.1.0"
