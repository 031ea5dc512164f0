"""Recovery routes: leach -> solid/liquid separation -> conditioning -> column cycle -> product.

``scenario`` reads and validates a route file, ``stages`` holds separation and conditioning,
``cycle`` the column cycle (load to a stop criterion, wash, elute, regenerate; lead-lag),
``simulate`` runs the route and labels its results, ``prices`` is the default value table.
"""
from .scenario import RouteScenario, parse_route_scenario


def run_route(scenario):
    """Simulate a route for one tonne of dry feed (see ``flowsheet.simulate``)."""
    from .simulate import run_route as _run

    return _run(scenario)


__all__ = ["RouteScenario", "parse_route_scenario", "run_route"]
