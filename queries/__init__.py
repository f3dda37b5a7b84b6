"""The query layer: an extract's checks, its rollups and one .sql file per question.

Nothing here imports streamlit; pages, exports and the command line all call `Extract.query`.
"""

from .checks import ExtractRefused
from .extract import CacheUnavailable, Extract, Scope, open_extract, question_names

__all__ = ["CacheUnavailable", "Extract", "ExtractRefused", "Scope", "open_extract", "question_names"]
