"""Command line: ``leachsim run | check | show | plot | sweep | export``.

Exit status: 0 success, 1 a run that failed (solver), 2 bad input (scenario
or results file); bad input never prints a traceback.
"""
from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

import numpy as np
from numba.core import event as numba_event

from .config import ConfigError, Issue, load_scenario
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
              f"{int(res.scalar('jacobian_evaluations'))} Jacobians, "
              f"{int(res.scalar('lu_factorisations'))} factorisations"]
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
        _check_sweep(args.scenario)
        return 0
    if not hasattr(sc, "solid"):
        print(f"{args.scenario}: OK - '{sc.name}', column {sc.length * 100:.4g} cm x "
              f"{sc.diameter * 100:.4g} cm, {sc.particle_model}/{sc.binding} sorbent, "
              f"components {', '.join(sc.components)}, {len(sc.inlet)} inlet sections")
        _check_sweep(args.scenario)
        return 0
    psd = sc.solid.size
    print(f"{args.scenario}: OK - '{sc.name}', {sc.leach.type} leach at "
          f"{sc.leach.temperature - 273.15:.4g} degC; {len(sc.solid.phases)} phases "
          f"({len(sc.solid.reacting)} reacting), {len(psd.diameters)} size classes, "
          f"reagents {', '.join(sc.leach.leachant.reagents)}; metals {', '.join(sc.metals)}")
    _check_sweep(args.scenario)
    return 0


def _check_sweep(path) -> None:
    """Validate the file's [sweep] table too, if it has one."""
    from .config.scenario import read_scenario_file

    if read_scenario_file(path)[1] is None:
        return
    from .sweep import load_sweep

    sw = load_sweep(path)
    print(f"{path}: sweep OK - {sw.spec.design.kind} design, {len(sw.cases())} cases over "
          f"{', '.join(sw.spec.paths)}")


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


def describe_sweep(data) -> str:
    """What is in a sweep file: design, parameters, outputs, curves, progress."""
    import numpy as np

    from .sweep.store import DONE, FAILED

    done, failed = int(np.sum(data.status == DONE)), int(np.sum(data.status == FAILED))
    lines = [f"{data.path}: sweep of '{data.name}' ({data.kind}), design {data.design}, "
             f"{len(data)} cases: {done} done, {failed} failed, "
             f"{len(data) - done - failed} pending"
             + ("" if data.complete else f" (incomplete: leachsim sweep --resume {data.path})"),
             "  parameters:"]
    for j, p in enumerate(data.parameters):
        x = data.numbers[:, j]
        cats = data.categories[j]
        shown = (", ".join(map(str, cats)) if cats is not None else
                 f"{np.nanmin(x):.6g} .. {np.nanmax(x):.6g} {data.parameter_units[j]}")
        lines.append(f"    {p:<32} {shown}")
    lines.append("  outputs (finished cases: min .. max):")
    for k, name in enumerate(data.output_names):
        z = data.outputs[data.ok, k]
        z = z[np.isfinite(z)]
        rng = f"{z.min():.6g} .. {z.max():.6g}" if len(z) else "no value"
        lines.append(f"    {name:<32} [{data.output_units[k]}] {rng}")
    for name, c in data.curves.items():
        lines.append(f"  curve {name} [{c.units}] ({', '.join(('case',) + c.dims)}) "
                     f"{'x'.join(map(str, c.values.shape))}")
    return "\n".join(lines)


def _cmd_show(args) -> int:
    from .sweep import is_sweep_file, read_sweep

    if is_sweep_file(args.results):
        print(describe_sweep(read_sweep(args.results)))
        return 0
    res = load(args.results)
    print(describe(res, Path(args.results)))
    print()
    print(_summary(res))
    return 0


def _cmd_plot(args) -> int:
    from .plotting import save_figures
    from .sweep import is_sweep_file, read_sweep, save_sweep_figures

    outdir = Path(args.outdir) if args.outdir else Path(args.results).with_suffix("")
    if is_sweep_file(args.results):
        data = read_sweep(args.results)
        pareto, maximize = None, (True, True)
        if args.pareto:
            pareto = tuple(n.removeprefix("min:") for n in args.pareto)
            maximize = tuple(not n.startswith("min:") for n in args.pareto)
        for name in (args.outputs or []) + list(pareto or ()):
            if name not in data.output_names:
                from .config.reader import suggest

                raise ConfigError([Issue("--outputs" if name in (args.outputs or []) else
                                         "--pareto", f"'{name}' is not an output of the sweep"
                                         f"{suggest(name, data.output_names)}")], args.results)
        paths = save_sweep_figures(data, outdir, formats=tuple(args.format),
                                   outputs=args.outputs, pareto=pareto, maximize=maximize)
        for p in paths:
            print(p)
        return 0
    res = load(args.results)
    paths = save_figures(res, outdir, formats=tuple(args.format))
    for p in paths:
        print(p)
    return 0


def _cmd_sweep(args) -> int:
    from . import sweep as sw

    if args.scenario is None:
        raise ConfigError([Issue("scenario", "give a scenario file (or --resume SWEEP.h5)")],
                          "command line")
    run_opts = dict(workers=args.workers, scheduler=args.scheduler, chunk_size=args.chunk_size,
                    progress=False if args.quiet else None)
    if args.resume and sw.is_sweep_file(args.scenario):
        if args.output:
            raise ConfigError([Issue("--output", "give the sweep file to resume alone: "
                                                 "leachsim sweep --resume SWEEP.h5")],
                              "command line")
        out, sweep = Path(args.scenario), None
    else:
        settings = [sw.spec.set_option(t) for t in args.set or []]
        sweep = sw.load_sweep(args.scenario, settings=settings, vary=args.vary,
                              design=args.design, samples=args.samples, seed=args.seed,
                              indices=args.indices, record=args.record, curves=args.curves)
        out = Path(args.output) if args.output else (
            Path("results") / f"{sweep.scenario.name}_sweep.h5")
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops a sweep as Ctrl-C does
    try:
        if args.resume and (sweep is None or out.exists()):
            summary = sw.resume_sweep(out, expected=sweep, **run_opts)
        else:
            if not args.quiet:
                print(f"{sweep.scenario.name}: {sweep.spec.design.kind} design, "
                      f"{len(sweep.cases())} cases -> {out}", file=sys.stderr)
            summary = sw.run_sweep(sweep, out, overwrite=args.overwrite, **run_opts)
    except KeyboardInterrupt:
        if out.exists():
            print(f"leachsim: interrupted; the finished cases are in {out}; complete it with: "
                  f"leachsim sweep --resume {out}", file=sys.stderr)
        else:
            print("leachsim: interrupted before any case finished; nothing was written",
                  file=sys.stderr)
        return 130
    if not args.quiet:
        print(summary.text())
    return EXIT_FAILED if summary.failed == summary.n_cases else 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _cmd_export(args) -> int:
    from .sweep import read_sweep

    data = read_sweep(args.sweep)
    out = Path(args.output) if args.output else Path(args.sweep).with_suffix(".csv")
    data.to_csv(out)
    print(out)
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
    pl = sub.add_parser("plot", help="write the figures of a results or sweep file (PNG and "
                                     "PDF)")
    pl.add_argument("results")
    pl.add_argument("-o", "--outdir", help="folder for the figures (default: beside the file)")
    pl.add_argument("--format", nargs="+", default=["png", "pdf"], choices=["png", "pdf", "svg"])
    pl.add_argument("--outputs", nargs="+", metavar="NAME",
                    help="sweep: outputs to map (default: the first three that vary)")
    pl.add_argument("--pareto", nargs=2, metavar=("A", "B"),
                    help="sweep: Pareto front of two outputs; prefix 'min:' where less is "
                         "better, e.g. --pareto extraction_V min:reagent_consumption_H2SO4")
    pl.set_defaults(func=_cmd_plot)
    sw = sub.add_parser("sweep", help="run a parameter sweep into one HDF5 file (all local "
                                      "cores, or a Dask cluster)",
                        description="Run the cases of a [sweep] table (or of --vary options) "
                                    "and stream them into one HDF5 file, resumable after an "
                                    "interruption.")
    sw.add_argument("scenario", nargs="?", help="scenario file (TOML) with a [sweep] table, or "
                                                "with --resume a sweep file (.h5)")
    sw.add_argument("-o", "--output", help="sweep file (default results/<name>_sweep.h5)")
    sw.add_argument("--resume", action="store_true",
                    help="complete an interrupted sweep file (runs only its pending cases)")
    sw.add_argument("--overwrite", action="store_true", help="replace an existing sweep file")
    sw.add_argument("--vary", action="append", metavar="PATH=SPEC",
                    help="vary a value: PATH=LOW:HIGH[:log][:POINTS] or PATH=V1,V2,... "
                         "(repeat; replaces the file's [[sweep.vary]])")
    sw.add_argument("--set", action="append", metavar="PATH=VALUE",
                    help="change a value of the base scenario (repeat)")
    sw.add_argument("--design", help="grid, zip, lhs, sobol or oat")
    sw.add_argument("--samples", type=int, help="number of points (lhs, sobol)")
    sw.add_argument("--seed", type=int, help="seed of lhs / sobol sampling")
    sw.add_argument("--indices", action="store_true", default=None,
                    help="sobol: lay the cases out for Sobol indices (N x (d + 2) cases)")
    sw.add_argument("--record", nargs="+", metavar="NAME", help="scalars to record "
                    "(default: all of them)")
    sw.add_argument("--curves", nargs="+", metavar="NAME", help="variables to record whole "
                    "(e.g. time extraction, or bed_volumes outlet_relative)")
    sw.add_argument("--workers", type=int, help="local processes (default: all cores; 1 runs in "
                                                "this process)")
    sw.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                    help="run on a Dask distributed cluster (pip install 'leachsim[dask]')")
    sw.add_argument("--chunk-size", type=int, help="cases per task (default: automatic)")
    sw.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    sw.set_defaults(func=_cmd_sweep)
    ex = sub.add_parser("export", help="write the case table of a sweep file as CSV")
    ex.add_argument("sweep")
    ex.add_argument("-o", "--output", help="CSV file (default: the sweep file's name, .csv)")
    ex.set_defaults(func=_cmd_export)
    return p


class CompileNotice(numba_event.Listener):
    """Says on ``stream`` when numba starts compiling kernels, and (``report``) how many it
    compiled and in how long.  numba compiles only on a cache miss, the first run after an
    install or upgrade (the column kernel takes one to two minutes on a small machine), so
    without this line such a run would sit silent.  Kernels compiled inside another are
    counted with it."""

    def __init__(self, stream):
        self.stream = stream
        self.depth = 0
        self.t0 = 0.0
        self.seconds = 0.0
        self.kernels = 0

    def on_start(self, event):
        if self.depth == 0:
            if self.kernels == 0:
                print("leachsim: compiling numba kernels (first run after an install or upgrade; "
                      "cached for later runs) ...", file=self.stream, flush=True)
            self.t0 = time.perf_counter()
        self.depth += 1

    def on_end(self, event):
        self.depth -= 1
        if self.depth == 0:
            self.seconds += time.perf_counter() - self.t0
            self.kernels += 1

    def report(self):
        if self.kernels:
            print(f"leachsim: compiled {self.kernels} numba kernel{'s' if self.kernels > 1 else ''}"
                  f" in {self.seconds:.0f} s", file=self.stream, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .leaching import SolverError

    try:
        if getattr(args, "quiet", False):
            return args.func(args)
        notice = CompileNotice(sys.stderr)
        with numba_event.install_listener("numba:compile", notice):
            status = args.func(args)
        notice.report()
        return status
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
