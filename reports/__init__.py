"""Files people take away: Excel tables, the daily report and the meeting deck (no streamlit)."""
