"""The command line the fuzz scripts share: the xrayflow to run and the --messages switch."""
import os
import random
import sys

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


def seed_and_count(argv, usage):
    """`SEED COUNT [--xrayflow PATH] [--messages]`: (xrayflow, messages, random.Random(SEED), COUNT), or the usage and exit 2."""
    xrayflow, messages, rest = parse(argv)
    if len(rest) != 2:
        print(usage)
        sys.exit(2)
    return xrayflow, messages, random.Random(int(rest[0])), int(rest[1])
