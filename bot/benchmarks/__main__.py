"""python -m bot.benchmarks [--groups N] [--requests M] [--seed S]: runs every benchmark."""
import argparse
import sys

from bot.benchmarks import matching

parser = argparse.ArgumentParser(prog="python -m bot.benchmarks", description="Run the project's benchmarks.")
parser.add_argument("--groups", type=int, default=matching.DEFAULT_GROUPS, help="catalog size (default %(default)s)")
parser.add_argument("--requests", type=int, default=matching.DEFAULT_REQUESTS,
                    help="timed match requests (default %(default)s)")
parser.add_argument("--seed", type=int, default=matching.DEFAULT_SEED, help="random seed (default %(default)s)")
args = parser.parse_args()
if args.groups < 1 or args.requests < 1:
    parser.error("--groups and --requests must be at least 1")

figures = matching.run(groups=args.groups, requests=args.requests, seed=args.seed)
print(matching.report(figures))
sys.stdout.flush()
