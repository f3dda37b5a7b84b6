"""The shipped sample extract (``sample_data/extract/``) and its generator (``sample_data.generate``)."""
