"""Scenario files: reading, validating, converting to SI."""
from .errors import ConfigError, Issue
from .scenario import Scenario, load_scenario, parse_scenario

__all__ = ["ConfigError", "Issue", "Scenario", "load_scenario", "parse_scenario"]
