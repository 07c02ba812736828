"""The generated demo catalogue in the Kaggle format: the embedded default when no catalogue is configured."""
