package dev.coba.trainer.results;

/**
 * One task under one method. {@code bestStep} and {@code bestValLoss}: the step of the task's
 * own lowest full-validation loss, and that loss. {@code testLoss}: the task's test loss at the
 * method's selected checkpoint; {@code initialTestLoss}: at step 0 (the initial model);
 * {@code testLossRatio} = testLoss / initialTestLoss. {@code exactMatch}: the share of test
 * examples whose greedy-decoded answer is the reference, at the selected checkpoint (null for a
 * task of plain texts, which has no answer); {@code nextTokenAccuracy}: the share of the test
 * split's target tokens that were the model's most likely next token (the figure of a text task).
 */
public record TaskResult(long bestStep, double bestValLoss, double initialTestLoss, double testLoss,
        double testLossRatio, Double exactMatch, double nextTokenAccuracy) {}
