"""nlp_pipeline: read, check and classify 政府信息公开工作年度报告."""

import gc as _gc

# Importing the pipeline (spaCy, jieba, numpy, our modules) allocates a great many long-lived
# objects and frees almost none, so the cyclic collector's passes over them during the import find
# nothing: it is paused for the import, and what the import made is then filed in the oldest
# generation (freeze, then unfreeze) so that the next young collection does not walk it all
# either. Nothing stays frozen. About a tenth of a one-file ``analyze``.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from .errors import NlpPipelineError
    from .pipeline import analyze_document, analyze_or_error, analyze_path
    from .result import Report
finally:
    _gc.freeze()
    _gc.unfreeze()
    if _collecting:
        _gc.enable()

__all__ = ["NlpPipelineError", "Report", "analyze_document", "analyze_or_error", "analyze_path"]
__version__ = "0.1.0"
