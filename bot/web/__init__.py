"""The public chat page served on WEB_PORT."""
