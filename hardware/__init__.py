"""Peripherals."""
