"""lstm-poem: train a recurrent network on verse and write poems at several temperatures.

The engine imports no Streamlit, and imports TensorFlow only where a model is
built, trained, loaded or sampled, so importing this package is cheap.
"""

__version__ = "0.1.0"
