"""What each screen shows, computed and tested: status, dataset, training and retrieval-quality reports."""
