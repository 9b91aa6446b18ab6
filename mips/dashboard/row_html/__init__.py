"""The dashboard tables' body rows, rendered in Python.

A page shows 50 rows of 5 to 8 cells; in Django's template engine each variable, filter
and {% if %} of a row costs a few microseconds, so the rows alone cost 5-10 ms of a
page whose queries take 3-5 ms. Here each row is one format_html() call (every value
escaped as the template escaped it) and the template prints the result as the body of
its <tbody>. Each module renders one page's rows; the tests compare its output with the
template markup it replaced."""
