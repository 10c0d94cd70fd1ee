# How dates and times read in English on this site: one style everywhere, 24-hour clock (a
# school timetable's), day before month, and never "a.m." (it doubled the full stop at the end
# of a sentence). See config/formats/__init__.py.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
