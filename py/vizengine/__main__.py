"""python -m vizengine render ... | batch JOBS.json (see `python -m vizengine render --help`)."""

import argparse
import sys


class _Parser(argparse.ArgumentParser):
    """A usage mistake is one line, like every other error of the CLI (--help still shows the usage)."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m vizengine", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    try:
        from .cli import batch, render
    except ImportError as error:  # the CLI's extras (Playwright) are not installed
        print(f"error: {error} (install with: pip install -e '.[cli]')", file=sys.stderr)
        return 1

    render.add_arguments(commands.add_parser("render", help="export a track to a video file, headless"))
    batch.add_arguments(commands.add_parser("batch", help="several exports through one render farm (Dask)",
                                            description=batch.__doc__,
                                            formatter_class=argparse.RawDescriptionHelpFormatter))
    args = parser.parse_args(argv)
    return batch.run(args) if args.command == "batch" else render.run(args)


if __name__ == "__main__":
    sys.exit(main())
