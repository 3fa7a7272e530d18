"""Configuration: located YAML, JSON Schema validation, frozen dataclasses."""

from mlgate.config.load import load_config
from mlgate.config.model import Config

__all__ = ["Config", "load_config"]
