"""Staff web app for handed-off conversations (`python -m staff`)."""
