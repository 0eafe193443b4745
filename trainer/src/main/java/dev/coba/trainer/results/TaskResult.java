package dev.coba.trainer.results;

/**
 * One task under one method. {@code bestStep} and {@code bestValLoss}: the step of the task's
 * own lowest full-validation loss, and that loss; {@code endValLoss}: its full-validation loss at
 * the last pass, and {@code endAboveBest} how far that ends above the best, in units of the
 * validation-loss ratio: {@code (endValLoss - bestValLoss) / valLoss(0)} (0 for a task still at
 * its best; the overfitting of the paper's Figure 1 when the run goes on after the task's best).
 * {@code testLoss}: the task's test loss at the method's selected checkpoint;
 * {@code initialTestLoss}: at step 0 (the initial model); {@code testLossRatio} = testLoss /
 * initialTestLoss. {@code exactMatch}: the share of test examples whose greedy-decoded answer is
 * the reference, at the selected checkpoint (null for a task of plain texts, which has no
 * answer); {@code nextTokenAccuracy}: the share of the test split's target tokens that were the
 * model's most likely next token (the figure of a text task).
 */
public record TaskResult(
    long bestStep,
    double bestValLoss,
    double endValLoss,
    double endAboveBest,
    double initialTestLoss,
    double testLoss,
    double testLossRatio,
    Double exactMatch,
    double nextTokenAccuracy) {}
