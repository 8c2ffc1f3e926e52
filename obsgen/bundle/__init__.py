"""Building a whole bundle: load, validate, render and write."""
