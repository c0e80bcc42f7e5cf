"""python -m vizengine render ... (see `python -m vizengine render --help`)."""

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vizengine", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    from .cli import render

    render.add_arguments(commands.add_parser("render", help="export a track to a video file, headless"))
    args = parser.parse_args(argv)
    return render.run(args)


if __name__ == "__main__":
    sys.exit(main())
