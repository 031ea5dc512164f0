"""Command line: ``leachsim run | check | show | plot``.

Exit status: 0 success, 1 a run that failed (solver), 2 bad input (scenario
or results file); bad input never prints a traceback.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from .config import ConfigError, load_scenario
from .results import Results, ResultsFileError, load, save

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def _percent(x: float) -> str:
    return f"{100.0 * x:7.2f} %"


def summary(res: Results) -> str:
    """A short table: final extraction per metal, leachant use, mass-balance closure."""
    batch = res.kind == "leach-batch"
    axis = "time" if batch else "tank"
    end = res[axis][-1]
    where = (f"after {end / 3600.0:.4g} h" if batch
             else f"after {len(res[axis])} tanks ({end / 3600.0:.4g} h mean residence)")
    lines = [f"{res.name}: {res.kind}, {where}, "
             f"{res.scalar('temperature') - 273.15:.4g} degC, "
             f"S/L {res.scalar('solid_liquid_ratio'):.4g} g/L", ""]
    lines.append(f"  {'metal':<8}{'extraction':>12}{'leachate mg/L':>16}{'closure':>12}")
    from .chemistry import ATOMIC_MASS

    targets = set(res.coords.get("target", []))
    for el in res.coords["metal"]:
        x = res.select("extraction", element=el)[-1]
        c = res.select("leachate_concentration", element=el)[-1] * ATOMIC_MASS[el] * 1e3
        err = res.select("mass_balance_error", element=el)
        mark = "*" if el in targets else " "
        lines.append(f" {mark}{el:<8}{_percent(x):>12}{c:>16.5g}{err:>12.1e}")
    lines.append("")
    lines.append(f"  {'reagent':<12}{'initial mol/L':>14}{'final mol/L':>13}{'consumed kg/t':>15}")
    for r in res.coords["reagent"]:
        c = res.select("reagent_concentration", reagent=r)
        use = res.select("reagent_consumption", reagent=r)[-1]
        c0 = res.config["resolved"]["leach"]["leachant"]["concentrations"][r]
        lines.append(f"  {r:<12}{c0 / 1e3:>14.4g}{c[-1] / 1e3:>13.4g}{use:>15.5g}")
    lines.append("")
    worst = res.scalar("mass_balance_error_max")
    lines.append(f"  mass balance: max |solids + leachate - initial| / initial = {worst:.1e}"
                 f" ({'closed' if worst < 1e-9 else 'NOT CLOSED'} to 1e-9)")
    if batch:
        lines.append(f"  solver: {int(res.scalar('steps_accepted'))} steps, "
                     f"{int(res.scalar('steps_rejected'))} rejected, "
                     f"{int(res.scalar('rhs_evaluations'))} rate evaluations")
    if targets:
        lines.append("  (* target metal)")
    return "\n".join(lines)


def describe(res: Results, path: Path) -> str:
    """What is in a results file: provenance, scalars and every variable with units."""
    lines = [f"{path}: {res.kind} results for '{res.name}'"]
    prov = res.provenance
    lines.append(f"  written {prov.get('created', '?')} by leachsim {prov.get('leachsim', '?')} "
                 f"(numba {prov.get('numba', '?')}, python {prov.get('python', '?')})")
    lines.append("  axes:")
    for k, labels in res.coords.items():
        shown = ", ".join(labels[:8]) + (", ..." if len(labels) > 8 else "")
        lines.append(f"    {k:<14} {len(labels):>4}  {shown}")
    lines.append("  variables:")
    for k, v in res.variables.items():
        shape = "x".join(str(n) for n in v.values.shape) or "scalar"
        lines.append(f"    {k:<24} [{v.units}] ({', '.join(v.dims)}) {shape}: {v.description}")
    lines.append("  scalars:")
    for k, (value, unit) in res.scalars.items():
        lines.append(f"    {k:<24} {value:.6g} {unit}")
    lines.append("  scenario stored in /config (raw file and resolved SI values)")
    return "\n".join(lines)


def column_summary(res: Results) -> str:
    """Breakthrough table of a column run: BV at C/C0 levels, capacities, mass balance."""
    from .chemistry import COMPONENT_MASS

    lines = [f"{res.name}: column, {res['bed_volumes'][-1]:.4g} BV in "
             f"{res['time'][-1] / 3600.0:.4g} h, sections {', '.join(res.coords['section'])}", ""]
    lines.append(f"  {'comp':<6}{'BV@0.05':>9}{'BV@0.5':>9}{'BV@0.95':>9}{'MTZ cm':>8}"
                 f"{'dyn mg/g':>10}{'eq mg/g':>9}{'util':>7}{'closure':>10}")
    for k, comp in enumerate(res.coords["component"]):
        mg_g = COMPONENT_MASS[comp] * 1e3  # mol/kg x kg/mol = kg/kg; x 1e3 -> mg/g
        lines.append(
            f"  {comp:<6}{res['bv_0.05'][k]:>9.4g}{res['bv_0.5'][k]:>9.4g}"
            f"{res['bv_0.95'][k]:>9.4g}{100 * res['mtz_length'][k]:>8.3g}"
            f"{res['dynamic_capacity'][k] * mg_g:>10.4g}"
            f"{res['equilibrium_capacity'][k] * mg_g:>9.4g}"
            f"{res['bed_utilisation'][k]:>7.3f}{res['mass_balance_error'][k]:>10.1e}")
    worst = res.scalar("mass_balance_error_max")
    lines += ["", f"  mass balance: max |fed - out - held| / fed = {worst:.1e} "
                  f"({'closed' if worst < 1e-6 else 'NOT CLOSED'} to 1e-6)",
              f"  solver: {int(res.scalar('steps_accepted'))} steps, "
              f"{int(res.scalar('steps_rejected'))} rejected, "
              f"{int(res.scalar('jacobian_evaluations'))} Jacobians"]
    return "\n".join(lines)


def route_summary(res: Results) -> str:
    """Stage yields per metal, product, reagent use, value and the route's mass balance."""
    from .chemistry import COMPONENT_MASS

    sc = res.scalars
    lines = [f"{res.name}: route, per tonne of dry feed; leachate pH "
             f"{sc['leachate_pH'][0]:.3g} -> column feed pH {sc['feed_pH'][0]:.3g}; load to "
             f"{sc['load_stop_bed_volumes'][0]:.4g} BV, {sc['cycles_per_tonne'][0]:.4g} "
             f"cycles/t", ""]
    lines.append(f"  {'metal':<7}{'leach':>8}{'to col':>8}{'capt':>8}{'eluted':>8}"
                 f"{'overall':>9}{'eluate g/L':>11}{'purity':>8}{'conc x':>8}{'closure':>9}")
    targets = set(res.coords["target"])
    y = res["stage_yield"]
    for i, m in enumerate(res.coords["metal"]):
        def pct(x):
            return f"{100 * x:7.1f}%" if np.isfinite(x) else f"{'-':>8}"
        g_l = res["eluate_concentration"][i] * COMPONENT_MASS[m]
        lines.append(f" {'*' if m in targets else ' '}{m:<7}" + "".join(pct(v) for v in y[i])
                     + f" {g_l:>10.4g}{pct(res['eluate_purity'][i])}"
                     f"{res['concentration_factor'][i]:>8.3g}"
                     f"{res['mass_balance_error'][i]:>9.1e}")
    lines += ["", "  use per tonne of feed"]
    what = res.config["resolved"]["assumptions"]["reagent_use"]
    for name, label in what.items():
        value, unit = sc["use_" + name]
        lines.append(f"    {label:<52}{value:>12.4g} {unit}")
    lines += ["", "  value per tonne of feed (prices: date and source in the results file)"]
    for key in [k for k in sc if k.startswith(("recovered_", "value_"))] + [
            "revenue", "reagent_cost", "reagent_co2"]:
        lines.append(f"    {key:<52}{sc[key][0]:>12.4g} {sc[key][1]}")
    missing = res.config["resolved"]["assumptions"]["not_valued"]
    if missing:
        lines.append(f"    not valued (no figure in the table): {', '.join(missing)}")
    resource = [k for k in sc if k.startswith("resource_")]
    if resource:
        lines += ["", "  resource potential (" +
                  res.config["resolved"]["assumptions"]["import_label"] + ")"]
        for key in resource:
            lines.append(f"    {key:<52}{sc[key][0]:>12.4g} {sc[key][1]}")
    worst = sc["mass_balance_error_max"][0]
    lines += ["", f"  mass balance over the route: max |sum of destinations - initial| / "
                  f"initial = {worst:.1e} ({'closed' if worst < 1e-6 else 'NOT CLOSED'} "
                  f"to 1e-6)", "  (* target metal)"]
    return "\n".join(lines)


def _summary(res: Results) -> str:
    if res.kind == "route":
        return route_summary(res)
    return column_summary(res) if res.kind == "column" else summary(res)


def _cmd_check(args) -> int:
    sc = load_scenario(args.scenario)
    if hasattr(sc, "cycle"):
        print(f"{args.scenario}: OK - route '{sc.name}': {sc.leach.leach.type} leach, "
              f"{sc.cycle.columns} x {sc.column.binding} bed(s) "
              f"({', '.join(sc.column.components)}), steps "
              f"{', '.join(['load'] + [s.name for s in sc.cycle.steps])}")
        return 0
    if not hasattr(sc, "solid"):
        print(f"{args.scenario}: OK - '{sc.name}', column {sc.length * 100:.4g} cm x "
              f"{sc.diameter * 100:.4g} cm, {sc.particle_model}/{sc.binding} sorbent, "
              f"components {', '.join(sc.components)}, {len(sc.inlet)} inlet sections")
        return 0
    psd = sc.solid.size
    print(f"{args.scenario}: OK - '{sc.name}', {sc.leach.type} leach at "
          f"{sc.leach.temperature - 273.15:.4g} degC; {len(sc.solid.phases)} phases "
          f"({len(sc.solid.reacting)} reacting), {len(psd.diameters)} size classes, "
          f"reagents {', '.join(sc.leach.leachant.reagents)}; metals {', '.join(sc.metals)}")
    return 0


def _default_output(sc) -> Path:
    return Path("results") / f"{sc.name}.h5"


def _cmd_run(args) -> int:
    from . import run

    sc = load_scenario(args.scenario)
    out = Path(args.output) if args.output else _default_output(sc)
    t0 = time.perf_counter()
    res = run(sc)
    elapsed = time.perf_counter() - t0
    save(res, out)
    if not args.quiet:
        print(_summary(res))
        print(f"\n  wrote {out} ({elapsed:.2f} s)")
    return 0


def _cmd_show(args) -> int:
    res = load(args.results)
    print(describe(res, Path(args.results)))
    print()
    print(_summary(res))
    return 0


def _cmd_plot(args) -> int:
    from .plotting import save_figures

    res = load(args.results)
    outdir = Path(args.outdir) if args.outdir else Path(args.results).with_suffix("")
    paths = save_figures(res, outdir, formats=tuple(args.format))
    for p in paths:
        print(p)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="leachsim", description="Hydrometallurgical recovery "
                                "simulator: leaching of wastes into a metal-rich leachate.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"leachsim {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a scenario and write one HDF5 results file")
    r.add_argument("scenario", help="scenario file (TOML)")
    r.add_argument("-o", "--output", help="results file (default results/<name>.h5)")
    r.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    r.set_defaults(func=_cmd_run)
    c = sub.add_parser("check", help="validate a scenario without running it")
    c.add_argument("scenario")
    c.set_defaults(func=_cmd_check)
    s = sub.add_parser("show", help="print what is in a results file")
    s.add_argument("results")
    s.set_defaults(func=_cmd_show)
    pl = sub.add_parser("plot", help="write the figures of a results file (PNG and PDF)")
    pl.add_argument("results")
    pl.add_argument("-o", "--outdir", help="folder for the figures (default: beside the file)")
    pl.add_argument("--format", nargs="+", default=["png", "pdf"], choices=["png", "pdf", "svg"])
    pl.set_defaults(func=_cmd_plot)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .leaching import SolverError

    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"leachsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ResultsFileError as exc:
        print(f"leachsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SolverError as exc:
        print(f"leachsim: run failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into e.g. `head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("leachsim: interrupted; no results file written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
