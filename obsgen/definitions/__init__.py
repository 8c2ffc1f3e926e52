"""The definition API that rule and dashboard modules import."""
