"""Custom actions of the steunpunt assistant (run by the Rasa action server)."""
