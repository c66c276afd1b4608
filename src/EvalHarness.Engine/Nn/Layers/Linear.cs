using EvalHarness.Engine.Gemm;

namespace EvalHarness.Engine.Nn.Layers;

/// <summary>y = x·Wᵀ + b on N×in inputs; weight is out×in as in torch.nn.Linear.</summary>
public sealed class Linear : Layer
{
    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear({inFeatures}, {outFeatures}) needs positive sizes.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = new Parameter(new Tensor(outFeatures, inFeatures));
        Bias = bias ? new Parameter(new Tensor(outFeatures)) : null;
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public Parameter Weight { get; }

    public Parameter? Bias { get; }

    public override string Kind => "Linear";

    public override IEnumerable<(string Name, Parameter Parameter)> Parameters()
    {
        yield return ("weight", Weight);
        if (Bias != null) yield return ("bias", Bias);
    }

    public override int[] OutputShape(IReadOnlyList<int[]> inputShapes)
    {
        CheckArity(inputShapes);
        var s = inputShapes[0];
        RequireRank(s, 2, ToString());
        if (s[1] != InFeatures) throw new ShapeException($"{this} expects {InFeatures} input features, got {s[1]} (input {ShapeUtil.Format(s)}).");
        return [s[0], OutFeatures];
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var shape = OutputShape([x.ShapeArray]);
        var y = Tensor.Uninitialized(shape);
        int n = shape[0];
        if (Bias != null)
            for (int b = 0; b < n; b++) Bias.Value.Data.CopyTo(y.Data, b * OutFeatures);
        GemmProvider.Current.Sgemm(false, true, n, OutFeatures, InFeatures, 1f, x.Data, InFeatures,
            Weight.Value.Data, InFeatures, Bias != null ? 1f : 0f, y.Data, OutFeatures);
        return y;
    }

    public override Tensor?[] Backward(IReadOnlyList<Tensor> inputs, Tensor output, Tensor gradOutput, IReadOnlyList<bool> needInput, bool parameterGradients)
    {
        var x = inputs[0];
        LayerChecks.SameShape(this, "the output gradient", gradOutput, OutputShape([x.ShapeArray]));
        int n = x.N;
        var gemm = GemmProvider.Current;
        Tensor? gx = null;
        if (needInput[0])
        {
            gx = Tensor.Uninitialized(x.ShapeArray);
            gemm.Sgemm(false, false, n, InFeatures, OutFeatures, 1f, gradOutput.Data, OutFeatures,
                Weight.Value.Data, InFeatures, 0f, gx.Data, InFeatures);
        }
        if (parameterGradients)
        {
            Weight.Grad ??= new Tensor(Weight.Value.ShapeArray);
            gemm.Sgemm(true, false, OutFeatures, InFeatures, n, 1f, gradOutput.Data, OutFeatures,
                x.Data, InFeatures, 1f, Weight.Grad.Data, InFeatures);
            if (Bias != null)
            {
                Bias.Grad ??= new Tensor(OutFeatures);
                for (int b = 0; b < n; b++)
                    System.Numerics.Tensors.TensorPrimitives.Add(Bias.Grad.Data, gradOutput.Data.AsSpan(b * OutFeatures, OutFeatures), Bias.Grad.Data);
            }
        }
        return [gx];
    }

    public override string ToString() => $"Linear({InFeatures}, {OutFeatures}{(Bias == null ? ", bias=False" : "")})";
}
