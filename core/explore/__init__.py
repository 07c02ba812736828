"""The embedding map: vectors from the index, 2-D projections, clusters and their names, the map's frame, thumbnails."""
