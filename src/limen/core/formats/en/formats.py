# English as written in the EU: day, month, year and a 24-hour clock ("30 Nov 2026, 16:08"),
# not Django's American default ("Nov. 30, 2026, 4:08 p.m.").
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
