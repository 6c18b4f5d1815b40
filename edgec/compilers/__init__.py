"""Accelerator compilers edgec runs: Vela for Arm Ethos-U, edgetpu_compiler for the Coral Edge TPU."""
