"""Early warning: flags, the sweep, hotspots, silent villages; the scheduler commands."""
