"""Run XRayFlow recipes from Python.

    import xrayflow
    out = xrayflow.run("pipelines/sobel.yaml", xray=image)      # image: a 2-D numpy array or a file path
    out["sobel"]                                                 # float32 numpy array, same shape

``run`` calls the installed ``xrayflow`` command (``xrayflow arrays``) and exchanges arrays through ``.npy``
files in a temporary folder, so it needs only numpy. An invalid recipe raises :class:`RecipeError`, whose
``diagnostics`` are data (code, file, line, column, message). See python/README.md.
"""

from ._run import Diagnostic, RecipeError, RunError, RunTimeout, XRayFlowError, XRayFlowWarning, find_tool, run, version

__all__ = ["Diagnostic", "RecipeError", "RunError", "RunTimeout", "XRayFlowError", "XRayFlowWarning", "find_tool", "run", "version"]
__version__ = "0.1.0"
