"""mlgate: gate pull requests on data, model and API quality."""

__version__ = "0.1.0"
__all__ = ["__version__"]
