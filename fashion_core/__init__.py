"""fashion_core: shop the look and complete the look, as a library."""

__version__ = "0.1.0"
