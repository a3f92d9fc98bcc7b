"""Date and number formats for the languages Django has none for (FORMAT_MODULE_PATH).

Django's own modules (django/conf/locale/<lang>/formats.py) cover 23 of the 24
EU languages; Maltese is here. Django looks here first, then in its own.
"""
