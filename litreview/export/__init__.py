"""Writing the library out: reference formats (``library``) and the topic hierarchy (``hierarchy``)."""
