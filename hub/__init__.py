"""The practice hub: the other end of the sync protocol and the single writer of provider status."""
