"""Stage: the report of a run (DESIGN §8).

Takes rankings (stats), samples and checker results, per machine, and
gives one document of typed sections (document.py: SECTIONS decides
their order) rendered as report.txt (text.py, at most 72 columns, for a
patch mail), report.md (markdown.py) and report.json (jsondoc.py,
schema evaluate.report/1), written by files.py.  runs.py rebuilds and
merges reports from saved run directories; problems.py finds results
that contradict an expectation; attach.py puts report.txt into a
`git format-patch` mail; content.py holds the sentences and figures
the renderers share.
"""
