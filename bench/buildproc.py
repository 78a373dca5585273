"""`mkdocs <args>` in this very process, then this process's own peak RSS written to a file.

The benchmark's build process runs through this wrapper so the peak memory of the main build
process is known exactly (Linux's VmHWM, as getrusage reports it), apart from its workers'.

    python bench/buildproc.py PEAK_FILE build [mkdocs options]
"""

import os
import resource
import runpy
import sys
from pathlib import Path

if __name__ == "__main__":  # not in a worker that imports this as __mp_main__
    peak_file = Path(sys.argv[1])
    sys.argv = ["mkdocs", *sys.argv[2:]]
    sys.path[0] = os.getcwd()  # as `python -m mkdocs` has it: bench/ must not shadow a module (profile.py)
    try:
        runpy.run_module("mkdocs", run_name="__main__", alter_sys=True)
    finally:
        peak_file.write_text(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))  # KiB on Linux
