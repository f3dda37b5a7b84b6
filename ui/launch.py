"""`python dashboard.py [--data DIR] [streamlit options]`: start Streamlit on dashboard.py,
exactly as `streamlit run dashboard.py -- --data DIR` would."""

from __future__ import annotations

import sys


def launch(script: str, argv: list[str]) -> None:
    from streamlit.web import cli

    from .data import arguments

    args, streamlit_args = arguments(argv)
    script_args = ["--data", args.data] if args.data else []
    sys.argv = ["streamlit", "run", *streamlit_args, script, *(["--", *script_args] if script_args else [])]
    sys.exit(cli.main())
