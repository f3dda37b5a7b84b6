"""The Streamlit side: the shared frame, filters, formats, charts and tables the pages use."""
