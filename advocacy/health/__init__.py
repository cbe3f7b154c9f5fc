"""Community health (issue 13): the figures managers watch, over a period and the one
before it. `figures.health_report` computes them (a constant number of queries, cached
briefly); `charts` draws the SVG charts; `views` serves the page, its CSV and the API.
"""
