"""The chat widget, its demo page and the crisis resources it shows, served on WEB_PORT."""
