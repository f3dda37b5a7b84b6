"""电费回收看板 — entry point. Start it either way; both give the same app:

    python dashboard.py [--data DIR] [streamlit options]
    streamlit run dashboard.py [-- --data DIR]

The page config, the shared filter bar and the navigation are in ui/app.py.
"""

import streamlit as st
from streamlit import runtime

if __name__ == "__main__" and not runtime.exists():
    import sys

    from ui.launch import launch

    launch(__file__, sys.argv[1:])

from ui import app  # noqa: E402

app.main()
