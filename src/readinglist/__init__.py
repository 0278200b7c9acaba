"""readinglist: course reading lists as data."""
__version__ = "0.1.0"
