"""Start the Streamlit server for dashboard.py with the `pages/` legacy mode turned off.

A `pages/` folder beside the entry script makes a fresh Streamlit server run a page file on
its own (without dashboard.py) when the first request is a deep link. st.navigation turns
that mode off, but only once some session has run dashboard.py; setting the flag before
the server starts makes every first request go through dashboard.py. This touches a
private attribute, so tests/test_browser.py opens a cold deep link to guard it.
"""

from __future__ import annotations

import argparse
import os
import sys


def launch(script: str, argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python dashboard.py", description="电费回收看板")
    parser.add_argument("--data", metavar="DIR", help="数据目录（默认：随附的示例数据）")
    args, streamlit_args = parser.parse_known_args(argv)
    if args.data:
        os.environ["FEE_DATA_DIR"] = os.path.abspath(args.data)

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", script, *streamlit_args]
    sys.exit(cli.main())
