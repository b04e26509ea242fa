# The one-line, human summary every stage asset puts in its materialization metadata (the CLI prints it).
SUMMARY = "summary"
