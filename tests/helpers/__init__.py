"""What the tests share besides fixtures: data makers, constants and small drivers, one module per kind.

``conftest.py`` files hold only fixtures and hooks; a test module imports what it needs from here, never from a
conftest or from another test module (pytest imports both by their own rules, and a helper there would be
loaded twice under two names).
"""
