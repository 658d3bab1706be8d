"""Person profiles (identity data), kept apart from dialogue content. Filled by the convening issue."""
