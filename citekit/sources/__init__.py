"""Where matches come from: Crossref, arXiv, the local index, and the response cache."""
