"""nlp_pipeline: read, check and classify 政府信息公开工作年度报告."""

from .errors import NlpPipelineError
from .pipeline import analyze_document, analyze_or_error, analyze_path
from .result import Report

__all__ = ["NlpPipelineError", "Report", "analyze_document", "analyze_or_error", "analyze_path"]
__version__ = "0.1.0"
