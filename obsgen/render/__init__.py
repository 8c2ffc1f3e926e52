"""Rendering the validated model into the files of each target."""
