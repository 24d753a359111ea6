"""python -m bot.benchmarks [matching|load|all] [options]: runs the benchmarks (`make bench`: all)."""
import argparse
import sys

from bot.benchmarks import load, matching

parser = argparse.ArgumentParser(prog="python -m bot.benchmarks", description="Run the project's benchmarks.")
parser.add_argument("which", nargs="?", choices=("all", "matching", "load"), default="all",
                    help="which benchmark (default: all)")
parser.add_argument("--groups", type=int, default=matching.DEFAULT_GROUPS,
                    help="matching: catalog size (default %(default)s)")
parser.add_argument("--requests", type=int, default=matching.DEFAULT_REQUESTS,
                    help="matching: timed match requests (default %(default)s)")
parser.add_argument("--seed", type=int, default=matching.DEFAULT_SEED, help="matching: random seed (default %(default)s)")
parser.add_argument("--conversations", type=int, default=load.DEFAULT_CONVERSATIONS,
                    help="load: simultaneous conversations (default %(default)s)")
parser.add_argument("--no-bare-bot", action="store_true",
                    help="load: skip the comparison with a bare `rasa init` bot")
parser.add_argument("--url", help="load: measure the deployment already running at this address "
                                  "(e.g. http://localhost:5005 after `make run-prod`) instead of starting one")
args = parser.parse_args()
if args.groups < 1 or args.requests < 1 or args.conversations < 1:
    parser.error("--groups, --requests and --conversations must be at least 1")

if args.which in ("all", "matching"):
    print(matching.report(matching.run(groups=args.groups, requests=args.requests, seed=args.seed)), flush=True)
if args.which == "all":
    print(flush=True)
if args.which in ("all", "load"):
    try:
        print(load.report(load.run(args.conversations, compare=not args.no_bare_bot, url=args.url)), flush=True)
    except RuntimeError as error:
        print(f"load benchmark: {error}", file=sys.stderr)
        sys.exit(1)
