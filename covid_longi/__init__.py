__version__ = "0.1.0"

import os as _os

# PyTorch's CPU kernels run on GNU OpenMP threads, which spin at every barrier before sleeping. Beside another job on
# the same cores the spinning threads take the time their partners need: inference ran ~20x slower on a 2-core
# machine (bench/contention.py). Threads sleep instead unless the environment says otherwise; this must happen
# before torch is loaded, hence here.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
