package dev.coba.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * A scalar as an array on the manager of the array it meets. Why not {@code x.mul(0.5f)}: DJL's
 * PyTorch engine makes such a number into a temporary tensor over a Java direct buffer and closes
 * it right after the operation, but autograd keeps that tensor for the backward pass (a product's
 * gradient needs the other factor); the buffer is then freed by the garbage collector while
 * libtorch still reads it. Measured: the same seed gave four different losses and once NaN in
 * eight processes. An array on the step's manager lives until the step ends.
 */
public final class Scalars {
  private Scalars() {}

  /** {@code value} as a 0-d array of {@code like}'s type (double or float) on its manager (freed with it). */
  public static NDArray of(NDArray like, double value) {
    return like.getDataType() == DataType.FLOAT64
        ? like.getManager().create(value)
        : like.getManager().create((float) value);
  }
}
