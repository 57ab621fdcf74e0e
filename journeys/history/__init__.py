"""Reading and storing history: activities and their file formats, public data set adapters, the Chroma store, embeddings."""
