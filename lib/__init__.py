"""What every app builds on and no app owns: errors, durations, small shared shapes.

Imports no app of the project, so any app may import it.
"""
