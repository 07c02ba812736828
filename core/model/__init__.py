"""The dual encoder: towers, feature cache, attribute re-scoring, training, evaluation and the version registry."""
