package dev.coba.trainer.results;

/**
 * One task under one method. {@code bestStep} and {@code bestValLoss}: the step of the task's
 * own lowest full-validation loss, and that loss. {@code testLoss}: the task's test loss at the
 * method's selected checkpoint; {@code initialTestLoss}: at step 0 (the initial model);
 * {@code testLossRatio} = testLoss / initialTestLoss.
 */
public record TaskResult(long bestStep, double bestValLoss, double initialTestLoss, double testLoss,
        double testLossRatio) {}
