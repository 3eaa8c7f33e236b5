"""Parts of the transformer model kinds (encoder, decoder, generative), composed rather than inherited."""
