"""The synthetic region generator (see `generator.generate`)."""

from .generator import GENERATOR_VERSION, SYNTHETIC_LABEL, generate

__all__ = ["GENERATOR_VERSION", "SYNTHETIC_LABEL", "generate"]
