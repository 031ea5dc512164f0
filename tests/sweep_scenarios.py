"""Small, fast scenario files for the sweep tests (a one-phase leach and a short column)."""
from pathlib import Path

LEACH = """\
schema_version = 1
[meta]
name = "mini"
targets = ["Ca"]
[solid]
density = "3000 kg/m^3"
[solid.size]
distribution = "monodisperse"
diameter = "100 um"
[[solid.phases]]
name = "lime"
mineral = "lime"
mass_fraction = 0.5
consumes = { H2SO4 = 1.0 }
[solid.phases.kinetics]
control = "reaction"
reaction = { k = "1e-7 m/s", Ea = "40 kJ/mol", T_ref = "25 degC", orders = { H2SO4 = 1 } }
[[solid.phases]]
name = "quartz"
mineral = "quartz"
mass_fraction = 0.5
[leach]
type = "batch"
temperature = "25 degC"
solid_liquid_ratio = "50 g/L"
duration = "2 h"
outputs = 25
[leach.leachant]
H2SO4 = "0.5 mol/L"
"""

LEACH_GRID = LEACH + """
[sweep]
design = "grid"
record = ["extraction_Ca", "reagent_consumption_H2SO4"]
curves = ["time", "extraction"]
[[sweep.vary]]
path = "leach.temperature"
range = ["20 degC", "60 degC"]
points = 3
[[sweep.vary]]
path = "leach.leachant.H2SO4"
values = ["0.1 mol/L", "0.3 mol/L", "0.5 mol/L"]
"""

COLUMN = """\
schema_version = 1
[meta]
name = "minicol"
targets = ["Co"]
[column]
length = "15 cm"
diameter = "2 cm"
bed_porosity = 0.5
dispersion = "4e-7 m^2/s"
cells = 30
[sorbent]
density = "1100 kg/m^3"
particle_model = "lumped-rate"
binding = "langmuir-kinetic"
[sorbent.parameters.Co]
q_max = "59.7 mg/g"
k_a = "1.96e-4 m^3/mol/s"
k_d = "6.6e-5 1/s"
[[inlet]]
name = "load"
duration = "72 h"
flow_rate = "5 mL/min"
composition = { Co = "100 mg/L" }
[solver]
outputs = 200
"""

COLUMN_LHS = COLUMN + """
[sweep]
design = "lhs"
samples = SAMPLES
seed = 3
record = ["bv_0.05_Co", "bv_0.5_Co", "dynamic_capacity_Co"]
curves = ["bed_volumes", "outlet_relative"]
[[sweep.vary]]
path = "inlet[load].flow_rate"
range = ["3 mL/min", "8 mL/min"]
[[sweep.vary]]
path = "sorbent.parameters.Co.q_max"
range = ["40 mg/g", "80 mg/g"]
"""


def write(folder: Path, name: str, text: str, **subs) -> Path:
    for key, value in subs.items():
        text = text.replace(key.upper(), str(value))
    path = Path(folder) / name
    path.write_text(text)
    return path
