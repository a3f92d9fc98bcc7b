"""The worked example of docs/architecture.md: a sign-in method in its own package.

A "paper code": the operator hands the person a code on paper; typing it after
the password is a second factor. Not a method to ship (the code never
changes): it shows the whole interface in a few lines, and
tests/signin/test_adding_a_method.py runs it through the real pages with
nothing changed but one line of SIGNIN_METHODS.
"""
