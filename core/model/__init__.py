"""The dual encoder: networks and towers, the ``lit`` model, loading, the feature cache, attribute
re-scoring, training, evaluation and the version registry."""
