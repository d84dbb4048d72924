"""What the published statistics say: a council's drivers against its peers (benchmark) and what improvement
actually cost the councils that did it (back-test). Reads the packaged statistics (``costmodel.files.council_data``)
with pandas; the core never imports this package."""
