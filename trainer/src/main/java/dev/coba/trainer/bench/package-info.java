/**
 * The trainer's benchmarks: the overhead of balancing per training step (coba over uniform, in
 * one process, interleaved) and the quality of each method over seeds on the built-in tasks.
 */
package dev.coba.trainer.bench;
