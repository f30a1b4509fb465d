"""Numbers staff check every day, read with a few aggregate queries."""
