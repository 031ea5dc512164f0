"""leachsim: hydrometallurgical recovery simulator (leaching, and later columns and flowsheets).

Typical use::

    import leachsim
    sc = leachsim.load_scenario("configs/bof_slag_vanadium_h2so4.toml")
    sc = sc.with_value("leach.temperature", "80 degC")
    res = leachsim.run(sc)
    res.select("extraction", element="V")[-1]       # final V extraction (fraction)
    res.units("leachate_concentration")              # 'mol/m^3'
    leachsim.save(res, "out.h5")
"""
__version__ = "0.1.0"

from .config import ConfigError, Scenario, load_scenario, parse_scenario
from .leaching import SolverError, run_leach, run_leach_many
from .results import Results, load, save



def run(scenario):
    """Run a leaching scenario (batch or cascade), a column-only scenario or a route."""
    from .config.column import ColumnScenario
    from .flowsheet import RouteScenario

    if isinstance(scenario, RouteScenario):
        from .flowsheet import run_route

        return run_route(scenario)
    if isinstance(scenario, ColumnScenario):
        from .column import run_column

        return run_column(scenario)
    return run_leach(scenario)

__all__ = ["ConfigError", "Scenario", "load_scenario", "parse_scenario", "SolverError",
           "run", "run_leach", "run_leach_many", "Results", "load", "save"]
