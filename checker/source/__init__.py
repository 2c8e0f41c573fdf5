"""Where the project state comes from: the Pinecone API or a recorded snapshot.

Both implement `PageReader` (raw page bodies of one listing); `gather` turns pages into a
`ProjectState` with the same parsing code, so a snapshot replays exactly what a check read.
"""
