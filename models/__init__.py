"""The trained section 五 classifier, installed as the package data ``nlp_pipeline.models``."""
