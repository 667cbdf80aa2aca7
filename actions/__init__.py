"""Rasa custom actions, served by loket in-process through rasa_sdk's executor."""
