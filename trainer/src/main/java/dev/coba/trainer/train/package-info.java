/**
 * The training loop: one causal LM per method trained on every task at once, its per-task
 * losses weighted by the balancer (through the protocol: in process or a sidecar), periodic full
 * validation with early stopping on the mean validation-loss ratio, checkpoints to resume from,
 * and the selected checkpoint's test losses.
 */
package dev.coba.trainer.train;
