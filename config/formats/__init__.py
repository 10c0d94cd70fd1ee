"""The site's own date and time formats per language (FORMAT_MODULE_PATH): Django's defaults
mix styles and write "a.m." in English."""
