using EvalHarness.Engine;
using EvalHarness.Engine.Nn.Graph;
using EvalHarness.Engine.Nn.Layers;

namespace EvalHarness.Engine.Tests;

public class GraphTests
{
    // y = W2·relu(W1·x) + skip, small enough to derive by hand.
    private static Graph TinyResidual()
    {
        var b = new GraphBuilder();
        int fc1, relu, fc2;
        using (b.Scope("block"))
        {
            fc1 = b.Add("fc1", new Linear(2, 2, bias: false), GraphBuilder.Input);
            relu = b.Add("relu", new ReLU(), fc1);
            fc2 = b.Add("fc2", new Linear(2, 2, bias: false), relu);
            b.Add("add", new Add(), fc2, GraphBuilder.Input);
        }
        b.Add("out", new ReLU());
        var g = b.Build();
        var sd = g.StateDict();
        sd["block.fc1.weight"].Value.Data.AsSpan().Clear();
        sd["block.fc1.weight"].Value.Data[0] = 1f;  // [[1, 0], [0, -1]]
        sd["block.fc1.weight"].Value.Data[3] = -1f;
        sd["block.fc2.weight"].Value.Data[0] = 2f;  // [[2, 0], [0, 3]]
        sd["block.fc2.weight"].Value.Data[3] = 3f;
        return g;
    }

    [Fact]
    public void Forward_and_backward_match_the_hand_derivation()
    {
        var g = TinyResidual();
        var x = Tensor.FromArray([1f, 2f], 1, 2);
        var run = g.Forward(x);
        // fc1 = [1, -2]; relu = [1, 0]; fc2 = [2, 0]; add = [3, 2]; out = [3, 2]
        Assert.Equal([3f, 2f], run.Output.Data);
        Assert.Equal([1f, -2f], run.Activation("block.fc1").Data);
        Assert.Equal([3f, 2f], run.Activation("block").Data); // container name → its last node
        run.BackwardFromClasses([0]);
        // d out0 / d x = skip [1, 0] + W2[0,0]·relu'·W1[0,:] = [1,0] + 2·[1,0] = [3, 0]
        Assert.Equal([3f, 0f], run.InputGradient!.Data);
        Assert.Equal([2f, 0f], run.Gradient("block.relu")!.Data);
    }

    [Fact]
    public void Head_requires_a_cut_point_and_runs_from_it()
    {
        var g = TinyResidual();
        Assert.True(g.IsCutPoint(g.IndexOf("block")));
        Assert.False(g.IsCutPoint(g.IndexOf("block.relu")));
        var ex = Assert.Throws<EvalHarnessException>(() => g.ForwardFrom("block.relu", new Tensor(1, 2)));
        Assert.Contains("skip connection", ex.Message);
        var head = g.ForwardFrom("block", Tensor.FromArray([-1f, 5f], 1, 2));
        Assert.Equal([0f, 5f], head.Output.Data);
    }

    [Fact]
    public void Unknown_layer_names_suggest_near_misses()
    {
        var g = TinyResidual();
        var ex = Assert.Throws<UnknownNameException>(() => g.IndexOf("block.fc3"));
        Assert.Contains("block.fc1", ex.Message);
        Assert.Contains("Did you mean", ex.Message);
    }

    [Fact]
    public void Inference_pass_releases_activations_but_keeps_requested_taps()
    {
        var g = TinyResidual();
        var run = g.Forward(Tensor.FromArray([1f, 2f], 1, 2), recordForBackward: false, keep: ["block.fc1"]);
        Assert.Equal([1f, -2f], run.Activation("block.fc1").Data);
        Assert.Throws<EvalHarnessException>(() => run.Activation("block.relu"));
        Assert.Throws<InvalidOperationException>(() => run.BackwardFromClasses([0]));
    }
}
