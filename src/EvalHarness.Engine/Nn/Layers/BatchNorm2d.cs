namespace EvalHarness.Engine.Nn.Layers;

/// <summary>
/// torch.nn.BatchNorm2d in inference mode: y = (x − running_mean)/sqrt(running_var + eps)·weight + bias.
/// State-dict entries: weight, bias, running_mean, running_var (num_batches_tracked is ignored on load).
/// </summary>
public sealed class BatchNorm2d : ShapePreservingLayer
{
    public BatchNorm2d(int channels, float eps = 1e-5f)
    {
        if (channels <= 0) throw new ArgumentException($"BatchNorm2d({channels}): channels must be positive.");
        Channels = channels;
        Eps = eps;
        Weight = new Parameter(Tensor.Full(1f, channels));
        Bias = new Parameter(new Tensor(channels));
        RunningMean = new Parameter(new Tensor(channels), isBuffer: true);
        RunningVar = new Parameter(Tensor.Full(1f, channels), isBuffer: true);
    }

    public int Channels { get; }

    public float Eps { get; }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public Parameter RunningMean { get; }

    public Parameter RunningVar { get; }

    public override string Kind => "BatchNorm2d";

    public override IEnumerable<(string Name, Parameter Parameter)> Parameters()
    {
        yield return ("weight", Weight);
        yield return ("bias", Bias);
        yield return ("running_mean", RunningMean);
        yield return ("running_var", RunningVar);
    }

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        var s = base.OutputShape(inputShapes);
        RequireRank(s, 4, ToString());
        if (s[1] != Channels) throw new ShapeException($"{this} expects {Channels} channels, got {s[1]}.");
        return s;
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs) => throw new NotImplementedException();

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
        => throw new NotImplementedException();

    public override string ToString() => $"BatchNorm2d({Channels}, eps={Eps})";
}
