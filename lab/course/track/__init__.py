"""The exercise track: seven small exercises after the hands-on where the learner writes the container code.

exercises.py (what each one asks, its variants, its hints and why), plugin.py + subjects.py +
freezing.py (the fixtures and the code under test), static.py (what the file does, read with
ast), checking.py (runs and judges a file), state.py (progress and reset), commands.py (the commands).
"""
