using EvalHarness.Engine;
using EvalHarness.Harness.Methods;
using EvalHarness.Saliency;

namespace EvalHarness.Harness.Tests;

/// <summary>
/// Loads tests/EvalHarness.Harness.TestMethod (built by this project's ProjectReference without
/// referencing it, and copied with its whole output, including its own copies of EvalHarness.*.dll,
/// to testmethod/) and this test assembly itself (which holds several implementations) by path.
/// </summary>
public sealed class AssemblyMethodTests
{
    private static readonly Dictionary<string, string> None = [];

    private static string TestMethodPath => Path.Combine(AppContext.BaseDirectory, "testmethod", "EvalHarness.Harness.TestMethod.dll");

    private static string Self => typeof(AssemblyMethodTests).Assembly.Location;

    [Fact]
    public void LoadsTheOnlyImplementationWithItsParameters()
    {
        Assert.True(File.Exists(TestMethodPath), $"{TestMethodPath} should have been copied by the build.");
        var method = AssemblyMethod.Load(TestMethodPath, null, new Dictionary<string, string> { ["scale"] = "2" });
        Assert.Equal("scaled-channel-mean", method.Descriptor.Name);
        Assert.Equal(3, method.Descriptor.Version);
        Assert.Equal("EvalHarness.Harness.TestMethod.ScaledChannelMean", method.GetType().FullName);
        Assert.NotSame(typeof(AssemblyMethodTests).Assembly, method.GetType().Assembly);
        var images = new Tensor([1f, 2f, 3f, 4f, 5f, 6f], 1, 3, 1, 2);
        var r = method.Explain(TestGraphs.Context(["x"]), images, [0]);
        Assert.Equal([2f * (1 + 3 + 5) / 3, 2f * (2 + 4 + 6) / 3], r.Maps.Data);
        // Loading again reuses the assembly.
        Assert.Same(method.GetType().Assembly, AssemblyMethod.Load(TestMethodPath, null, None).GetType().Assembly);
    }

    [Fact]
    public void ConstructorErrorsFromTheMethodAreReported()
    {
        var e = Assert.Throws<EvalHarnessException>(() => AssemblyMethod.Load(TestMethodPath, null, new Dictionary<string, string> { ["scael"] = "2" }));
        Assert.Contains("refused its parameters", e.Message);
        Assert.Contains("'scael'", e.Message);
        var f = Assert.Throws<EvalHarnessException>(() => AssemblyMethod.Load(TestMethodPath, null, new Dictionary<string, string> { ["scale"] = "x" }));
        Assert.Contains("FormatException", f.Message);
    }

    [Fact]
    public void SeveralImplementationsNeedATypeName()
    {
        var e = Assert.Throws<EvalHarnessException>(() => AssemblyMethod.Load(Self, null, None));
        Assert.Contains("3 ISaliencyMethod implementations", e.Message);
        Assert.Contains(typeof(FakeParameterless).FullName!, e.Message);
        Assert.Contains(typeof(FakeWithParameters).FullName!, e.Message);
        Assert.Contains(typeof(FakeWithoutUsableConstructor).FullName!, e.Message);

        var byShortName = AssemblyMethod.Load(Self, nameof(FakeParameterless), None);
        Assert.Equal("fake-parameterless", byShortName.Descriptor.Name);
        var byFullName = AssemblyMethod.Load(Self, typeof(FakeWithParameters).FullName, new Dictionary<string, string> { ["k"] = "v" });
        Assert.Equal("fake-k=v", byFullName.Descriptor.Name);
    }

    [Fact]
    public void TypeAndConstructorErrors()
    {
        var unknown = Assert.Throws<UnknownNameException>(() => AssemblyMethod.Load(Self, "FakeParameterles", None));
        Assert.Contains("Did you mean", unknown.Message);
        Assert.Contains(nameof(FakeParameterless), unknown.Message);

        var notMethod = Assert.Throws<EvalHarnessException>(() => AssemblyMethod.Load(Self, nameof(AssemblyMethodTests), None));
        Assert.Contains("does not implement EvalHarness.Saliency.ISaliencyMethod", notMethod.Message);

        var ctor = Assert.Throws<EvalHarnessException>(() => AssemblyMethod.Load(Self, nameof(FakeWithoutUsableConstructor), None));
        Assert.Contains("no public constructor", ctor.Message);
        Assert.Contains("IReadOnlyDictionary<string, string>", ctor.Message);

        var noParams = Assert.Throws<EvalHarnessException>(() =>
            AssemblyMethod.Load(Self, nameof(FakeParameterless), new Dictionary<string, string> { ["x"] = "1" }));
        Assert.Contains("takes no parameters", noParams.Message);
        Assert.Contains("'x'", noParams.Message);
    }

    [Fact]
    public void FileErrors()
    {
        using var t = new TempFolder();
        var missing = Path.Combine(t.Path, "Nope.dll");
        var e = Assert.Throws<EvalHarnessException>(() => AssemblyMethod.Load(missing, null, None));
        Assert.Contains(missing, e.Message);
        Assert.Contains("does not exist", e.Message);

        var text = t.Write("Text.dll", "hello, not an assembly");
        var f = Assert.Throws<FileFormatException>(() => AssemblyMethod.Load(text, null, None));
        Assert.Equal(text, f.Path);
        Assert.Contains("not a .NET assembly", f.Message);

        var folder = Assert.Throws<EvalHarnessException>(() => AssemblyMethod.Load(t.Path, null, None));
        Assert.Contains("is a folder", folder.Message);

        // A .NET assembly without implementations: the engine.
        var engine = typeof(Tensor).Assembly.Location;
        var none = Assert.Throws<EvalHarnessException>(() => AssemblyMethod.Load(engine, null, None));
        Assert.Contains("no public non-abstract class implementing EvalHarness.Saliency.ISaliencyMethod", none.Message);
    }
}

public sealed class FakeParameterless : ISaliencyMethod
{
    public MethodDescriptor Descriptor { get; } = new("fake-parameterless", 1, "baseline", false, "test");

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets) =>
        new() { Maps = new Tensor(images.N, images.H, images.W) };
}

public sealed class FakeWithParameters(IReadOnlyDictionary<string, string> parameters) : ISaliencyMethod
{
    public MethodDescriptor Descriptor { get; } = new("fake-" + string.Join(",", parameters.Select(p => $"{p.Key}={p.Value}")), 1, "baseline", false, "test");

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets) =>
        new() { Maps = new Tensor(images.N, images.H, images.W) };
}

public sealed class FakeWithoutUsableConstructor(int size) : ISaliencyMethod
{
    public MethodDescriptor Descriptor { get; } = new("fake-" + size, 1, "baseline", false, "test");

    public SaliencyResult Explain(ExplainContext context, Tensor images, IReadOnlyList<int> targets) =>
        new() { Maps = new Tensor(images.N, images.H, images.W) };
}
