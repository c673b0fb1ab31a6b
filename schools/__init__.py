"""The region's schools (issue 28): a directory built from DUO's open data, read by the site and
the chat. `schools.model` is the data and how it is read and searched; `schools.duo` reads DUO's
files; `python -m schools import --region <id> FILE...` replaces a region's directory."""
