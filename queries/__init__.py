"""The query layer: an extract's checks, its rollups and one .sql file per question.

Nothing here imports streamlit; pages, exports and the command line all call `Extract.query`.
"""

from .checks import ExtractRefused
from .extract import CacheUnavailable, Extract, Scope, open_extract, question_names
from .view import View

__all__ = ["CacheUnavailable", "Extract", "ExtractRefused", "Scope", "View", "open_extract", "question_names"]
