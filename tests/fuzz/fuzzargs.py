"""The command line the fuzz scripts share: the xrayflow to run and the --messages switch."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse(argv):
    """(xrayflow path, messages wanted, the other arguments): --xrayflow PATH (default: the Release build), --messages."""
    argv = list(argv)
    xrayflow = os.path.join(ROOT, 'src/XRayFlow.Cli/bin/Release/net10.0/xrayflow')
    if '--xrayflow' in argv:
        k = argv.index('--xrayflow')
        xrayflow = argv[k + 1]
        del argv[k:k + 2]
    messages = '--messages' in argv
    return xrayflow, messages, [a for a in argv if a != '--messages']
