"""电费回收看板 — entry point: page config, the shared filter bar and the navigation.

Run `python dashboard.py [--data DIR]`; it starts Streamlit on this file (see ui/launch.py).
"""

import streamlit as st
from streamlit import runtime

if __name__ == "__main__" and not runtime.exists():
    import sys

    from ui.launch import launch

    launch(__file__, sys.argv[1:])

from queries import labels  # noqa: E402
from ui import data, downloads, filters, frame  # noqa: E402

st.set_page_config(page_title=labels.APP_TITLE, page_icon=":material/bolt:", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="每日进度", icon=":material/today:", default=True),
    st.Page("pages/recovery.py", title="电费回收率", icon=":material/percent:", url_path="recovery"),
    st.Page("pages/arrears.py", title="欠费分析", icon=":material/warning:", url_path="arrears"),
    st.Page("pages/high_energy.py", title="高耗能客户", icon=":material/factory:", url_path="high_energy"),
    st.Page("pages/data_quality.py", title="数据质量", icon=":material/fact_check:", url_path="data_quality"),
]

page = st.navigation(PAGES)
extract = data.extract()
if isinstance(extract, str):
    frame.refused(extract)
else:
    filters.filter_bar(extract)
    st.sidebar.toggle("演示模式", key=filters.PRESENT, bind="query-params",
                      help="隐藏筛选栏、放大字号，并遮蔽全部个人信息，用于会议投影。")
    downloads.meeting_deck(st.sidebar, extract, filters.current(extract))
    st.sidebar.caption(f"数据：{extract.name}")
    with frame.guard():
        page.run()
