# The self-contained HTML report page (report_html.cpp) and the JavaScript it inlines; filled in by issue 6.
