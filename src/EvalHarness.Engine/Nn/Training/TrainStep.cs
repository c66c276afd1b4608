using EvalHarness.Engine.Nn.Graph;

namespace EvalHarness.Engine.Nn.Training;

/// <summary>The loss and the number of correct argmax predictions of one training batch.</summary>
public readonly record struct TrainStepResult(float Loss, int Correct, int Count)
{
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;
}

/// <summary>One step of supervised classification training: forward, cross-entropy, backward to the parameters, update.</summary>
public static class TrainStep
{
    /// <summary>
    /// Runs <paramref name="graph"/> (a training graph, see <see cref="TrainingGraph"/>) on the batch,
    /// back-propagates the mean cross-entropy into every parameter's gradient and lets the optimizer
    /// update them; gradients are zeroed first.
    /// </summary>
    public static TrainStepResult Run(Graph.Graph graph, Optimizer optimizer, Tensor images, IReadOnlyList<int> targets, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.ZeroGradients();
        var execution = graph.Forward(images, recordForBackward: true);
        var logits = execution.Output;
        var (loss, gradient) = CrossEntropyLoss.Compute(logits, targets);
        if (!float.IsFinite(loss))
            throw new EvalHarnessException($"Training diverged: the loss is {loss} at step {optimizer.StepCount + 1}; lower the learning rate.");
        execution.Backward(gradient, new BackwardOptions { ParameterGradients = true });
        optimizer.Step(learningRate);
        return new TrainStepResult(loss, CountCorrect(logits, targets), targets.Count);
    }

    /// <summary>How many rows of batch × classes logits have their first maximum at the target.</summary>
    public static int CountCorrect(Tensor logits, IReadOnlyList<int> targets)
    {
        int classes = logits.Dim(1), correct = 0;
        for (int n = 0; n < logits.N; n++)
        {
            var row = logits.Data.AsSpan(n * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (row[c] > row[best]) best = c;
            if (best == targets[n]) correct++;
        }
        return correct;
    }
}
