"""Publication-ready matplotlib figures of leachsim results.

Typical use::

    from leachsim.plotting import figures, save_figures, plot_extraction
    save_figures(res, "figures/")          # <name>_extraction.png/.pdf, ...
    ax = plot_extraction(res, ax=my_ax)    # draw on your own axes

Importing this package changes no global matplotlib state (no rcParams, no style,
no backend); ``figures()``/``save_figures()`` work headless, without pyplot.
"""
from .column import plot_breakthrough
from .leach import (FIGURES, figures, leachate_mg_per_l, plot_conversion_by_size,
                    plot_extraction, plot_leachate, save_figures)

__all__ = ["plot_breakthrough", "FIGURES", "figures", "save_figures", "plot_extraction", "plot_leachate",
           "plot_conversion_by_size", "leachate_mg_per_l"]
